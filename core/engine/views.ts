import type { EntityManager } from '@mikro-orm/knex';
import type { InstanceRow, TaskRow } from './runtime.ts';

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
  const history = await em.execute<
    {
      activity_id: string;
      execution_id: string;
      name: string | null;
      type: string;
      started_at: unknown;
      ended_at: unknown;
      actor_id: string | null;
    }[]
  >('SELECT * FROM activity_history WHERE instance_id = ? ORDER BY id', [row.id]);
  const tasks = await em.execute<TaskRow[]>("SELECT * FROM tasks WHERE instance_id = ? AND status = 'open' ORDER BY created_at", [row.id]);
  const children = await em.execute<
    {
      id: string;
      definition_key: string;
      definition_version: number | string;
      status: InstanceRow['status'];
      parent_activity_id: string | null;
      started_at: unknown;
      ended_at: unknown;
    }[]
  >(
    'SELECT id, definition_key, definition_version, status, parent_activity_id, started_at, ended_at FROM process_instances WHERE parent_id = ? ORDER BY started_at, id',
    [row.id],
  );
  const received = await em.execute<
    { name: string; message_id: string; origin: string; sent_by: string | null; activity_id: string | null; correlated_at: unknown }[]
  >(
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
