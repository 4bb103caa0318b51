import type { EntityManager } from '@mikro-orm/knex';
import { Job as JobRow } from './entities.ts';

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

/** A timestamp as either dialect returns it: Date (PostgreSQL), epoch milliseconds or ISO text (SQLite). */
export function toDate(v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return new Date(Number(v));
  return new Date(v as string);
}

/** The job a `jobs` row holds. */
export function jobOf(r: JobRow): Job {
  return {
    id: r.id,
    kind: r.kind,
    instanceId: r.instanceId ?? null,
    definitionId: r.definitionId ?? null,
    activityId: r.activityId ?? null,
    executionId: r.executionId ?? null,
    dueAt: r.dueAt,
    status: r.status as JobStatus,
    attempts: r.attempts,
    lastError: r.lastError ?? null,
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
  await em.insert(JobRow, {
    id,
    kind: job.kind,
    instanceId: job.instanceId ?? null,
    definitionId: job.definitionId ?? null,
    activityId: job.activityId ?? null,
    executionId: job.executionId ?? null,
    dueAt: job.dueAt,
    status: 'pending',
    attempts: 0,
    payload: JSON.stringify(job.payload ?? {}),
    createdAt: now,
  });
  return id;
}
