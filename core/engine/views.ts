import type { EntityManager } from '@mikro-orm/knex';
import type { User } from '../auth/entities.ts';
import type { Authz } from '../org/authz.ts';
import type { PermissionRegistry } from '../org/roles.ts';
import { workableTasksSql } from './entitlement.ts';
import type { InstanceRow, TaskRow } from './runtime.ts';
import { sql as execSql } from '../db/sql.ts';

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
  instanceId?: string;
  definitionKey?: string;
  /** The instances' business key: a dossier's code. */
  businessKey?: string;
  dueBefore?: string;
  limit: number;
}

/** Open tasks the user may work on, soonest due first (entitlement.ts says who may). */
export async function workableTasks(
  em: EntityManager,
  user: User,
  authz: Authz,
  permissions: PermissionRegistry,
  q: TaskQuery,
): Promise<TaskRow[]> {
  const where = ["t.status = 'open'"];
  const params: unknown[] = [];
  if (q.filter === 'mine') {
    where.push('(t.claimed_by = ? OR t.assignee = ? OR t.assignee = ?)');
    params.push(user.id, user.username, user.id);
  } else {
    const w = workableTasksSql(user, authz, permissions);
    where.push(w.sql);
    params.push(...w.params);
    if (q.filter === 'candidate') where.push('t.claimed_by IS NULL');
    else {
      where.push('(t.claimed_by IS NULL OR t.claimed_by = ?)');
      params.push(user.id);
    }
  }
  if (q.instanceId) {
    where.push('t.instance_id = ?');
    params.push(q.instanceId);
  }
  if (q.definitionKey) {
    where.push('t.definition_key = ?');
    params.push(q.definitionKey);
  }
  if (q.businessKey) {
    where.push('t.business_key = ?');
    params.push(q.businessKey);
  }
  if (q.dueBefore) {
    where.push('t.due_at < ?');
    params.push(new Date(q.dueBefore));
  }
  params.push(q.limit);
  return execSql(em).all<TaskRow>(
    `SELECT t.* FROM tasks t WHERE ${where.join(' AND ')} ORDER BY t.due_at IS NULL, t.due_at, t.created_at LIMIT ?`,
    params,
  );
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
