import type { EntityManager } from '@mikro-orm/knex';
import { sql } from '../db/sql.ts';

/**
 * A row of `jobs`: work due at a time, done by the job runner in one transaction.
 * Kinds: `timer` (a waiting timer of an instance, keyed by (instance, execution id)),
 * `timer-start` (a timer start event of a definition) and `service` (an async service task,
 * keyed by (instance, execution id), its handler run outside the transaction under a lease in
 * `locked_by` / `locked_until`). Later kinds (message time-to-live) add a handler.
 */
export type JobStatus = 'pending' | 'done' | 'failed' | 'obsolete';

export interface Job {
  id: string;
  kind: string;
  instanceId: string | null;
  definitionId: string | null;
  activityId: string | null;
  executionId: string | null;
  dueAt: Date;
  status: JobStatus;
  attempts: number;
  lastError: string | null;
  payload: Record<string, unknown>;
}

export interface JobRecord {
  id: string;
  kind: string;
  instance_id: string | null;
  definition_id: string | null;
  activity_id: string | null;
  execution_id: string | null;
  due_at: unknown;
  status: JobStatus;
  attempts: number | string;
  last_error: string | null;
  payload: string;
}

/** A timestamp as either dialect returns it: Date (PostgreSQL), epoch milliseconds or ISO text (SQLite). */
export function toDate(v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return new Date(Number(v));
  return new Date(v as string);
}

export function toJob(r: JobRecord): Job {
  return {
    id: r.id,
    kind: r.kind,
    instanceId: r.instance_id,
    definitionId: r.definition_id,
    activityId: r.activity_id,
    executionId: r.execution_id,
    dueAt: toDate(r.due_at),
    status: r.status,
    attempts: Number(r.attempts),
    lastError: r.last_error,
    payload: JSON.parse(r.payload || '{}') as Record<string, unknown>,
  };
}

export async function insertJob(
  em: EntityManager,
  job: {
    kind: string;
    instanceId?: string | null;
    definitionId?: string | null;
    activityId?: string | null;
    executionId?: string | null;
    dueAt: Date;
    payload?: Record<string, unknown>;
  },
  now: Date,
): Promise<string> {
  const id = crypto.randomUUID();
  await sql(em).run(
    `INSERT INTO jobs (id, kind, instance_id, definition_id, activity_id, execution_id, due_at, status, attempts, payload, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
    [
      id,
      job.kind,
      job.instanceId ?? null,
      job.definitionId ?? null,
      job.activityId ?? null,
      job.executionId ?? null,
      job.dueAt,
      JSON.stringify(job.payload ?? {}),
      now,
    ],
  );
  return id;
}
