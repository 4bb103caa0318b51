import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { useTestPlatform, type TestClient } from '../support/platform.ts';
import { rawStart } from '../support/raw-start.ts';

/**
 * Probing ids outside your units must not tell "exists" from "does not exist" (ADR 0004): what
 * you may not see answers exactly as a missing id does, 404 with the same problem body. 403 is
 * kept for what you may see but may not do.
 */
const ctx = useTestPlatform();
const FIVE = readFileSync(new URL('../../core/engine/fixtures/five-steps.bpmn', import.meta.url), 'utf8');

let clerk: TestClient; // receptionist at the one-stop desk
let specialist: TestClient; // Sở Tư pháp
let leader: TestClient; // Sở Tư pháp
let instanceId: string;
let taskId: string;
let deskId: string;

beforeAll(async () => {
  const analyst = await ctx.t.login('analyst');
  clerk = await ctx.t.login('clerk');
  specialist = await ctx.t.login('specialist');
  leader = await ctx.t.login('leader');
  expect((await analyst.post('/api/definitions', FIVE, { 'content-type': 'application/xml' })).status).toBe(201);
  const started = await rawStart(ctx.t, { definitionKey: 'five-steps', businessKey: 'PROBE-1' }, clerk);
  expect(started.status).toBe(201);
  const inst = await started.json();
  instanceId = inst.id;
  taskId = inst.openTasks[0].id;
  deskId = (await (await clerk.get('/api/units/DEMO.TTPVHCC.Q1')).json()).id;
});

/** The problem body with the probed id written as <id>, and the request id dropped. */
async function shape(res: Response, id: string) {
  const { requestId, ...body } = await res.json();
  expect(requestId).toBeTruthy();
  const text = JSON.stringify(body).replaceAll(id, '<id>');
  return { status: res.status, contentType: res.headers.get('content-type'), body: JSON.parse(text) };
}

async function expectSameAsMissing(
  client: TestClient,
  method: 'GET' | 'POST',
  path: (id: string) => string,
  existing: string,
  missing: string,
  code: string,
) {
  const send = (id: string) => (method === 'GET' ? client.get(path(id)) : client.post(path(id), {}));
  const outside = await shape(await send(existing), existing);
  const absent = await shape(await send(missing), missing);
  expect(outside.status).toBe(404);
  expect(outside.body.code).toBe(code);
  expect(outside).toEqual(absent);
}

const MISSING = '00000000-0000-4000-8000-000000000000';

describe('probing ids outside your units', () => {
  it('an instance of another unit answers like a missing one: read, cancel', async () => {
    await expectSameAsMissing(specialist, 'GET', (id) => `/api/instances/${id}`, instanceId, MISSING, 'process.instance_not_found');
    await expectSameAsMissing(leader, 'POST', (id) => `/api/instances/${id}/cancel`, instanceId, MISSING, 'process.instance_not_found');
    expect((await clerk.get(`/api/instances/${instanceId}`)).status).toBe(200);
  });

  it('a task of another unit answers like a missing one: claim, unclaim, complete', async () => {
    for (const verb of ['claim', 'unclaim', 'complete']) {
      await expectSameAsMissing(specialist, 'POST', (id) => `/api/tasks/${id}/${verb}`, taskId, MISSING, 'task.not_found');
    }
  });

  it('a unit outside yours answers like a missing one, in the units API and the calendar alike', async () => {
    await expectSameAsMissing(specialist, 'GET', (id) => `/api/units/${id}`, deskId, MISSING, 'unit.not_found');
    await expectSameAsMissing(specialist, 'GET', (id) => `/api/units/${id}`, 'DEMO.TTPVHCC.Q1', 'DEMO.KHONG-CO', 'unit.not_found');
    await expectSameAsMissing(specialist, 'GET', (id) => `/api/calendar/units/${id}`, deskId, MISSING, 'unit.not_found');
    expect((await clerk.get(`/api/calendar/units/${deskId}`)).status).toBe(200);
  });

  it('an account outside your units answers like a missing one', async () => {
    await expectSameAsMissing(leader, 'GET', (id) => `/api/users/${id}`, 'clerk', 'khong-co-ai', 'user.not_found');
  });

  it('what you may see but may not do stays 403', async () => {
    // The clerk sees the desk's instance but may not cancel it.
    const cancel = await clerk.post(`/api/instances/${instanceId}/cancel`, {});
    expect([cancel.status, (await cancel.json()).code]).toEqual([403, 'auth.forbidden']);
    // The leader of Sở Tư pháp sees its appraisal task but is not among its candidates (specialists).
    expect((await clerk.post(`/api/tasks/${taskId}/complete`, { variables: {} })).status).toBe(204);
    const appraise = (await (await clerk.get(`/api/instances/${instanceId}`)).json()).openTasks[0];
    expect(appraise.activityId).toBe('appraise');
    expect((await leader.get(`/api/instances/${instanceId}`)).status).toBe(404); // the instance lives at the desk
    const refused = await leader.post(`/api/tasks/${appraise.id}/complete`, { variables: {} });
    expect([refused.status, (await refused.json()).code]).toEqual([403, 'task.not_entitled']);
  });
});
