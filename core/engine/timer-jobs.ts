import type { FiringJob, LoadedDefinition } from './types.ts';
import type { EntityManager } from '@mikro-orm/knex';
import type { EngineDeps, JobDeps } from './deps.ts';
import type { Acting } from '../org/actor.ts';
import { insertJob, toDate, type Job as JobRow } from '../jobs/jobs.ts';
import { Job } from '../jobs/entities.ts';
import { ProcessDefinition } from './entities.ts';
import { SNAPSHOT } from './snapshots.ts';
import { JobBusy, type JobRunner } from '../jobs/job-runner.ts';
import { nextOccurrence, parseCycle } from './iso-time.ts';
import { timerDueAt, type ArmedTimer } from './timers.ts';
import { incidentHooks } from './incidents.ts';
import { hasExpression } from './expressions.ts';
import { deleteJobs, insertJobs, lockInstanceOrSkip, type ExecutionRow, type NewJob } from './store.ts';

/** The job being fired by the current command. */
export type { FiringJob } from './types.ts';

/** Who fires timers: no user, the platform itself. */
export const TIMER_ACTING: Acting = { actor: { id: null, name: 'system:timer' }, requestId: null };

/**
 * After a command, in its transaction: one pending `timer` job per waiting timer, keyed by
 * (instance, execution id). A timer already known keeps its job and due time (a recovered
 * engine registers its waiting timers again); pending jobs of timers that stopped waiting are
 * deleted. A cycle's next occurrence counts from the due time of the occurrence just fired.
 */
export async function syncTimerJobs(
  em: EntityManager,
  svc: EngineDeps,
  instance: { id: string; definitionId: string; unitId: string | null },
  def: Pick<LoadedDefinition, 'activities'>,
  timers: ArmedTimer[],
  firing: FiringJob | null,
  /** The instance's `timer` jobs, read at the start of the command (instance-rows.ts). */
  rows: ExecutionRow[],
): Promise<void> {
  const armed = new Set(timers.map((t) => t.executionId));
  const gone = rows.filter((r) => r.status === 'pending' && !armed.has(r.execution_id) && r.id !== firing?.id).map((r) => r.id);
  await deleteJobs(em, gone);
  const known = new Set(rows.map((r) => r.execution_id));
  const now = svc.clock.now();
  const fresh = timers.filter((t) => !known.has(t.executionId));
  // Which timers count working time (motcua:workingTime): read from the cached definition.
  const activities = fresh.some((t) => t.timeDuration) ? def.activities : {};
  const jobs: NewJob[] = [];
  for (const t of fresh) {
    const after = firing && t.timeCycle && t.activityId === firing.activityId ? firing.dueAt : undefined;
    const workingTime = activities[t.activityId]?.workingTime === true;
    const dueAt = timerDueAt({ ...t, workingTime }, { now, calendar: svc.calendar, unitId: instance.unitId, after });
    const payload = {
      timeDuration: t.timeDuration,
      timeDate: t.timeDate,
      timeCycle: t.timeCycle,
      repeat: t.repeat,
      activityExecutionId: t.activityExecutionId,
    };
    jobs.push({
      kind: 'timer',
      instanceId: instance.id,
      definitionId: instance.definitionId,
      activityId: t.activityId,
      executionId: t.executionId,
      dueAt,
      payload,
    });
  }
  await insertJobs(em, jobs, now);
}

interface SerializedActivity {
  id: string;
  type: string;
  parent?: { id: string };
  behaviour?: { eventDefinitions?: { type: string; behaviour?: Record<string, unknown> }[] };
}

export interface StartTimer {
  activityId: string;
  timeDuration: string | null;
  timeDate: string | null;
  timeCycle: string | null;
}

/** Timer start events of a process, read from its serialised source context. */
export function startTimersOf(context: string, processKey: string): StartTimer[] {
  const { activities = [] } = JSON.parse(context) as { activities?: SerializedActivity[] };
  const out: StartTimer[] = [];
  for (const a of activities) {
    if (a.type !== 'bpmn:StartEvent' || a.parent?.id !== processKey) continue;
    const timer = a.behaviour?.eventDefinitions?.find((d) => d.type === 'bpmn:TimerEventDefinition');
    if (!timer) continue;
    const b = timer.behaviour ?? {};
    const text = (k: string) => (typeof b[k] === 'string' && (b[k] as string).trim() ? (b[k] as string).trim() : null);
    out.push({ activityId: a.id, timeDuration: text('timeDuration'), timeDate: text('timeDate'), timeCycle: text('timeCycle') });
  }
  return out;
}

const isExpression = (v: string | null) => !!v && hasExpression(v);

/**
 * On deploy of a new version: its timer start events get their first job, and the pending
 * start jobs of the key's other versions are deleted (the new version replaces them).
 */
export async function scheduleStartTimers(
  em: EntityManager,
  svc: EngineDeps,
  def: { id: string; key: string; context: string },
): Promise<number> {
  // The key's other versions: their pending start jobs are replaced by this version's.
  const others = await em.find(ProcessDefinition, { key: def.key, id: { $ne: def.id } }, { fields: ['id'], ...SNAPSHOT });
  if (others.length) await em.nativeDelete(Job, { kind: 'timer-start', status: 'pending', definitionId: { $in: others.map((d) => d.id) } });
  const now = svc.clock.now();
  let n = 0;
  const timers = startTimersOf(def.context, def.key);
  if (timers.length === 0) return 0;
  const row = await em.findOne(ProcessDefinition, { id: def.id }, { fields: ['activities'], ...SNAPSHOT });
  const activities = (row ? JSON.parse(row.activities) : {}) as Record<string, { workingTime?: boolean }>;
  for (const timer of timers) {
    if ([timer.timeDuration, timer.timeDate, timer.timeCycle].some(isExpression)) {
      svc.log.warn({ definition: def.key, activityId: timer.activityId }, 'a timer start event with an expression is not scheduled');
      continue;
    }
    const dueAt = timerDueAt(
      { ...timer, workingTime: activities[timer.activityId]?.workingTime === true },
      { now, calendar: svc.calendar, unitId: null },
    );
    await insertJob(
      em,
      { kind: 'timer-start', definitionId: def.id, activityId: timer.activityId, dueAt, payload: { ...timer, occurrence: 1 } },
      now,
    );
    n++;
  }
  return n;
}

/** The job runner's handlers for `timer` and `timer-start` jobs; a timer whose command keeps failing opens an incident. */
export function registerTimerJobs(runner: JobRunner, svc: JobDeps): void {
  runner.register(
    'timer',
    async (em, job) => {
      if (svc.db.dialect === 'postgresql') {
        // Lock order job → instance; a command holding the instance makes us back off, never wait.
        if (!(await lockInstanceOrSkip(em, job.instanceId))) throw new JobBusy(`instance ${job.instanceId} is busy`);
      }
      const fired = await svc.engine.fireTimer(em, TIMER_ACTING, {
        id: job.id,
        instanceId: job.instanceId!,
        executionId: job.executionId!,
        activityId: job.activityId!,
        dueAt: job.dueAt,
      });
      return fired ? 'done' : 'obsolete';
    },
    incidentHooks(svc),
  );

  runner.register('timer-start', async (em, job) => startByTimer(em, svc, job));
}

async function startByTimer(em: EntityManager, svc: JobDeps, job: JobRow): Promise<'done' | 'obsolete'> {
  const p = job.payload as unknown as StartTimer & { occurrence: number };
  const def = job.definitionId
    ? await em.findOne(ProcessDefinition, { id: job.definitionId }, { fields: ['key', 'version'], ...SNAPSHOT })
    : null;
  // Only the latest version's start timers start instances (a deploy racing a firing may leave one behind).
  if (!def || (await em.count(ProcessDefinition, { key: def.key, version: { $gt: def.version } })) > 0) return 'obsolete';
  const instanceId = await svc.engine.start(em, TIMER_ACTING, {
    definitionKey: def.key,
    timerStart: { definitionId: job.definitionId!, activityId: job.activityId! },
  });
  await svc.audit.append(em, {
    ...TIMER_ACTING,
    action: 'timer.fired',
    targetType: 'process_definition',
    targetId: job.definitionId,
    summary: { jobId: job.id, activityId: job.activityId, dueAt: job.dueAt.toISOString(), occurrence: p.occurrence, instanceId },
  });
  const cycle = p.timeCycle ? parseCycle(p.timeCycle) : null;
  if (cycle && (cycle.repeat === -1 || cycle.start || p.occurrence < cycle.repeat)) {
    const next = nextOccurrence(cycle, toDate(job.dueAt));
    if (next) {
      await insertJob(
        em,
        {
          kind: 'timer-start',
          definitionId: job.definitionId,
          activityId: job.activityId,
          dueAt: next,
          payload: { ...p, occurrence: p.occurrence + 1 },
        },
        svc.clock.now(),
      );
    }
  }
  return 'done';
}
