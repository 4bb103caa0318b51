import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { useTestPlatform, type TestClient } from '../support/platform.ts';
import { rawStart } from '../support/raw-start.ts';

/**
 * Giving back a task someone else claimed is refused as what it is: 403 task.claimed_by_other
 * (nobody releases another user's claim; there is no such rule for leaders either), not the
 * misleading 409 task.not_open for a task that is open.
 */
const ctx = useTestPlatform();
const FIVE = readFileSync(new URL('../../core/engine/fixtures/five-steps.bpmn', import.meta.url), 'utf8');
const PW = 'Cau-Long-Bien-1902';

let clerk: TestClient;
let colleague: TestClient; // a second receptionist at the same desk

beforeAll(async () => {
  const admin = await ctx.t.login('admin');
  const analyst = await ctx.t.login('analyst');
  clerk = await ctx.t.login('clerk');
  const created = await admin.post('/api/users', {
    username: 'clerk2',
    displayName: 'Quầy 1, người thứ hai',
    unitId: 'DEMO.TTPVHCC.Q1',
    password: PW,
  });
  expect(created.status).toBe(201);
  expect((await admin.post('/api/role-assignments', { userId: 'clerk2', role: 'receptionist', unitId: 'DEMO.TTPVHCC.Q1' })).status).toBe(
    201,
  );
  colleague = await ctx.t.login('clerk2', PW);
  expect((await analyst.post('/api/definitions', FIVE, { 'content-type': 'application/xml' })).status).toBe(201);
});

async function openTask(): Promise<string> {
  const inst = await (await rawStart(ctx.t, { definitionKey: 'five-steps' }, clerk)).json();
  return inst.openTasks[0].id;
}

async function problem(res: Response) {
  return [res.status, (await res.json()).code];
}

describe('unclaiming a task someone else claimed', () => {
  it('answers 403 task.claimed_by_other and leaves the claim alone', async () => {
    const id = await openTask();
    expect((await clerk.post(`/api/tasks/${id}/claim`)).status).toBe(200);
    expect(await problem(await colleague.post(`/api/tasks/${id}/unclaim`))).toEqual([403, 'task.claimed_by_other']);
    const task = await (await clerk.get('/api/tasks?filter=mine')).json();
    expect(task.find((t: { id: string }) => t.id === id)?.claimedBy).toBeTruthy();
    // The claimant gives it back; after that the task is simply not claimed (409 task.not_claimed).
    expect((await clerk.post(`/api/tasks/${id}/unclaim`)).status).toBe(200);
    expect(await problem(await colleague.post(`/api/tasks/${id}/unclaim`))).toEqual([409, 'task.not_claimed']);
  });

  it('keeps 409 task.not_open for a task that is no longer open', async () => {
    const id = await openTask();
    expect((await clerk.post(`/api/tasks/${id}/claim`)).status).toBe(200);
    expect((await clerk.post(`/api/tasks/${id}/complete`, { variables: {} })).status).toBe(204);
    expect(await problem(await clerk.post(`/api/tasks/${id}/unclaim`))).toEqual([409, 'task.not_open']);
  });
});
