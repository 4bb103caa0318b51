import type { EntityManager } from '@mikro-orm/knex';
import type { EngineDeps } from './deps.ts';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import type { Job as JobRow } from '../jobs/jobs.ts';
import type { JobKindOptions } from '../jobs/job-runner.ts';
import { raw } from '@mikro-orm/core';
import { Job } from '../jobs/entities.ts';
import { Incident, ProcessInstance } from './entities.ts';
import { SNAPSHOT, unitOfInstance } from './snapshots.ts';

/**
 * Incidents: a job of an instance that failed its last attempt (an async service task, a
 * timer whose command keeps failing), or a business error no error event catches. The
 * instance shows status `incident` while one of its open incidents has a failed job; an
 * operator retries it (the job is queued again with fresh attempts) and the incident is
 * resolved when the job succeeds, or when its activity stops waiting (cancel, boundary event).
 * Every opening, retry and resolution is audited.
 */

/** Who opens and resolves incidents on the job runner's behalf. */
export const INCIDENT_ACTING: Acting = { actor: { id: null, name: 'system:job-runner' }, requestId: null };

const ACTIVE = new Set(['running', 'incident']);

/**
 * Sets `status` (and what `set` adds) on an instance in `incident` unless one of its open
 * incidents still has a failed job; the check is part of the UPDATE, as one statement.
 */
async function unblock(em: EntityManager, instanceId: string, set: Partial<ProcessInstance> = {}): Promise<void> {
  const failed = em.createQueryBuilder(Job, 'j').select('j.id').where({ status: 'failed' });
  const blocking = em
    .createQueryBuilder(Incident, 'i')
    .select('i.instanceId')
    .where({ instanceId, resolvedAt: null, jobId: { $in: failed.getKnexQuery() } });
  await em
    .createQueryBuilder(ProcessInstance)
    .update({ status: 'running', ...set })
    .where({ id: { $eq: instanceId, $nin: blocking.getKnexQuery() }, status: 'incident' })
    .execute();
}

/** After a job's last failed attempt (in that transaction): open its incident, or update the one still open. */
export async function openIncident(em: EntityManager, svc: EngineDeps, job: JobRow, message: string): Promise<void> {
  if (!job.instanceId) return; // a timer start event's job: no instance to mark; the failed job stays visible
  const now = svc.clock.now();
  const topic = typeof job.payload.topic === 'string' ? job.payload.topic : null;
  const open = await em.findOne(Incident, { jobId: job.id, resolvedAt: null }, { fields: ['id'], ...SNAPSHOT });
  const id = open?.id ?? crypto.randomUUID();
  if (open) await em.nativeUpdate(Incident, { id }, { message: message.slice(0, 4000) });
  else {
    await em.insert(Incident, {
      id,
      instanceId: job.instanceId,
      jobId: job.id,
      activityId: job.activityId,
      executionId: job.executionId,
      topic,
      message: message.slice(0, 4000),
      createdAt: now,
    });
  }
  await em.nativeUpdate(
    ProcessInstance,
    { id: job.instanceId, status: 'running' },
    { status: 'incident', updatedAt: now, lockVersion: raw('lock_version + 1') },
  );
  await svc.audit.append(em, {
    ...INCIDENT_ACTING,
    action: 'incident.opened',
    targetType: 'incident',
    targetId: id,
    unitId: await unitOfInstance(em, job.instanceId),
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
  const rows = await em.find(Incident, { jobId, resolvedAt: null }, { fields: ['id', 'instanceId'], ...SNAPSHOT });
  for (const r of rows) {
    await em.nativeUpdate(Incident, { id: r.id }, { resolvedAt: svc.clock.now(), resolvedBy });
    await svc.audit.append(em, {
      ...acting,
      action: 'incident.resolved',
      targetType: 'incident',
      targetId: r.id,
      unitId: await unitOfInstance(em, r.instanceId),
      summary: { instanceId: r.instanceId, jobId, reason, resolvedBy },
    });
    await svc.events.publish(em, 'incident.resolved', { incidentId: r.id, instanceId: r.instanceId, jobId, reason, resolvedBy }, acting);
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
    await em.nativeUpdate(Job, { id: r.job_id }, { status: 'obsolete' });
    resolved += await resolveJobIncidents(em, svc, acting, r.job_id, acting.actor.id, 'activity no longer waits');
  }
  if (resolved) await unblock(em, instanceId);
}

/** A cancelled instance: its open incidents are resolved and its failed jobs obsolete. */
export async function resolveInstanceIncidents(em: EntityManager, svc: EngineDeps, acting: Acting, instanceId: string): Promise<void> {
  const open = await em.find(Incident, { instanceId, resolvedAt: null, jobId: { $ne: null } }, { fields: ['jobId'], ...SNAPSHOT });
  for (const jobId of new Set(open.map((i) => i.jobId!)))
    await resolveJobIncidents(em, svc, acting, jobId, acting.actor.id, 'instance cancelled');
  await em.nativeUpdate(Job, { instanceId, status: 'failed' }, { status: 'obsolete' });
}

/** The answer for a missing incident, and for one the caller may not see (ADR 0004). */
export const incidentNotFound = (id: string) => new AppError('incident.not_found', `No incident ${id}`);

export async function loadIncident(em: EntityManager, id: string): Promise<Incident> {
  const row = await em.findOne(Incident, { id }, SNAPSHOT);
  if (!row) throw incidentNotFound(id);
  return row;
}

/**
 * Queues the incident's job again with fresh attempts, due now; the instance is `running`
 * again unless another incident still blocks it. The incident stays open until the job succeeds.
 */
export async function retryIncident(em: EntityManager, svc: EngineDeps, acting: Acting, incident: Incident): Promise<void> {
  if (incident.resolvedAt) throw new AppError('incident.not_open', `Incident ${incident.id} is already resolved`);
  const job = incident.jobId ? await em.findOne(Job, { id: incident.jobId }, { fields: ['status', 'payload'], ...SNAPSHOT }) : null;
  if (!job || job.status === 'done' || job.status === 'obsolete')
    throw new AppError('incident.not_open', `The job of incident ${incident.id} no longer waits to be retried`);
  if (job.status === 'pending') throw new AppError('incident.retry_pending', `Incident ${incident.id} is already queued for a retry`);
  const instance = await em.findOne(ProcessInstance, { id: incident.instanceId }, { fields: ['status', 'unitId'], ...SNAPSHOT });
  if (!instance || !ACTIVE.has(instance.status))
    throw new AppError('process.not_running', `Instance ${incident.instanceId} is ${instance?.status ?? 'gone'}`);
  const now = svc.clock.now();
  const payload = { ...(JSON.parse(job.payload || '{}') as Record<string, unknown>), retriedBy: acting.actor.id };
  const res = await em.nativeUpdate(
    Job,
    { id: incident.jobId!, status: 'failed' },
    { status: 'pending', attempts: 0, dueAt: now, lastError: null, lockedBy: null, lockedUntil: null, payload: JSON.stringify(payload) },
  );
  if (res !== 1) throw new AppError('conflict.stale', 'The incident changed meanwhile: reload and retry');
  await unblock(em, incident.instanceId, { updatedAt: now, lockVersion: raw('lock_version + 1') });
  await svc.audit.append(em, {
    ...acting,
    action: 'incident.retried',
    targetType: 'incident',
    targetId: incident.id,
    unitId: instance.unitId ?? null,
    summary: { instanceId: incident.instanceId, jobId: incident.jobId, activityId: incident.activityId, topic: incident.topic },
  });
}
