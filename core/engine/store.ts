import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../errors.ts';
import type { HistoryEvent } from './run-types.ts';
import type { FreshSubscription } from './commands.ts';
import type { InstanceRow, InstanceStatus, TaskRow } from './rows.ts';
import { sql } from '../db/sql.ts';

/**
 * The engine's SQL for what a command writes: instances, activity history and tasks (issue 14,
 * point 3). Writes of one command are batched: history rows and new tasks go in one multi-row
 * `INSERT … VALUES (…),(…)` each (the same on SQLite and PostgreSQL).
 */

/** Rows per multi-row INSERT: keeps the bound parameters far below SQLite's and PostgreSQL's limits. */
const CHUNK = 100;

/** One multi-row INSERT per chunk of rows. */
export async function insertRows(em: EntityManager, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  const one = `(${columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    await sql(em).run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => one).join(', ')}`, chunk.flat());
  }
}

export const instanceNotFound = (id: string) => new AppError('process.instance_not_found', `No process instance ${id}`);
export const taskNotFound = (id: string) => new AppError('task.not_found', `No task ${id}`);
const stale = () => new AppError('conflict.stale', 'The instance changed meanwhile: reload and retry');

export async function loadInstance(em: EntityManager, id: string): Promise<InstanceRow> {
  const [row] = await sql(em).all<InstanceRow>('SELECT * FROM process_instances WHERE id = ?', [id]);
  if (!row) throw instanceNotFound(id);
  return { ...row, definition_version: Number(row.definition_version), lock_version: Number(row.lock_version) };
}

export async function loadTask(em: EntityManager, id: string): Promise<TaskRow> {
  const [row] = await sql(em).all<TaskRow>('SELECT * FROM tasks WHERE id = ?', [id]);
  if (!row) throw taskNotFound(id);
  return row;
}

/** A new instance row (its state follows when its first command is persisted). */
export async function insertInstance(
  em: EntityManager,
  row: Omit<InstanceRow, 'state' | 'status' | 'lock_version' | 'started_by' | 'started_at' | 'ended_at' | 'updated_at'> & {
    by: string | null;
    now: Date;
  },
) {
  await insertRows(
    em,
    'process_instances',
    [
      'id',
      'definition_id',
      'definition_key',
      'definition_version',
      'business_key',
      'status',
      'unit_id',
      'unit_path',
      'state',
      'variables',
      'parent_id',
      'parent_activity_id',
      'parent_execution_id',
      'root_id',
      'started_by',
      'started_at',
      'updated_at',
      'lock_version',
      'routing',
    ],
    [
      [
        row.id,
        row.definition_id,
        row.definition_key,
        row.definition_version,
        row.business_key,
        'running',
        row.unit_id,
        row.unit_path,
        null,
        row.variables,
        row.parent_id ?? null,
        row.parent_activity_id ?? null,
        row.parent_execution_id ?? null,
        row.root_id ?? row.id,
        row.by,
        row.now,
        row.now,
        0,
        row.routing ?? null,
      ],
    ],
  );
}

/** Saves what a command left under optimistic locking: conflict.stale when another command came first. */
export async function saveInstance(
  em: EntityManager,
  instance: { id: string; lockVersion: number },
  saved: { state: object | null; variables: Record<string, unknown>; status: InstanceStatus; endedAt: Date | null; now: Date },
): Promise<void> {
  const res = await sql(em).run(
    `UPDATE process_instances SET state = ?, variables = ?, status = ?, ended_at = ?, updated_at = ?, lock_version = lock_version + 1
     WHERE id = ? AND lock_version = ?`,
    [
      saved.state ? JSON.stringify(saved.state) : null,
      JSON.stringify(saved.variables),
      saved.status,
      saved.endedAt,
      saved.now,
      instance.id,
      instance.lockVersion,
    ],
  );
  if (res.affectedRows !== 1) throw stale();
}

/** Activity history of one command: new activities in one INSERT, ended ones updated. `actorOf` names who completed an execution. */
export async function writeHistory(
  em: EntityManager,
  instanceId: string,
  history: HistoryEvent[],
  actorOf: (executionId: string) => string | null,
): Promise<void> {
  const started = history.filter((h) => h.startedAt);
  await insertRows(
    em,
    'activity_history',
    ['instance_id', 'activity_id', 'execution_id', 'name', 'type', 'started_at', 'ended_at', 'actor_id'],
    started.map((h) => [instanceId, h.activityId, h.executionId, h.name, h.type, h.startedAt, h.endedAt ?? null, actorOf(h.executionId)]),
  );
  // Rows that started in an earlier command end here: one UPDATE per (end time, actor), so the
  // executions a command ends together (a parallel join, a cancelled branch) cost one statement.
  const ends = new Map<string, { endedAt: Date; actor: string | null; executions: string[] }>();
  for (const h of history) {
    if (h.startedAt || !h.endedAt) continue;
    const actor = actorOf(h.executionId);
    const key = `${new Date(h.endedAt).getTime()}|${actor ?? ''}`;
    const group = ends.get(key) ?? { endedAt: h.endedAt, actor, executions: [] };
    group.executions.push(h.executionId);
    ends.set(key, group);
  }
  for (const { endedAt, actor, executions } of ends.values()) {
    await sql(em).run(
      `UPDATE activity_history SET ended_at = ?, actor_id = COALESCE(?, actor_id) WHERE instance_id = ? AND execution_id IN (${executions.map(() => '?').join(', ')})`,
      [endedAt, actor, instanceId, ...executions],
    );
  }
}

/** Closes tasks: one UPDATE per outcome (completed by one actor, or cancelled). */
export async function closeTasks(
  em: EntityManager,
  ids: string[],
  status: 'completed' | 'cancelled' | 'sent_back',
  by: string | null,
  now: Date,
) {
  if (!ids.length) return;
  await sql(em).run(`UPDATE tasks SET status = ?, completed_at = ?, completed_by = ? WHERE id IN (${ids.map(() => '?').join(', ')})`, [
    status,
    now,
    by,
    ...ids,
  ]);
}

/** A new open task, as `insertTasks` writes it. */
export type NewTask = Omit<TaskRow, 'status' | 'claimed_by' | 'created_at' | 'completed_at' | 'completed_by'> & { created_at: Date };

export async function insertTasks(em: EntityManager, tasks: NewTask[]): Promise<void> {
  await insertRows(
    em,
    'tasks',
    [
      'id',
      'instance_id',
      'definition_key',
      'activity_id',
      'execution_id',
      'name',
      'form_key',
      'assignee',
      'candidate_groups',
      'candidate_users',
      'unit_id',
      'unit_path',
      'due_at',
      'status',
      'created_at',
      'variables',
      'business_key',
    ],
    tasks.map((t) => [
      t.id,
      t.instance_id,
      t.definition_key,
      t.activity_id,
      t.execution_id,
      t.name,
      t.form_key,
      t.assignee,
      t.candidate_groups,
      t.candidate_users,
      t.unit_id,
      t.unit_path,
      t.due_at,
      'open',
      t.created_at,
      t.variables ?? null,
      t.business_key ?? null,
    ]),
  );
}

// The statements below run on the path of every command (start, completion, message, timer):
// raw because measured by `BENCH_SCALE=small BENCH_PARTS=sqlite npm run bench -- engine`. The
// engine's rarer paths (deploy, incidents, cancel, migration, call-activity bookkeeping, message
// buffering) go through the entity manager instead.

/** A row that ties something to one execution of the instance (a task, a job, a subscription). */
export interface ExecutionRow {
  id: string;
  execution_id: string;
  status: string | null;
}

/** An open task as the command reads it: with what its events carry (activity, name, unit). */
export type OpenTaskRow = ExecutionRow & Pick<TaskRow, 'activity_id' | 'name' | 'unit_id'>;

/**
 * What a command reconciles after the engine ran: the open user tasks, the timer and service
 * jobs, the open incidents whose job failed (the instance is `incident` while there is one), and
 * the message subscriptions of the instance.
 */
export interface InstanceRows {
  openTasks: OpenTaskRow[];
  timerJobs: ExecutionRow[];
  serviceJobs: ExecutionRow[];
  failedIncidents: { job_id: string; execution_id: string | null }[];
  subscriptions: ExecutionRow[];
}

// One statement instead of five: every command on an instance reads all of these, and on
// PostgreSQL each statement is a round trip.
const INSTANCE_ROWS = `SELECT 'task' AS kind, id, execution_id, status, activity_id, name, unit_id FROM tasks WHERE instance_id = ? AND status = 'open'
UNION ALL SELECT kind, id, execution_id, status, NULL, NULL, NULL FROM jobs WHERE instance_id = ? AND kind IN ('timer', 'service')
UNION ALL SELECT 'incident', i.job_id, j.execution_id, j.status, NULL, NULL, NULL FROM incidents i JOIN jobs j ON j.id = i.job_id WHERE i.instance_id = ? AND i.resolved_at IS NULL AND j.status = 'failed'
UNION ALL SELECT 'subscription', id, execution_id, NULL, NULL, NULL, NULL FROM message_subscriptions WHERE instance_id = ?`;

/** Reads them in the command's transaction, before anything is written. */
export async function loadInstanceRows(em: EntityManager, instanceId: string): Promise<InstanceRows> {
  const rows = await sql(em).all<OpenTaskRow & { kind: string }>(INSTANCE_ROWS, [instanceId, instanceId, instanceId, instanceId]);
  const out: InstanceRows = { openTasks: [], timerJobs: [], serviceJobs: [], failedIncidents: [], subscriptions: [] };
  const incidentJobs = new Set<string>();
  for (const { kind, activity_id, name, unit_id, ...r } of rows) {
    if (kind === 'task') out.openTasks.push({ ...r, activity_id, name, unit_id });
    else if (kind === 'timer') out.timerJobs.push(r);
    else if (kind === 'service') out.serviceJobs.push(r);
    else if (kind === 'subscription') out.subscriptions.push(r);
    else if (kind === 'incident' && !incidentJobs.has(r.id)) {
      incidentJobs.add(r.id);
      out.failedIncidents.push({ job_id: r.id, execution_id: r.execution_id });
    }
  }
  return out;
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** Deletes jobs by id (timer and service jobs whose activity stopped waiting): one statement. */
export async function deleteJobs(em: EntityManager, ids: string[]): Promise<void> {
  if (ids.length) await sql(em).run(`DELETE FROM jobs WHERE id IN (${placeholders(ids.length)})`, ids);
}

/** A pending job of an instance, as `insertJobs` writes it. */
export interface NewJob {
  kind: 'timer' | 'service';
  instanceId: string;
  definitionId: string;
  activityId: string;
  executionId: string;
  dueAt: Date;
  payload: Record<string, unknown>;
}

/** The new timer or service jobs of one command, pending, in one multi-row INSERT. */
export async function insertJobs(em: EntityManager, jobs: NewJob[], now: Date): Promise<void> {
  await insertRows(
    em,
    'jobs',
    ['id', 'kind', 'instance_id', 'definition_id', 'activity_id', 'execution_id', 'due_at', 'status', 'attempts', 'payload', 'created_at'],
    jobs.map((j) => [
      crypto.randomUUID(),
      j.kind,
      j.instanceId,
      j.definitionId,
      j.activityId,
      j.executionId,
      j.dueAt,
      'pending',
      0,
      JSON.stringify(j.payload),
      now,
    ]),
  );
}

/** PostgreSQL: locks the instance for a job's command, or answers false when a command holds it (lock order job → instance). */
export async function lockInstanceOrSkip(em: EntityManager, id: string | null): Promise<boolean> {
  const locked = await sql(em).all('SELECT id FROM process_instances WHERE id = ? FOR UPDATE SKIP LOCKED', [id]);
  return locked.length > 0;
}

/** Deletes message subscriptions by id (their activity stopped waiting): one statement. */
export async function deleteSubscriptions(em: EntityManager, ids: string[]): Promise<void> {
  if (ids.length) await sql(em).run(`DELETE FROM message_subscriptions WHERE id IN (${placeholders(ids.length)})`, ids);
}

/** SQL literal for a boolean column, the same on SQLite and PostgreSQL. */
const sqlBool = (b: boolean) => (b ? 'TRUE' : 'FALSE');

/** The new message subscriptions of one command, in one multi-row INSERT. */
export async function insertSubscriptions(em: EntityManager, subs: FreshSubscription[], now: Date): Promise<void> {
  for (let i = 0; i < subs.length; i += CHUNK) {
    const chunk = subs.slice(i, i + CHUNK);
    await sql(em).run(
      `INSERT INTO message_subscriptions (id, instance_id, execution_id, activity_id, message_name, correlation_key, unit_path, external, created_at)
       VALUES ${chunk.map((s) => `(?, ?, ?, ?, ?, ?, ?, ${sqlBool(s.external)}, ?)`).join(', ')}`,
      chunk.flatMap((s) => [s.id, s.instance_id, s.execution_id, s.activity_id, s.name, s.key, s.unit_path, now]),
    );
  }
}

/** The unit a step names (`motcua:unit`: its code or id), read for every new task that names one. */
export async function unitByCodeOrId(em: EntityManager, code: string): Promise<{ id: string; path: string } | undefined> {
  const [u] = await sql(em).all<{ id: string; path: string }>('SELECT id, path FROM units WHERE code = ? OR id = ?', [code, code]);
  return u;
}

/** The id of a definition by key and version (the latest without one): read by every start by key. */
export async function definitionIdOf(em: EntityManager, key: string, version?: number | null): Promise<string | undefined> {
  const [row] = await sql(em).all<{ id: string }>(
    version
      ? 'SELECT id FROM process_definitions WHERE key = ? AND version = ?'
      : 'SELECT id FROM process_definitions WHERE key = ? ORDER BY version DESC LIMIT 1',
    version ? [key, version] : [key],
  );
  return row?.id;
}
