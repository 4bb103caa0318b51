// Issue 3, durability: a server process is killed (SIGKILL) in the middle of 300 concurrent task
// completions, then restarted on the same database. Every completion the server acknowledged
// (204) must be stored, no command may be half-applied, and every instance must run to its end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { core } from '../core/modules/index.ts';
import { openDatabase } from '../core/db/database.ts';
import { createTestDatabase, testDialect, type TestDatabase } from './support/platform.ts';
import { ServerProcess } from './support/server-process.ts';

const dialect = testDialect();
const XML = readFileSync(new URL('./fixtures/three-tasks.bpmn', import.meta.url), 'utf8');
const KEY = 'crash-three';
const STEPS = ['tiep_nhan', 'tham_dinh', 'tra_ket_qua'];

const INSTANCES = 100;
const COMPLETIONS = INSTANCES * STEPS.length; // 300
const CONCURRENCY = 24;
const KILL_AFTER_ACKS = 150;

interface Task {
  id: string;
  instanceId: string;
  activityId: string;
}
interface InstanceView {
  id: string;
  status: string;
  history: { activityId: string; executionId: string; type: string; endedAt: string | null }[];
  openTasks: Task[];
}
interface TaskRow {
  id: string;
  instance_id: string;
  activity_id: string;
  execution_id: string;
  status: string;
  completed_at: unknown;
  completed_by: string | null;
}
interface HistoryRow {
  instance_id: string;
  activity_id: string;
  execution_id: string;
  type: string;
  ended_at: unknown;
}
interface InstanceRow {
  id: string;
  status: string;
  state: string | null;
  lock_version: number | string;
  ended_at: unknown;
}

/** Reads the stored rows from outside the server (the server is down, or on PostgreSQL may run). */
async function snapshot(db: TestDatabase) {
  const conn = await openDatabase(
    { dialect: db.dialect, database: db.database, logLevel: 'silent' },
    { entities: core.entities, migrations: core.migrations },
  );
  try {
    const em = conn.em();
    const instances = await em.execute<InstanceRow[]>('SELECT id, status, state, lock_version, ended_at FROM process_instances');
    const tasks = await em.execute<TaskRow[]>(
      'SELECT id, instance_id, activity_id, execution_id, status, completed_at, completed_by FROM tasks',
    );
    const history = await em.execute<HistoryRow[]>(
      'SELECT instance_id, activity_id, execution_id, type, ended_at FROM activity_history ORDER BY id',
    );
    const audited = await em.execute<{ target_id: string }[]>("SELECT target_id FROM audit_log WHERE action = 'task.completed'");
    return { instances, tasks, history, completedAudit: audited.map((a) => a.target_id) };
  } finally {
    await conn.close();
  }
}

function groupBy<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

/**
 * What a linear three-task instance must look like after any number of whole commands:
 * c tasks completed in diagram order, then exactly one open task (or none once completed),
 * one history row per reached activity, all ended except the open task's, lock_version 1 + c.
 * Returns the problems found (empty when consistent).
 */
function checkInstance(inst: InstanceRow, tasks: TaskRow[], history: HistoryRow[]): string[] {
  const problems: string[] = [];
  const p = (s: string) => problems.push(`${inst.id}: ${s}`);
  const completed = tasks.filter((t) => t.status === 'completed');
  const open = tasks.filter((t) => t.status === 'open');
  const other = tasks.filter((t) => t.status !== 'completed' && t.status !== 'open');
  const c = completed.length;
  if (other.length) p(`unexpected task statuses ${other.map((t) => t.status).join(',')}`);
  if (new Set(tasks.map((t) => t.execution_id)).size !== tasks.length) p('two task rows for one execution');
  if (new Set(tasks.map((t) => t.activity_id)).size !== tasks.length) p('two task rows for one activity');
  const expectedActivities = STEPS.slice(0, c).sort();
  if (JSON.stringify(completed.map((t) => t.activity_id).sort()) !== JSON.stringify(expectedActivities))
    p(`completed ${completed.map((t) => t.activity_id)} out of order`);
  for (const t of completed) if (!t.completed_at || !t.completed_by) p(`completed task ${t.id} without completed_at/by`);
  if (Number(inst.lock_version) !== 1 + c) p(`lock_version ${inst.lock_version}, expected ${1 + c} after ${c} completions`);

  const byExec = groupBy(history, (h) => h.execution_id);
  for (const [exec, rows] of byExec) if (rows.length > 1) p(`${rows.length} history rows for execution ${exec}`);
  const userHistory = history.filter((h) => STEPS.includes(h.activity_id));
  const starts = history.filter((h) => h.activity_id === 'start');
  const ends = history.filter((h) => h.activity_id === 'end');
  if (starts.length !== 1 || !starts[0].ended_at) p('start event not recorded once and ended');
  for (const t of completed) {
    const h = byExec.get(t.execution_id)?.[0];
    if (!h || !h.ended_at) p(`completed task ${t.activity_id} has no ended history row`);
  }

  if (inst.status === 'completed') {
    if (c !== STEPS.length || open.length) p(`completed with ${c} completed and ${open.length} open tasks`);
    if (inst.state !== null) p('completed instance still has an engine state');
    if (!inst.ended_at) p('completed instance without ended_at');
    if (ends.length !== 1 || !ends[0].ended_at) p('end event not recorded once and ended');
    if (userHistory.length !== STEPS.length) p(`${userHistory.length} user-task history rows`);
    if (history.some((h) => !h.ended_at)) p('open history row on a completed instance');
  } else if (inst.status === 'running') {
    if (open.length !== 1) p(`${open.length} open tasks while running`);
    else {
      const o = open[0];
      if (o.activity_id !== STEPS[c]) p(`open task ${o.activity_id}, expected ${STEPS[c]} after ${c} completions`);
      const unended = history.filter((h) => !h.ended_at);
      if (unended.length !== 1 || unended[0].execution_id !== o.execution_id)
        p(`unended history ${unended.map((h) => h.activity_id)} instead of the open task only`);
      if (!inst.state || !inst.state.includes(o.execution_id)) p("the engine state does not hold the open task's execution");
    }
    if (ends.length) p('end event recorded on a running instance');
    if (userHistory.length !== c + 1) p(`${userHistory.length} user-task history rows, expected ${c + 1}`);
    if (inst.ended_at) p('running instance with ended_at');
  } else p(`status ${inst.status}`);
  return problems;
}

function checkAll(snap: Awaited<ReturnType<typeof snapshot>>): string[] {
  const tasksBy = groupBy(snap.tasks, (t) => t.instance_id);
  const historyBy = groupBy(snap.history, (h) => h.instance_id);
  const problems = snap.instances.flatMap((i) => checkInstance(i, tasksBy.get(i.id) ?? [], historyBy.get(i.id) ?? []));
  // Audit is written in the same transaction as the completion: one record per completed task.
  const completedIds = snap.tasks
    .filter((t) => t.status === 'completed')
    .map((t) => t.id)
    .sort();
  if (JSON.stringify([...snap.completedAudit].sort()) !== JSON.stringify(completedIds))
    problems.push('task.completed audit records differ from the completed task rows');
  return problems;
}

/** Runs `work` over the queue with at most `concurrency` in flight until the queue is empty or `stop()` says so. */
async function drain<T>(queue: T[], concurrency: number, stop: () => boolean, work: (item: T) => Promise<void>): Promise<void> {
  const worker = async () => {
    while (!stop()) {
      const item = queue.shift();
      if (item === undefined) return;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

describe(`crash and restart under load (${dialect})`, () => {
  let db: TestDatabase | undefined;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await server?.kill();
    await db?.drop();
  });

  it(
    'keeps every acknowledged completion, applies nothing by halves, and every instance runs to its end',
    { timeout: 90_000 },
    async () => {
      server = await ServerProcess.start(db!, { maxSockets: 2 * CONCURRENCY + 8 });
      await server.signInAdmin();
      const deployed = await server.request('POST', '/api/definitions', XML);
      expect(deployed.status, deployed.text).toBe(201);
      const instanceIds: string[] = [];
      const startQueue = Array.from({ length: INSTANCES }, (_, i) => i);
      await drain(
        startQueue,
        8,
        () => false,
        async (i) => {
          const res = await server!.request('POST', '/api/instances', { definitionKey: KEY, businessKey: `crash-${i}` });
          expect(res.status, res.text).toBe(201);
          instanceIds.push((res.json as { id: string }).id);
        },
      );
      const listed = await server.request('GET', `/api/tasks?limit=500&definitionKey=${KEY}`);
      expect(listed.status).toBe(200);
      const firstTasks = listed.json as Task[];
      expect(firstTasks).toHaveLength(INSTANCES);

      // 300 completions, 24 in flight at a time: each instance's next task is looked up (beside
      // the 24) once its previous completion was acknowledged. SIGKILL as soon as 150 are acknowledged.
      const crashed = server;
      const acked = new Map<string, Task>(); // task id → task, answered 204
      const inFlight = new Map<string, Task>(); // sent, no answer when the server died
      const refused: string[] = [];
      let killed: Promise<void> | null = null;
      let attempted = 0;
      let lookups = 0;
      const queue: Task[] = [...firstTasks];
      const lookUpNext = async (instanceId: string) => {
        lookups++;
        try {
          const view = await crashed.request('GET', `/api/instances/${instanceId}`).catch(() => null);
          const next = view?.status === 200 ? (view.json as InstanceView).openTasks[0] : undefined;
          if (next && !killed) queue.push(next);
        } finally {
          lookups--;
        }
      };
      const completer = async () => {
        while (!killed) {
          const task = queue.shift();
          if (!task) {
            if (!lookups) return;
            await new Promise((r) => setTimeout(r, 2));
            continue;
          }
          attempted++;
          inFlight.set(task.id, task);
          let status: number;
          try {
            status = (await crashed.request('POST', `/api/tasks/${task.id}/complete`, { variables: { step: task.activityId } })).status;
          } catch (e) {
            if (killed) return; // the connection died with the server: unknown outcome, stays in flight
            throw e;
          }
          inFlight.delete(task.id);
          if (status !== 204) refused.push(`${task.id}: ${status}`);
          else {
            acked.set(task.id, task);
            if (acked.size >= KILL_AFTER_ACKS && !killed) killed = crashed.kill();
            else if (!killed) void lookUpNext(task.instanceId);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, completer));
      await killed;
      expect(refused).toEqual([]);
      expect(killed, 'the run ended before the kill').not.toBeNull();
      expect(attempted).toBeLessThan(COMPLETIONS);
      console.log(
        `[crash ${dialect}] acknowledged ${acked.size}, in flight at the kill ${inFlight.size}, attempted ${attempted} of ${COMPLETIONS}`,
      );

      // What is on disk after the crash (before any restart): every acknowledged completion is
      // stored, and every instance is in a state some sequence of whole commands leads to.
      const after = await snapshot(db!);
      expect(after.instances).toHaveLength(INSTANCES);
      const tasksById = new Map(after.tasks.map((t) => [t.id, t]));
      const historyByExec = new Map(after.history.map((h) => [`${h.instance_id}/${h.execution_id}`, h]));
      const lost = [...acked.keys()].filter((id) => {
        const row = tasksById.get(id);
        return !row || row.status !== 'completed' || !historyByExec.get(`${row.instance_id}/${row.execution_id}`)?.ended_at;
      });
      expect(lost, 'acknowledged completions missing after the crash').toEqual([]);
      expect(checkAll(after)).toEqual([]);
      const completedAfterCrash = after.tasks.filter((t) => t.status === 'completed').length;
      const inFlightApplied = [...inFlight.keys()].filter((id) => tasksById.get(id)?.status === 'completed').length;
      console.log(
        `[crash ${dialect}] stored completions ${completedAfterCrash} (= ${acked.size} acknowledged + ${inFlightApplied} of ${inFlight.size} in flight)`,
      );
      expect(completedAfterCrash).toBe(acked.size + inFlightApplied);

      // Restart on the same database and drive every instance to its end through the API.
      server = await ServerProcess.start(db!, { maxSockets: CONCURRENCY + 4 });
      await server.signInAdmin();
      const restarted = server;
      const remaining = [...instanceIds];
      let driven = 0;
      await drain(
        remaining,
        CONCURRENCY,
        () => false,
        async (id) => {
          for (let guard = 0; guard <= STEPS.length; guard++) {
            const res = await restarted.request('GET', `/api/instances/${id}`);
            expect(res.status, res.text).toBe(200);
            const view = res.json as InstanceView;
            if (view.status === 'completed') {
              expect(view.openTasks).toEqual([]);
              expect(view.history.every((h) => h.endedAt)).toBe(true);
              return;
            }
            expect(view.status).toBe('running');
            expect(view.openTasks).toHaveLength(1);
            const done = await restarted.request('POST', `/api/tasks/${view.openTasks[0].id}/complete`, {});
            expect(done.status, done.text).toBe(204);
            driven++;
          }
          throw new Error(`instance ${id} did not complete within ${STEPS.length} completions`);
        },
      );
      expect(completedAfterCrash + driven).toBe(COMPLETIONS);
      const open = await restarted.request('GET', `/api/tasks?limit=500&definitionKey=${KEY}`);
      expect(open.json).toEqual([]);
      await restarted.stop();
      server = undefined;

      const final = await snapshot(db!);
      expect(final.instances.every((i) => i.status === 'completed')).toBe(true);
      expect(final.tasks.filter((t) => t.status === 'completed')).toHaveLength(COMPLETIONS);
      expect(checkAll(final)).toEqual([]);
    },
  );
});
