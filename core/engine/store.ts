import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../errors.ts';
import type { HistoryEvent } from './run-types.ts';
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
  row: Omit<InstanceRow, 'state' | 'status' | 'lock_version'> & { by: string | null; now: Date },
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
  for (const h of history)
    if (!h.startedAt && h.endedAt)
      await sql(em).run(
        'UPDATE activity_history SET ended_at = ?, actor_id = COALESCE(?, actor_id) WHERE instance_id = ? AND execution_id = ?',
        [h.endedAt, actorOf(h.executionId), instanceId, h.executionId],
      );
}

/** Closes tasks: one UPDATE per outcome (completed by one actor, or cancelled). */
export async function closeTasks(em: EntityManager, ids: string[], status: 'completed' | 'cancelled', by: string | null, now: Date) {
  if (!ids.length) return;
  await sql(em).run(`UPDATE tasks SET status = ?, completed_at = ?, completed_by = ? WHERE id IN (${ids.map(() => '?').join(', ')})`, [
    status,
    now,
    by,
    ...ids,
  ]);
}

/** A new open task, as `insertTasks` writes it. */
export type NewTask = Omit<TaskRow, 'status' | 'claimed_by' | 'created_at'> & { created_at: Date };

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
    ]),
  );
}
