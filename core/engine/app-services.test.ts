import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from '../../tests/support/harness.ts';
import { User } from '../auth/entities.ts';
import { loadGrants, unitPathLookup } from '../auth/middleware.ts';
import { Authz } from '../org/authz.ts';
import type { Caller } from './caller.ts';
import { retryIncident } from './incident-service.ts';
import { cancelInstance, getInstance, startInstance } from './instance-service.ts';
import { claimTask, completeTask, listTasks, unclaimTask } from './task-service.ts';

/**
 * Issue 14, point 2: the engine's application services own the transaction, the checks on
 * loaded rows and the audit. They take their ports and a caller, never a request, so a job, the
 * CLI or a test calls them as the routes do.
 */
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
const DESK = 'DEMO.TTPVHCC.Q1';

let analyst: Caller; // starts instances directly (raw starts), at the desk's unit
let clerk: Caller; // receptionist at the one-stop desk
let specialist: Caller; // Sở Tư pháp: does not see the desk's instances

async function callerFor(username: string): Promise<Caller> {
  const em = h.em();
  const user = await em.findOneOrFail(User, { username });
  const authz = new Authz(await loadGrants(em, user.id), h.services.permissions, unitPathLookup(em));
  return { acting: { actor: { id: user.id, name: user.username }, requestId: `svc-${username}` }, authz, user };
}

beforeAll(async () => {
  const deployer = await h.login('analyst');
  expect((await deployer.post('/api/definitions', h.fixture('five-steps.bpmn'), { 'content-type': 'application/xml' })).status).toBe(201);
  analyst = await callerFor('analyst');
  clerk = await callerFor('clerk');
  specialist = await callerFor('specialist');
});

describe('engine application services, called without a request', () => {
  it('start, claim, unclaim and complete a task, each audited under the caller', async () => {
    const inst = await startInstance(h.services, analyst, { definitionKey: 'five-steps', businessKey: 'SVC-1', unitId: DESK });
    expect(inst).toMatchObject({ status: 'running', businessKey: 'SVC-1', startedBy: analyst.user.id });
    const [task] = inst.openTasks;
    expect((await listTasks(h.services, clerk, { filter: 'candidate', instanceId: inst.id, limit: 10 })).map((t) => t.id)).toEqual([
      task.id,
    ]);

    expect(await claimTask(h.services, clerk, task.id)).toMatchObject({ id: task.id, claimed_by: clerk.user.id });
    expect(await listTasks(h.services, clerk, { filter: 'candidate', instanceId: inst.id, limit: 10 })).toEqual([]);
    expect(await unclaimTask(h.services, clerk, task.id)).toMatchObject({ id: task.id, claimed_by: null });
    await completeTask(h.services, clerk, task.id, { complete: true });

    const audit = await h
      .em()
      .execute<{ action: string; request_id: string | null }[]>(
        'SELECT action, request_id FROM audit_log WHERE target_id = ? ORDER BY id',
        [task.id],
      );
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['task.claimed', 'task.unclaimed']));
    expect(audit.every((a) => a.request_id === 'svc-clerk')).toBe(true);
    expect((await getInstance(h.services, clerk, inst.id)).openTasks[0].activityId).not.toBe(task.activityId);
  });

  it('answer what the caller may not see as missing (ADR 0004), and change nothing', async () => {
    const inst = await startInstance(h.services, analyst, { definitionKey: 'five-steps', businessKey: 'SVC-2', unitId: DESK });
    const taskId = inst.openTasks[0].id;
    await expect(getInstance(h.services, specialist, inst.id)).rejects.toMatchObject({ code: 'process.instance_not_found' });
    await expect(cancelInstance(h.services, specialist, inst.id, 'no')).rejects.toMatchObject({ code: 'process.instance_not_found' });
    await expect(claimTask(h.services, specialist, taskId)).rejects.toMatchObject({ code: 'task.not_found' });
    await expect(retryIncident(h.services, specialist, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 'incident.not_found',
    });
    expect(await getInstance(h.services, clerk, inst.id)).toMatchObject({
      status: 'running',
      openTasks: [{ id: taskId, claimedBy: null }],
    });
  });
});
