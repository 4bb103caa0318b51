import type { EntityManager } from '@mikro-orm/knex';
import type { User } from '../auth/entities.ts';
import type { Authz } from '../org/authz.ts';
import type { PermissionRegistry } from '../org/roles.ts';
import type { InstanceRow, TaskRow } from './runtime.ts';
import { sql as execSql } from '../db/sql.ts';
import { beforeWorkdayEnd } from './band.ts';
import type { WorkdayEnds } from './calendar.ts';

/**
 * The engine's read models: the queries behind its GET answers and the rows its application
 * services select (task-service.ts, instance-service.ts, incident-service.ts), and the views
 * that turn rows into response bodies. Nothing here writes.
 */

/** Dates come back as Date (PostgreSQL) or epoch milliseconds (SQLite). */
export function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  const n = typeof value === 'number' ? value : /^\d+$/.test(String(value)) ? Number(value) : NaN;
  return new Date(Number.isNaN(n) ? String(value) : n).toISOString();
}

const split = (s: string) => s.split(',').filter(Boolean);

export function taskView(t: TaskRow) {
  return {
    id: t.id,
    instanceId: t.instance_id,
    definitionKey: t.definition_key,
    activityId: t.activity_id,
    name: t.name,
    formKey: t.form_key,
    assignee: t.assignee,
    candidateGroups: split(t.candidate_groups),
    candidateUsers: split(t.candidate_users),
    unitId: t.unit_id,
    businessKey: t.business_key ?? null,
    dueAt: iso(t.due_at),
    status: t.status,
    claimedBy: t.claimed_by,
    createdAt: iso(t.created_at)!,
    /** Its input parameters (camunda:inputOutput), evaluated when it started. */
    variables: t.variables ? (JSON.parse(t.variables) as Record<string, unknown>) : {},
  };
}

export async function instanceView(
  em: EntityManager,
  row: InstanceRow & { started_at?: unknown; ended_at?: unknown; started_by?: string | null },
) {
  const history = await execSql(em).all<{
    activity_id: string;
    execution_id: string;
    name: string | null;
    type: string;
    started_at: unknown;
    ended_at: unknown;
    actor_id: string | null;
  }>('SELECT * FROM activity_history WHERE instance_id = ? ORDER BY id', [row.id]);
  const tasks = await execSql(em).all<TaskRow>("SELECT * FROM tasks WHERE instance_id = ? AND status = 'open' ORDER BY created_at", [
    row.id,
  ]);
  const children = await execSql(em).all<{
    id: string;
    definition_key: string;
    definition_version: number | string;
    status: InstanceRow['status'];
    parent_activity_id: string | null;
    started_at: unknown;
    ended_at: unknown;
  }>(
    'SELECT id, definition_key, definition_version, status, parent_activity_id, started_at, ended_at FROM process_instances WHERE parent_id = ? ORDER BY started_at, id',
    [row.id],
  );
  const received = await execSql(em).all<{
    name: string;
    message_id: string;
    origin: string;
    sent_by: string | null;
    activity_id: string | null;
    correlated_at: unknown;
  }>(
    "SELECT name, message_id, origin, sent_by, activity_id, correlated_at FROM messages WHERE instance_id = ? AND status = 'correlated' ORDER BY correlated_at, id",
    [row.id],
  );
  return {
    id: row.id,
    definitionKey: row.definition_key,
    definitionVersion: Number(row.definition_version),
    businessKey: row.business_key,
    status: row.status,
    unitId: row.unit_id,
    variables: JSON.parse(row.variables) as Record<string, unknown>,
    startedAt: iso(row.started_at)!,
    endedAt: iso(row.ended_at),
    startedBy: row.started_by ?? null,
    history: history.map((h) => ({
      activityId: h.activity_id,
      executionId: h.execution_id,
      name: h.name,
      type: h.type,
      startedAt: iso(h.started_at)!,
      endedAt: iso(h.ended_at),
      actorId: h.actor_id,
    })),
    /** Messages this instance received (or was started by): who sent each, and whether through the API or from a process. */
    messages: received.map((m) => ({
      name: m.name,
      messageId: m.message_id,
      origin: m.origin as 'api' | 'process',
      sentBy: m.sent_by,
      activityId: m.activity_id,
      receivedAt: iso(m.correlated_at),
    })),
    openTasks: tasks.map(taskView),
    parent: row.parent_id
      ? { id: row.parent_id, activityId: row.parent_activity_id ?? null, executionId: row.parent_execution_id ?? null }
      : null,
    rootId: row.root_id ?? row.id,
    children: children.map((c) => ({
      id: c.id,
      definitionKey: c.definition_key,
      definitionVersion: Number(c.definition_version),
      status: c.status,
      activityId: c.parent_activity_id,
      startedAt: iso(c.started_at)!,
      endedAt: iso(c.ended_at),
    })),
  };
}

/** Filters of GET /api/tasks. */
export interface TaskQuery {
  /** mine: assigned to or claimed by the user; candidate: open to their roles, unclaimed; all: both. */
  filter: 'mine' | 'candidate' | 'all';
  /** overdue: due before now; due_today: due from now to the end of today's working day of the task's unit. */
  view?: TaskView;
  /** due (default): soonest due first, no due time last, then oldest; created: oldest first. */
  sort?: TaskSort;
  /** Start after this task of the same list (a decoded `cursor`, inbox-cursor.ts). */
  after?: TaskPosition;
  instanceId?: string;
  definitionKey?: string;
  /** The instances' business key: a dossier's code. */
  businessKey?: string;
  dueBefore?: string;
  limit: number;
}

export type TaskView = 'overdue' | 'due_today';
export type TaskSort = 'due' | 'created';

/** Where a task stands in the inbox's order: its due time (epoch ms, null: none), creation (epoch ms) and id. */
export interface TaskPosition {
  due: number | null;
  created: number;
  id: string;
}

/** What a view needs of the moment: now, and the end of today's working day per unit (Calendar.workdayEnds). */
export interface ViewClock {
  now: Date;
  ends: WorkdayEnds;
}

/** The inbox's orders: soonest due first (no due date last), then oldest, or oldest first; the id breaks ties. */
const ORDER: Record<TaskSort, string> = {
  due: 't.due_at IS NULL, t.due_at, t.created_at, t.id',
  created: 't.created_at, t.id',
};

/** After `p` in the order of `sort`, as one condition (keyset paging: no offset, no row read twice). */
function afterPosition(sort: TaskSort, p: TaskPosition): { sql: string; params: unknown[] } {
  const created = new Date(p.created);
  const tail = { sql: '(t.created_at > ? OR (t.created_at = ? AND t.id > ?))', params: [created, created, p.id] as unknown[] };
  if (sort === 'created') return tail;
  if (p.due === null) return { sql: `(t.due_at IS NULL AND ${tail.sql})`, params: tail.params };
  const due = new Date(p.due);
  return { sql: `(t.due_at IS NULL OR t.due_at > ? OR (t.due_at = ? AND ${tail.sql}))`, params: [due, due, ...tail.params] };
}

/** A task's place in the order (for the next page's cursor). */
export function positionOf(t: Pick<TaskRow, 'id' | 'due_at' | 'created_at'>): TaskPosition {
  const due = iso(t.due_at);
  return { due: due === null ? null : Date.parse(due), created: Date.parse(iso(t.created_at)!), id: t.id };
}
/**
 * A unit's subtree as a range of paths: `[path, path with its last character raised)`. Correct
 * under code-point order, which both databases use for `tasks.unit_path` (SQLite's BINARY,
 * PostgreSQL's `COLLATE "C"` since migration core_0026), whatever the database's collation.
 */
export function subtreeRange(path: string): [string, string] {
  return [path, path.slice(0, -1) + String.fromCharCode(path.charCodeAt(path.length - 1) + 1)];
}

/**
 * The ways a task can be the user's, one SQL condition each, so that each reads an index
 * (migration core_0026): together they select exactly what `workableTasksSql` (entitlement.ts)
 * selects, as separate branches instead of one OR that no index serves.
 *   assigned to them                  tasks(assignee)
 *   naming them as a candidate user   tasks(status, candidate_users), the non-empty lists only
 *   per unit they hold roles in       tasks(status, unit_path), the unit's subtree as a range:
 *     a candidate group among those roles, or nobody named and a role with `task.work`;
 *     a root unit's grant also reaches the tasks of no unit (`unit_path IS NULL`).
 */
export function workableTaskBranches(
  user: Pick<User, 'id' | 'username'>,
  authz: Authz,
  permissions: PermissionRegistry,
): { sql: string; params: unknown[] }[] {
  const branches = [
    { sql: 't.assignee IN (?, ?)', params: [user.username, user.id] as unknown[] },
    { sql: "t.candidate_users > '' AND t.assignee IS NULL AND t.candidate_users LIKE ?", params: [`%,${user.username},%`] as unknown[] },
  ];
  // One branch per unit: the roles held there share its range.
  const byPath = new Map<string, string[]>();
  for (const g of authz.grants) byPath.set(g.unitPath, [...(byPath.get(g.unitPath) ?? []), g.role]);
  for (const [path, roles] of byPath) {
    const who = roles.map(() => 't.candidate_groups LIKE ?');
    const params: unknown[] = roles.map((r) => `%,${r},%`);
    if (roles.some((r) => permissions.roleGrants(r, 'task.work'))) who.push("(t.candidate_groups = '' AND t.candidate_users = '')");
    const cond = `t.assignee IS NULL AND (${who.join(' OR ')})`;
    branches.push({ sql: `t.unit_path >= ? AND t.unit_path < ? AND ${cond}`, params: [...subtreeRange(path), ...params] });
    if (path.split('/').filter(Boolean).length === 1) branches.push({ sql: `t.unit_path IS NULL AND ${cond}`, params });
  }
  return branches;
}

/**
 * The statement of GET /api/tasks: each branch (one way a task can be the user's, see
 * `workableTaskBranches`; for `mine`, claimed by them or assigned to them) with the filters,
 * sorted and limited on its own, then the union of their ids sorted and limited. Each branch
 * reads its index and at most `limit` rows leave it, instead of every open task being read and
 * sorted. A view, a sort and a page's start are conditions of every branch, so this holds for
 * them too. `count`: the number of such tasks instead (the union of the branches' ids, unsorted).
 */
export function workableTasksStatement(
  user: Pick<User, 'id' | 'username'>,
  authz: Authz,
  permissions: PermissionRegistry,
  q: TaskQuery,
  at?: ViewClock,
  count = false,
): { sql: string; params: unknown[] } {
  const branches =
    q.filter === 'mine'
      ? [
          { sql: 't.claimed_by = ?', params: [user.id] as unknown[] },
          { sql: 't.assignee IN (?, ?)', params: [user.username, user.id] as unknown[] },
        ]
      : workableTaskBranches(user, authz, permissions);
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (c: { sql: string; params: unknown[] }) => {
    where.push(c.sql);
    params.push(...c.params);
  };
  if (q.filter === 'candidate') where.push('t.claimed_by IS NULL');
  if (q.filter === 'all') add({ sql: '(t.claimed_by IS NULL OR t.claimed_by = ?)', params: [user.id] });
  if (q.instanceId) add({ sql: 't.instance_id = ?', params: [q.instanceId] });
  if (q.definitionKey) add({ sql: 't.definition_key = ?', params: [q.definitionKey] });
  if (q.businessKey) add({ sql: 't.business_key = ?', params: [q.businessKey] });
  if (q.dueBefore) add({ sql: 't.due_at < ?', params: [new Date(q.dueBefore)] });
  if (q.view) {
    if (!at) throw new Error('A view of the inbox needs the time');
    if (q.view === 'overdue') add({ sql: 't.due_at < ?', params: [at.now] });
    else {
      add({ sql: 't.due_at >= ?', params: [at.now] });
      add(beforeWorkdayEnd(at.ends, 't.due_at', 't.unit_path'));
    }
  }
  const sort = q.sort ?? 'due';
  if (q.after) add(afterPosition(sort, q.after));
  const all: unknown[] = [];
  const parts = branches.map((b, i) => {
    const cond = ["t.status = 'open'", b.sql, ...where].join(' AND ');
    all.push(...b.params, ...params);
    if (count) return `SELECT t.id FROM tasks t WHERE ${cond}`;
    all.push(q.limit);
    return `SELECT b${i}.id FROM (SELECT t.id FROM tasks t WHERE ${cond} ORDER BY ${ORDER[sort]} LIMIT ?) b${i}`;
  });
  if (count) return { sql: `SELECT COUNT(*) AS n FROM (${parts.join(' UNION ')}) u`, params: all };
  all.push(q.limit);
  return { sql: `SELECT t.* FROM tasks t WHERE t.id IN (${parts.join(' UNION ')}) ORDER BY ${ORDER[sort]} LIMIT ?`, params: all };
}

/** Open tasks the user may work on (entitlement.ts says who may), in the order asked (soonest due first). */
export function workableTasks(
  em: EntityManager,
  user: User,
  authz: Authz,
  permissions: PermissionRegistry,
  q: TaskQuery,
  at?: ViewClock,
): Promise<TaskRow[]> {
  const st = workableTasksStatement(user, authz, permissions, q, at);
  return execSql(em).all<TaskRow>(st.sql, st.params);
}

/** How many open tasks the user may work on match `q` (its limit, sort and page ignored). */
export async function countWorkableTasks(
  em: EntityManager,
  user: User,
  authz: Authz,
  permissions: PermissionRegistry,
  q: TaskQuery,
  at?: ViewClock,
): Promise<number> {
  const st = workableTasksStatement(user, authz, permissions, q, at, true);
  const [row] = await execSql(em).all<{ n: number | string }>(st.sql, st.params);
  return Number(row?.n ?? 0);
}

/** Every task of an instance, open or not (who worked on it). */
export function instanceTasks(em: EntityManager, instanceId: string): Promise<(TaskRow & { completed_by: string | null })[]> {
  return execSql(em).all<TaskRow & { completed_by: string | null }>('SELECT * FROM tasks WHERE instance_id = ?', [instanceId]);
}

/** The unit of an instance (null: none, or no such instance). */
export async function instanceUnitId(em: EntityManager, instanceId: string): Promise<string | null> {
  const [row] = await execSql(em).all<{ unit_id: string | null }>('SELECT unit_id FROM process_instances WHERE id = ?', [instanceId]);
  return row?.unit_id ?? null;
}

/** The running instances of one definition version, oldest first, with their unit paths (for scope filtering). */
export function runningInstancesOf(em: EntityManager, definitionId: string): Promise<{ id: string; unit_path: string | null }[]> {
  return execSql(em).all<{ id: string; unit_path: string | null }>(
    "SELECT id, unit_path FROM process_instances WHERE definition_id = ? AND status = 'running' ORDER BY started_at, id",
    [definitionId],
  );
}

/** An incident row (migration core_0005) joined with its instance and job, as INCIDENTS selects it. */
interface IncidentJoin {
  id: string;
  instance_id: string;
  job_id: string | null;
  activity_id: string | null;
  execution_id: string | null;
  topic: string | null;
  message: string;
  created_at: unknown;
  resolved_at: unknown;
  resolved_by: string | null;
  definition_key: string;
  business_key: string | null;
  unit_id: string | null;
  job_kind: string | null;
  job_status: string | null;
  job_attempts: number | string | null;
}

const INCIDENTS = `SELECT i.*, p.definition_key, p.business_key, p.unit_id, j.kind AS job_kind, j.status AS job_status, j.attempts AS job_attempts
  FROM incidents i JOIN process_instances p ON p.id = i.instance_id LEFT JOIN jobs j ON j.id = i.job_id`;

export function incidentView(r: IncidentJoin) {
  return {
    id: r.id,
    instanceId: r.instance_id,
    definitionKey: r.definition_key,
    businessKey: r.business_key,
    unitId: r.unit_id,
    activityId: r.activity_id,
    executionId: r.execution_id,
    topic: r.topic,
    message: r.message,
    job: r.job_id && r.job_kind ? { id: r.job_id, kind: r.job_kind, status: r.job_status!, attempts: Number(r.job_attempts) } : null,
    createdAt: iso(r.created_at)!,
    resolvedAt: iso(r.resolved_at),
    resolvedBy: r.resolved_by,
  };
}

export type IncidentView = ReturnType<typeof incidentView>;

/** Filters of GET /api/incidents. */
export interface IncidentQuery {
  instanceId?: string;
  status: 'open' | 'resolved' | 'all';
  limit: number;
}

/** Incidents of the instances `process.read` reaches, newest first. */
export async function visibleIncidents(em: EntityManager, authz: Authz, q: IncidentQuery): Promise<IncidentView[]> {
  const params: unknown[] = [];
  const scope = authz.scopes('process.read').map((s) => {
    params.push(`${s}%`);
    return 'p.unit_path LIKE ?';
  });
  if (authz.isGlobal('process.read')) scope.push('p.unit_path IS NULL');
  const where = [`(${scope.join(' OR ') || '1 = 0'})`];
  if (q.status !== 'all') where.push(q.status === 'open' ? 'i.resolved_at IS NULL' : 'i.resolved_at IS NOT NULL');
  if (q.instanceId) {
    where.push('i.instance_id = ?');
    params.push(q.instanceId);
  }
  params.push(q.limit);
  const rows = await execSql(em).all<IncidentJoin>(
    `${INCIDENTS} WHERE ${where.join(' AND ')} ORDER BY i.created_at DESC, i.id LIMIT ?`,
    params,
  );
  return rows.map(incidentView);
}

/** One incident as GET answers it (the caller has checked it exists and may be seen). */
export async function incidentById(em: EntityManager, id: string): Promise<IncidentView> {
  const [row] = await execSql(em).all<IncidentJoin>(`${INCIDENTS} WHERE i.id = ?`, [id]);
  return incidentView(row);
}
