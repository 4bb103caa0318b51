import type { EntityManager } from '@mikro-orm/knex';
import type { EngineDeps, JobDeps } from './deps.ts';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import type { Job } from '../jobs/jobs.ts';
import type { JobKindOptions } from '../jobs/job-runner.ts';
import { sql } from '../db/sql.ts';

/**
 * Incidents: a job of an instance that failed its last attempt (an async service task, a
 * timer whose command keeps failing), or a business error no error event catches. The
 * instance shows status `incident` while one of its open incidents has a failed job; an
 * operator retries it (the job is queued again with fresh attempts) and the incident is
 * resolved when the job succeeds, or when its activity stops waiting (cancel, boundary event).
 * Every opening, retry and resolution is audited.
 */

export interface IncidentRow {
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
}

/** Who opens and resolves incidents on the job runner's behalf. */
export const INCIDENT_ACTING: Acting = { actor: { id: null, name: 'system:job-runner' }, requestId: null };

const ACTIVE = new Set(['running', 'incident']);

/** SQL: the instance (first parameter) has an open incident whose job failed. */
const BLOCKING = `EXISTS (SELECT 1 FROM incidents i JOIN jobs j ON j.id = i.job_id WHERE i.instance_id = ? AND i.resolved_at IS NULL AND j.status = 'failed')`;

async function unitOf(em: EntityManager, instanceId: string): Promise<string | null> {
  const [row] = await sql(em).all<{ unit_id: string | null }>('SELECT unit_id FROM process_instances WHERE id = ?', [instanceId]);
  return row?.unit_id ?? null;
}

/** After a job's last failed attempt (in that transaction): open its incident, or update the one still open. */
export async function openIncident(em: EntityManager, svc: EngineDeps, job: Job, message: string): Promise<void> {
  if (!job.instanceId) return; // a timer start event's job: no instance to mark; the failed job stays visible
  const now = svc.clock.now();
  const topic = typeof job.payload.topic === 'string' ? job.payload.topic : null;
  const [open] = await sql(em).all<{ id: string }>('SELECT id FROM incidents WHERE job_id = ? AND resolved_at IS NULL', [job.id]);
  const id = open?.id ?? crypto.randomUUID();
  if (open) await sql(em).run('UPDATE incidents SET message = ? WHERE id = ?', [message.slice(0, 4000), id]);
  else {
    await sql(em).run(
      'INSERT INTO incidents (id, instance_id, job_id, activity_id, execution_id, topic, message, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [id, job.instanceId, job.id, job.activityId, job.executionId, topic, message.slice(0, 4000), now],
    );
  }
  await sql(em).run(
    "UPDATE process_instances SET status = 'incident', updated_at = ?, lock_version = lock_version + 1 WHERE id = ? AND status = 'running'",
    [now, job.instanceId],
  );
  await svc.audit.append(em, {
    ...INCIDENT_ACTING,
    action: 'incident.opened',
    targetType: 'incident',
    targetId: id,
    unitId: await unitOf(em, job.instanceId),
    summary: {
      instanceId: job.instanceId,
      jobId: job.id,
      kind: job.kind,
      activityId: job.activityId,
      topic,
      attempts: job.attempts,
      message: message.slice(0, 500),
      ...(open && { again: true }),
    },
  });
  await svc.events.publish(
    em,
    'incident.opened',
    {
      incidentId: id,
      instanceId: job.instanceId,
      jobId: job.id,
      kind: job.kind,
      activityId: job.activityId,
      topic,
      message: message.slice(0, 500),
      again: !!open,
    },
    INCIDENT_ACTING,
  );
}

/** Resolves the open incidents of one job; returns how many. */
async function resolveJobIncidents(
  em: EntityManager,
  svc: EngineDeps,
  acting: Acting,
  jobId: string,
  resolvedBy: string | null,
  reason: string,
): Promise<number> {
  const rows = await sql(em).all<{ id: string; instance_id: string }>(
    'SELECT id, instance_id FROM incidents WHERE job_id = ? AND resolved_at IS NULL',
    [jobId],
  );
  for (const r of rows) {
    await sql(em).run('UPDATE incidents SET resolved_at = ?, resolved_by = ? WHERE id = ?', [svc.clock.now(), resolvedBy, r.id]);
    await svc.audit.append(em, {
      ...acting,
      action: 'incident.resolved',
      targetType: 'incident',
      targetId: r.id,
      unitId: await unitOf(em, r.instance_id),
      summary: { instanceId: r.instance_id, jobId, reason, resolvedBy },
    });
    await svc.events.publish(em, 'incident.resolved', { incidentId: r.id, instanceId: r.instance_id, jobId, reason, resolvedBy }, acting);
  }
  return rows.length;
}

/** The job runner hooks of every kind of instance job: incident after the last attempt, resolved on success. */
export function incidentHooks(svc: EngineDeps): Pick<JobKindOptions, 'onGiveUp' | 'afterDone'> {
  return {
    onGiveUp: (em, job, error) => openIncident(em, svc, job, error.message),
    afterDone: async (em, job, outcome) => {
      const retriedBy = typeof job.payload.retriedBy === 'string' ? job.payload.retriedBy : null;
      await resolveJobIncidents(em, svc, INCIDENT_ACTING, job.id, retriedBy, outcome === 'done' ? 'job succeeded' : 'job obsolete');
    },
  };
}

/**
 * After a command (in its transaction): open incidents whose failed job's execution no longer
 * waits are resolved, their jobs obsolete; the instance leaves `incident` when none is left.
 * `live`: execution ids still waiting (activities and timers).
 */
export async function settleIncidents(
  em: EntityManager,
  svc: EngineDeps,
  acting: Acting,
  instanceId: string,
  live: Set<string>,
  /** The instance's open incidents with a failed job, read at the start of the command (instance-rows.ts). */
  rows: { job_id: string; execution_id: string | null }[],
): Promise<void> {
  let resolved = 0;
  for (const r of rows) {
    if (r.execution_id && live.has(r.execution_id)) continue;
    await sql(em).run("UPDATE jobs SET status = 'obsolete' WHERE id = ?", [r.job_id]);
    resolved += await resolveJobIncidents(em, svc, acting, r.job_id, acting.actor.id, 'activity no longer waits');
  }
  if (resolved)
    await sql(em).run(`UPDATE process_instances SET status = 'running' WHERE id = ? AND status = 'incident' AND NOT ${BLOCKING}`, [
      instanceId,
      instanceId,
    ]);
}

/** A cancelled instance: its open incidents are resolved and its failed jobs obsolete. */
export async function resolveInstanceIncidents(em: EntityManager, svc: EngineDeps, acting: Acting, instanceId: string): Promise<void> {
  const jobs = await sql(em).all<{ job_id: string }>(
    'SELECT DISTINCT job_id FROM incidents WHERE instance_id = ? AND resolved_at IS NULL AND job_id IS NOT NULL',
    [instanceId],
  );
  for (const j of jobs) await resolveJobIncidents(em, svc, acting, j.job_id, acting.actor.id, 'instance cancelled');
  await sql(em).run("UPDATE jobs SET status = 'obsolete' WHERE instance_id = ? AND status = 'failed'", [instanceId]);
}

/** The answer for a missing incident, and for one the caller may not see (ADR 0004). */
export const incidentNotFound = (id: string) => new AppError('incident.not_found', `No incident ${id}`);

export async function loadIncident(em: EntityManager, id: string): Promise<IncidentRow> {
  const [row] = await sql(em).all<IncidentRow>('SELECT * FROM incidents WHERE id = ?', [id]);
  if (!row) throw incidentNotFound(id);
  return row;
}

/**
 * Queues the incident's job again with fresh attempts, due now; the instance is `running`
 * again unless another incident still blocks it. The incident stays open until the job succeeds.
 */
export async function retryIncident(em: EntityManager, svc: EngineDeps, acting: Acting, incident: IncidentRow): Promise<void> {
  if (incident.resolved_at) throw new AppError('incident.not_open', `Incident ${incident.id} is already resolved`);
  const [job] = incident.job_id
    ? await sql(em).all<{ status: string; payload: string }>('SELECT status, payload FROM jobs WHERE id = ?', [incident.job_id])
    : [];
  if (!job || job.status === 'done' || job.status === 'obsolete')
    throw new AppError('incident.not_open', `The job of incident ${incident.id} no longer waits to be retried`);
  if (job.status === 'pending') throw new AppError('incident.retry_pending', `Incident ${incident.id} is already queued for a retry`);
  const [instance] = await sql(em).all<{ status: string; unit_id: string | null }>(
    'SELECT status, unit_id FROM process_instances WHERE id = ?',
    [incident.instance_id],
  );
  if (!instance || !ACTIVE.has(instance.status))
    throw new AppError('process.not_running', `Instance ${incident.instance_id} is ${instance?.status ?? 'gone'}`);
  const now = svc.clock.now();
  const payload = { ...(JSON.parse(job.payload || '{}') as Record<string, unknown>), retriedBy: acting.actor.id };
  const res = await sql(em).run(
    "UPDATE jobs SET status = 'pending', attempts = 0, due_at = ?, last_error = NULL, locked_by = NULL, locked_until = NULL, payload = ? WHERE id = ? AND status = 'failed'",
    [now, JSON.stringify(payload), incident.job_id],
  );
  if (res.affectedRows !== 1) throw new AppError('conflict.stale', 'The incident changed meanwhile: reload and retry');
  await sql(em).run(
    `UPDATE process_instances SET status = 'running', updated_at = ?, lock_version = lock_version + 1 WHERE id = ? AND status = 'incident' AND NOT ${BLOCKING}`,
    [now, incident.instance_id, incident.instance_id],
  );
  await svc.audit.append(em, {
    ...acting,
    action: 'incident.retried',
    targetType: 'incident',
    targetId: incident.id,
    unitId: instance.unit_id,
    summary: { instanceId: incident.instance_id, jobId: incident.job_id, activityId: incident.activity_id, topic: incident.topic },
  });
}
