import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { useTestPlatform, type TestClient } from '../../tests/support/platform.ts';
import { rowSummary, type AuditRow } from '../audit/rows.ts';
import { toDate } from '../jobs/jobs.ts';
import type { InstanceRow } from './runtime.ts';
import { rawStart } from '../../tests/support/raw-start.ts';

const ctx = useTestPlatform();
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const xmlHeaders = { 'content-type': 'application/xml' };
const DAY = 24 * 3600_000;
const db = () => ctx.t.platform.services.db.em();

interface TaskView {
  id: string;
  activityId: string;
  name: string | null;
  formKey: string | null;
}
interface InstanceView {
  id: string;
  status: string;
  definitionVersion: number;
  openTasks: TaskView[];
  history: { activityId: string; endedAt: string | null }[];
}

let analyst: TestClient;
let analystStp: TestClient;
let clerk: TestClient;
let admin: TestClient;

async function deploy(xml: string, version: number) {
  const res = await (await ctx.t.login('analyst')).post('/api/definitions', xml, xmlHeaders);
  expect(res.status, await res.clone().text()).toBe(201);
  expect((await res.json()).definitions[0].version).toBe(version);
}

/** A raw start by an analyst, at the clerk's desk unless another unit is named. */
async function start(definitionKey: string, version = 1, unitId?: string): Promise<InstanceView> {
  const res = await rawStart(ctx.t, { definitionKey, version, unitId }, clerk);
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}

const instance = async (id: string): Promise<InstanceView> => (await clerk.get(`/api/instances/${id}`)).json();
const complete = (task: { id: string }) => clerk.post(`/api/tasks/${task.id}/complete`, {});
const migrate = (id: string, body: object, by = analyst) => by.post(`/api/instances/${id}/migrate`, body);
const row = async (id: string) =>
  (
    await db().execute<Record<string, unknown>[]>(
      'SELECT definition_id, definition_version, state, lock_version FROM process_instances WHERE id = ?',
      [id],
    )
  )[0];
const audits = async (id: string) =>
  (await db().execute<AuditRow[]>("SELECT summary FROM audit_log WHERE action = 'process.migrated' AND target_id = ?", [id])).map(
    rowSummary,
  );

/** Completes the open tasks one by one until the instance ends; returns the activities done. */
async function runToEnd(id: string): Promise<string[]> {
  const done: string[] = [];
  for (let i = 0; i < 10; i++) {
    const inst = await instance(id);
    if (inst.status !== 'running') break;
    for (const t of inst.openTasks) {
      expect((await complete(t)).status, t.activityId).toBe(204);
      done.push(t.activityId);
    }
  }
  expect((await instance(id)).status).toBe('completed');
  return done;
}

/**
 * The instance row as it is now, to hand later to the next command that loads it: that
 * command then acts as if it had read the instance before whatever commits meanwhile.
 */
async function readNow(id: string): Promise<{ replay(): void }> {
  const engine = ctx.t.platform.services.engine;
  const stale = await engine.loadInstance(db(), id);
  return {
    replay() {
      const load = engine.loadInstance;
      engine.loadInstance = async (em, wanted): Promise<InstanceRow> => {
        if (wanted !== id) return load.call(engine, em, wanted);
        engine.loadInstance = load;
        return stale;
      };
    },
  };
}

const STP_PASSWORD = 'Bac-Ninh-Analyst-2026';

/** Signs everyone in again (sessions expire when the clock jumps). */
async function signIn() {
  [analyst, clerk, admin, analystStp] = await Promise.all(
    ['analyst', 'clerk', 'admin'].map((u) => ctx.t.login(u)).concat(ctx.t.login('analyst-stp', STP_PASSWORD)),
  );
}

async function advance(ms: number) {
  ctx.t.clock.advance(ms);
  await signIn();
}

beforeAll(async () => {
  admin = await ctx.t.login('admin');
  // An analyst of Sở Tư pháp only: the demo's instances (desk Q1) are outside their units.
  const created = await admin.post('/api/users', {
    username: 'analyst-stp',
    displayName: 'Phân tích — Sở Tư pháp',
    unitId: 'DEMO.STP',
    password: STP_PASSWORD,
  });
  const user = (await created.json()).user;
  expect((await admin.post('/api/role-assignments', { userId: user.id, role: 'analyst', unitId: 'DEMO.STP' })).status).toBe(201);
  await signIn();
  await deploy(fixture('migrate-v1.bpmn'), 1);
  await deploy(fixture('migrate-v2.bpmn'), 2);
  await deploy(fixture('migrate-removed.bpmn'), 3);
  await deploy(fixture('migrate-renamed-id.bpmn'), 4);
});

describe('migrating one instance', () => {
  it('moves an instance waiting at a user task to v2, which renamed it and added a step; it runs to its end on v2', async () => {
    // Given an instance waiting at the review on v1
    const inst = await start('migrate-demo');
    const [task] = inst.openTasks;
    expect(task).toMatchObject({ activityId: 'review', name: 'Xem xét hồ sơ', formKey: null });
    const before = await row(inst.id);
    // When the analyst moves it to v2
    const res = await migrate(inst.id, { toVersion: 2 });
    expect(res.status, await res.clone().text()).toBe(200);
    // Then it is on v2, the same task shows v2's name and form, and the move is audited
    const moved = (await res.json()) as InstanceView;
    expect(moved.definitionVersion).toBe(2);
    expect(moved.openTasks).toMatchObject([
      { id: task.id, activityId: 'review', name: 'Xem xét, đối chiếu hồ sơ', formKey: 'form:review-v2' },
    ]);
    const after = await row(inst.id);
    expect(Number(after.lock_version)).toBe(Number(before.lock_version) + 1);
    expect(after.definition_id).not.toBe(before.definition_id);
    expect(await audits(inst.id)).toEqual([{ key: 'migrate-demo', fromVersion: 1, toVersion: 2, activityMap: {}, tasks: 1, jobs: 0 }]);
    // And it runs to its end through v2's new step
    expect(await runToEnd(inst.id)).toEqual(['review', 'sign', 'approve']);
    expect((await instance(inst.id)).history.map((h) => h.activityId)).toEqual(['received', 'review', 'sign', 'approve', 'done']);
  });

  it('refuses a version without the waiting task, naming it, and changes nothing', async () => {
    // Given an instance waiting at the review on v1
    const inst = await start('migrate-demo');
    const before = await row(inst.id);
    // When it is asked to move to v3, which has no review
    const res = await migrate(inst.id, { toVersion: 3 });
    // Then 422 names the review
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.code).toBe('process.migration_refused');
    expect(body.detail).toContain('"review"');
    expect(body.activities).toEqual([{ activityId: 'review', reason: 'no activity "review" in v3' }]);
    // And nothing changed: still v1, same state and lock, task still open, no audit
    expect(await row(inst.id)).toEqual(before);
    const still = await instance(inst.id);
    expect(still.definitionVersion).toBe(1);
    expect(still.openTasks).toMatchObject([{ activityId: 'review', name: 'Xem xét hồ sơ' }]);
    expect(await audits(inst.id)).toEqual([]);
    // And completing it still works, on v1
    expect(await runToEnd(inst.id)).toEqual(['review', 'approve']);
  });

  it('follows an activityMap to a renamed activity id', async () => {
    const inst = await start('migrate-demo');
    // Without the map, v4 has no "review"
    const refused = await migrate(inst.id, { toVersion: 4 });
    expect(refused.status).toBe(422);
    expect((await refused.json()).activities.map((a: { activityId: string }) => a.activityId)).toEqual(['review']);
    // A map naming unknown activities, or an incompatible counterpart, is refused too
    const unknown = await migrate(inst.id, { toVersion: 4, activityMap: { nope: 'examine' } });
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).detail).toContain('"nope" is not an activity of v1');
    const wrongType = await (await migrate(inst.id, { toVersion: 4, activityMap: { review: 'done' } })).json();
    expect(wrongType.activities).toEqual([
      { activityId: 'review', reason: 'is a bpmn:UserTask, "done" (mapped) in v4 is a bpmn:EndEvent' },
    ]);
    expect((await instance(inst.id)).definitionVersion).toBe(1);
    // With {review: examine} it moves, the task now being "examine"
    const res = await migrate(inst.id, { toVersion: 4, activityMap: { review: 'examine' } });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await res.json()).openTasks).toMatchObject([{ activityId: 'examine', name: 'Thẩm tra hồ sơ' }]);
    expect((await audits(inst.id))[0]).toMatchObject({ fromVersion: 1, toVersion: 4, activityMap: { review: 'examine' } });
    expect(await runToEnd(inst.id)).toEqual(['examine', 'approve']);
    expect((await instance(inst.id)).history.map((h) => h.activityId)).toEqual(['received', 'examine', 'approve', 'done']);
  });

  it('keeps a waiting timer’s due time across migration, and the timer still fires', async () => {
    // Given an instance waiting at a 60-day timer on v1, and a v2 whose timer is 30 days
    await deploy(fixture('migrate-timer-v1.bpmn'), 1);
    await deploy(fixture('migrate-timer-v2.bpmn'), 2);
    const inst = await start('migrate-timer');
    const jobs = () =>
      db().execute<{ id: string; activity_id: string; definition_id: string; status: string; due_at: unknown }[]>(
        'SELECT * FROM jobs WHERE instance_id = ?',
        [inst.id],
      );
    const [job] = await jobs();
    // When it moves to v2
    const res = await migrate(inst.id, { toVersion: 2 });
    expect(res.status, await res.clone().text()).toBe(200);
    // Then the same job keeps its due time and now belongs to v2
    const [moved] = await jobs();
    expect(moved).toMatchObject({ id: job.id, activity_id: 'wait', status: 'pending' });
    expect(moved.definition_id).toBe((await row(inst.id)).definition_id);
    expect(toDate(moved.due_at).getTime()).toBe(toDate(job.due_at).getTime());
    expect(await audits(inst.id)).toMatchObject([{ jobs: 1, tasks: 0 }]);
    // And it does not fire at 31 days (v2's duration), but fires after 60, opening v2's task
    await advance(31 * DAY);
    await ctx.t.platform.services.jobs.runDue();
    expect((await jobs())[0].status).toBe('pending');
    await advance(30 * DAY);
    await ctx.t.platform.services.jobs.runDue();
    expect((await jobs())[0].status).toBe('done');
    expect((await instance(inst.id)).openTasks).toMatchObject([{ activityId: 'after', name: 'Xử lý sau hạn (bản 2)' }]);
    expect(await runToEnd(inst.id)).toEqual(['after']);
  });

  it('refuses a user without the permission or outside the instance’s unit', async () => {
    const inst = await start('migrate-demo');
    const denied = await migrate(inst.id, { toVersion: 2 }, clerk);
    expect(denied.status).toBe(403);
    expect((await denied.json()).code).toBe('auth.forbidden');
    const outside = await migrate(inst.id, { toVersion: 2 }, analystStp);
    expect(outside.status).toBe(404);
    expect((await outside.json()).code).toBe('process.instance_not_found');
    expect((await instance(inst.id)).definitionVersion).toBe(1);
    expect(await audits(inst.id)).toEqual([]);
  });
});

describe('migrating a version’s instances', () => {
  it('moves the compatible instances, reports the refused ones, and stays within the caller’s units', async () => {
    // Given a key whose v2 has no review, two instances at the review, one past it, and one in another unit
    await deploy(fixture('migrate-v1.bpmn').replaceAll('migrate-demo', 'migrate-batch'), 1);
    await deploy(fixture('migrate-removed.bpmn').replaceAll('migrate-demo', 'migrate-batch'), 2);
    const [x, y, z] = [await start('migrate-batch'), await start('migrate-batch'), await start('migrate-batch')];
    expect((await complete(z.openTasks[0])).status).toBe(204);
    const s = await start('migrate-batch', 1, 'DEMO.STP');
    // When an analyst of Sở Tư pháp migrates the version, Then only that unit's instance is tried
    const scoped = await analystStp.post('/api/definitions/migrate-batch/1/migrate', { toVersion: 2 });
    expect(scoped.status).toBe(200);
    expect(await scoped.json()).toMatchObject({ migrated: [], refused: [{ id: s.id, code: 'process.migration_refused' }] });
    // When the province analyst migrates it
    const res = await analyst.post('/api/definitions/migrate-batch/1/migrate', { toVersion: 2 });
    expect(res.status).toBe(200);
    const report = (await res.json()) as { migrated: string[]; refused: { id: string; reason: string }[] };
    // Then the instance past the review moved; the others are refused, naming the review
    expect(report.migrated).toEqual([z.id]);
    expect(report.refused.map((r) => r.id).sort()).toEqual([x.id, y.id, s.id].sort());
    for (const r of report.refused) expect(r.reason).toContain('"review" no activity "review" in v2');
    expect((await instance(z.id)).definitionVersion).toBe(2);
    expect((await instance(x.id)).definitionVersion).toBe(1);
    expect(await runToEnd(z.id)).toEqual(['approve']);
    expect(await runToEnd(x.id)).toEqual(['review', 'approve']);
    // And a map that does not fit the versions refuses the whole batch
    expect((await analyst.post('/api/definitions/migrate-batch/1/migrate', { toVersion: 2, activityMap: { review: 'nope' } })).status).toBe(
      422,
    );
    expect((await analyst.post('/api/definitions/migrate-batch/1/migrate', { toVersion: 9 })).status).toBe(404);
    expect((await clerk.post('/api/definitions/migrate-batch/1/migrate', { toVersion: 2 })).status).toBe(403);
  });
});

describe('migration racing a task completion', () => {
  it('a completion committed after the migration read the instance wins: the migration gets 409 and changes nothing', async () => {
    // Given a migration that has read the instance, When a completion commits first
    const inst = await start('migrate-demo');
    const migrationRead = await readNow(inst.id);
    expect((await complete(inst.openTasks[0])).status).toBe(204);
    const before = await row(inst.id);
    migrationRead.replay();
    // Then the migration answers 409 and writes nothing
    const res = await migrate(inst.id, { toVersion: 2 });
    expect(res.status).toBe(409);
    expect((await res.json()).code).toBe('conflict.stale');
    expect(await row(inst.id)).toEqual(before);
    expect(await audits(inst.id)).toEqual([]);
    expect(await runToEnd(inst.id)).toEqual(['approve']);
  });

  it('a migration committed after the completion read the instance wins: the completion gets 409, the task stays open', async () => {
    // Given a completion that has read the instance, When the migration commits first
    const inst = await start('migrate-demo');
    const [task] = inst.openTasks;
    const completionRead = await readNow(inst.id);
    expect((await migrate(inst.id, { toVersion: 2 })).status).toBe(200);
    const before = await row(inst.id);
    completionRead.replay();
    // Then the completion answers 409 and writes nothing; the task is open on v2 and can be completed
    const lost = await complete(task);
    expect(lost.status).toBe(409);
    expect((await lost.json()).code).toBe('conflict.stale');
    expect(await row(inst.id)).toEqual(before);
    expect((await instance(inst.id)).openTasks).toMatchObject([{ id: task.id, activityId: 'review', name: 'Xem xét, đối chiếu hồ sơ' }]);
    expect(await runToEnd(inst.id)).toEqual(['review', 'sign', 'approve']);
  });

  it('simultaneous migrate and complete: whichever commits first stands, a loser gets 409, and the instance stays consistent', async () => {
    for (let i = 0; i < 3; i++) {
      const inst = await start('migrate-demo');
      const [m, c] = await Promise.all([migrate(inst.id, { toVersion: 2 }), complete(inst.openTasks[0])]);
      expect([200, 409]).toContain(m.status);
      expect([204, 409]).toContain(c.status);
      expect(m.status === 200 || c.status === 204).toBe(true);
      const now = await instance(inst.id);
      expect(now.definitionVersion).toBe(m.status === 200 ? 2 : 1);
      const rest = await runToEnd(inst.id);
      expect(rest.at(-1)).toBe('approve');
    }
  });
});
