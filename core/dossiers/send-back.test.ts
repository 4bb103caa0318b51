import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import { runEngine } from '../engine/run.ts';
import { procedure, publish, receiveDossier } from './fixtures/procedures.ts';
import type { DossierView } from './service.ts';

/**
 * Send-back (issue 15 point 5, ADR 0020): desk → specialist → leader, where the leader sends the
 * dossier back to the specialist. Every command recovers the instance from its saved state;
 * between commands the test recovers the saved state itself and checks where it waits.
 */
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
const { deploy } = h.process({ as: () => admin });
let clerk: TestClient;
let admin: TestClient;
let specialist: TestClient;
let leader: TestClient;
let d: DossierView;

interface OpenTask {
  id: string;
  activity_id: string;
  assignee: string | null;
}

async function openTasks(instanceId: string): Promise<OpenTask[]> {
  return h
    .em()
    .execute<OpenTask[]>("SELECT id, activity_id, assignee FROM tasks WHERE instance_id = ? AND status = 'open' ORDER BY created_at", [
      instanceId,
    ]);
}

/** Where the saved state waits when recovered afresh, with no signal (what the next command starts from). */
async function recovered(instanceId: string): Promise<string[]> {
  const engine = h.services.engine;
  const row = await engine.loadInstance(h.em(), instanceId);
  if (!row.state) return [];
  const def = await engine.definitions.byId(h.em(), row.definition_id);
  const run = await runEngine(def, h.t.clock, {
    instanceId,
    state: JSON.parse(row.state) as object,
    variables: JSON.parse(row.variables) as Record<string, unknown>,
  });
  expect(run.history).toEqual([]);
  return run.waiting.map((w) => w.activityId);
}

async function work(as: TestClient, instanceId: string, activityId: string) {
  const task = (await openTasks(instanceId)).find((t) => t.activity_id === activityId);
  expect(task, `an open ${activityId}`).toBeTruthy();
  const res = await as.post(`/api/tasks/${task!.id}/complete`, {});
  expect(res.status, await res.clone().text()).toBe(204);
}

async function sendBack(as: TestClient, instanceId: string, activityId: string, reason = 'Thiếu chữ ký của người làm chứng') {
  const task = (await openTasks(instanceId)).find((t) => t.activity_id === activityId);
  expect(task, `an open ${activityId}`).toBeTruthy();
  return as.post(`/api/tasks/${task!.id}/send-back`, { reason });
}

async function receive(): Promise<DossierView> {
  return await receiveDossier(clerk, '1.940001');
}

async function read(code: string): Promise<DossierView> {
  const res = await admin.get(`/api/dossiers/${encodeURIComponent(code)}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as DossierView;
}

/** Moves the clock and signs everyone in again (sessions expire while time moves). */
async function at(local: string) {
  h.t.clock.set(new Date(`${local}+07:00`));
  clerk = await h.login('clerk');
  admin = await h.login('admin');
  specialist = await h.login('xa.chuyenvien');
  leader = await h.login('xa.lanhdao');
}

beforeAll(async () => {
  await at('2026-03-16T08:00:00');
  await deploy('send-back.bpmn');
  await publish(h.services, [procedure('1.940001', { process: 'send-back' })]);
  d = await receive();
});

describe('Send-back to the previous step', () => {
  it('Given the leader sends the draft back, Then the specialist who drafted it gets the step again, completes it, and the leader approves', async () => {
    const id = d.instanceIds[0];
    await work(clerk, id, 'check');
    expect(await recovered(id)).toEqual(['appraise']);
    await at('2026-03-16T09:00:00');
    await work(specialist, id, 'appraise');
    expect(await recovered(id)).toEqual(['approve']);
    const leaderTask = (await openTasks(id))[0];

    // When the leader sends it back
    await at('2026-03-16T10:00:00');
    const res = await sendBack(leader, id, 'approve');
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ toActivityId: 'appraise' });

    // Then the specialist's step is open again, for the specialist who completed it
    const specialistId = (await h.em().execute<{ id: string }[]>("SELECT id FROM users WHERE username = 'xa.chuyenvien'"))[0].id;
    expect((await openTasks(id)).map((t) => [t.activity_id, t.assignee])).toEqual([['appraise', specialistId]]);
    expect(await recovered(id)).toEqual(['appraise']);
    const [closed] = await h
      .em()
      .execute<{ status: string; completed_by: string }[]>('SELECT status, completed_by FROM tasks WHERE id = ?', [leaderTask.id]);
    expect(closed.status).toBe('sent_back');
    // The reopened step is in the specialist's own list, not in another specialist's candidates.
    const mine = (await (await specialist.get(`/api/tasks?instanceId=${id}`)).json()) as { activityId: string }[];
    expect(mine.map((t) => t.activityId)).toEqual(['appraise']);
    const audit = await h
      .em()
      .execute<{ summary: string | object }[]>("SELECT summary FROM audit_log WHERE action = 'task.sent_back' AND target_id = ?", [
        leaderTask.id,
      ]);
    expect(audit).toHaveLength(1);
    const summary = audit[0].summary;
    expect(typeof summary === 'string' ? (JSON.parse(summary) as object) : summary).toMatchObject({
      toActivityId: 'appraise',
      reason: 'Thiếu chữ ký của người làm chứng',
    });

    // When the specialist completes it again and the leader approves
    await at('2026-03-16T11:00:00');
    await work(specialist, id, 'appraise');
    expect(await recovered(id)).toEqual(['approve']);
    await at('2026-03-16T14:00:00');
    await work(leader, id, 'approve');

    // Then the process has ended, and the dossier is resolved
    const inst = await engineInstance(id);
    expect(inst.status).toBe('completed');
    expect((await read(d.code)).status).toBe(9);
    const history = await h
      .em()
      .execute<{ activity_id: string }[]>(
        "SELECT activity_id FROM activity_history WHERE instance_id = ? AND type = 'bpmn:UserTask' ORDER BY started_at, id",
        [id],
      );
    expect(history.map((r) => r.activity_id).sort()).toEqual(['appraise', 'appraise', 'approve', 'approve', 'check'].sort());
  });

  it('Given the send-back, Then the dossier hops show the return with its reason', async () => {
    const { hops } = await read(d.code);
    expect(hops.map((x) => [x.kind, x.step?.activityId ?? null, x.note])).toEqual([
      ['receipt', null, null],
      ['step', 'check', null],
      ['step', 'appraise', null],
      ['send_back', 'approve', 'Trả lại: Thiếu chữ ký của người làm chứng'],
      ['step', 'appraise', null],
      ['return', 'approve', null],
    ]);
    const back = hops[3];
    expect(back.from.id).toBe(back.to?.id); // the leader and the specialist sit in the same commune
    expect(back.giver?.name).toBe('Bùi Văn Chủ Tịch (demo)');
    expect(back.receiver?.name).toBe('Vũ Thị Hộ Tịch (demo)');
    expect(back.timeliness).toBeNull();
  });

  it('Given a step not marked motcua:sendBack, When it is sent back, Then 422 task.send_back_not_allowed and nothing changes', async () => {
    const other = await receive();
    const id = other.instanceIds[0];
    await work(clerk, id, 'check');
    await expectProblem(await sendBack(specialist, id, 'appraise'), 422, 'task.send_back_not_allowed');
    expect((await openTasks(id)).map((t) => t.activity_id)).toEqual(['appraise']);
    expect(await recovered(id)).toEqual(['appraise']);
  });

  it('Given the first step, with nothing before it, When it is sent back, Then 422 task.no_previous_step and nothing changes', async () => {
    const other = await receive();
    const id = other.instanceIds[0];
    await expectProblem(await sendBack(clerk, id, 'check'), 422, 'task.no_previous_step');
    expect((await openTasks(id)).map((t) => t.activity_id)).toEqual(['check']);
    expect(await recovered(id)).toEqual(['check']);
  });

  it('Given someone who may not work the step, When they send it back, Then it is refused and the step stays open', async () => {
    const other = await receive();
    const id = other.instanceIds[0];
    await work(clerk, id, 'check');
    await work(specialist, id, 'appraise');
    const res = await sendBack(specialist, id, 'approve');
    expect([403, 404]).toContain(res.status);
    expect((await openTasks(id)).map((t) => t.activity_id)).toEqual(['approve']);
    await expectProblem(await sendBack(leader, id, 'approve', '   '), 400, 'request.invalid');
  });
});

async function engineInstance(id: string) {
  return h.services.engine.loadInstance(h.em(), id);
}

async function expectProblem(res: Response, status: number, code: string) {
  const body = (await res.json()) as { code?: string };
  expect([res.status, body.code]).toEqual([status, code]);
}
