import type { EntityManager } from '@mikro-orm/knex';
import type { EngineDeps, JobDeps } from './deps.ts';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import { BpmnBusinessError, type ServiceTaskJob } from '../plugin-host/define-plugin.ts';
import type { Job } from '../jobs/jobs.ts';
import { JobBusy, NonRetryableJobError, type JobRunner } from '../jobs/job-runner.ts';
import type { HandlerOutcome, LoadedDefinition } from './types.ts';
import { deleteJobs, insertJobs, lockInstanceOrSkip, type ExecutionRow, type NewJob } from './store.ts';
import { incidentHooks } from './incidents.ts';
import { addDuration, parseCycle } from './iso-time.ts';
import type { RunInput, Waiting } from './run-types.ts';
import { unitOfInstance } from './snapshots.ts';

/**
 * Service, send and business-rule tasks (docs/bpmn-extensions.md §3): the engine parks them
 * like user tasks; the runtime runs the topic's plugin handler and signals the activity.
 * - synchronous (default): inside the command that reached the task, in its transaction;
 * - `camunda:asyncBefore`: as a `service` job, the handler outside any transaction, then the
 *   signal in the job's transaction; retried with backoff, then an incident.
 * A handler's `BpmnBusinessError(code)` is thrown from the task as a BPMN error with that code.
 */

/** What a handler produced: variables to merge, or a business error for an error boundary event. */
export type { HandlerOutcome } from './types.ts';

/** Who completes async service tasks: no user, the platform. */
export const SERVICE_ACTING: Acting = { actor: { id: null, name: 'system:service-task' }, requestId: null };

/** Stable for one execution of a service task: the same on every retry of its job. */
export const idempotencyKey = (instanceId: string, executionId: string) => `${instanceId}:${executionId}`;

const ACTIVE = new Set(['running', 'incident']);

function isBusinessError(err: unknown): err is BpmnBusinessError {
  if (err instanceof BpmnBusinessError) return true;
  return err instanceof Error && err.name === 'BpmnBusinessError' && typeof (err as { errorCode?: unknown }).errorCode === 'string';
}

/**
 * Calls the topic's handler with its plugin's context. `em`, for a synchronous task, is the
 * command's transaction: what the handler writes commits or rolls back with the command.
 * Technical errors are thrown; business errors become the outcome.
 */
export async function invokeHandler(svc: EngineDeps, task: ServiceTaskJob, em?: EntityManager): Promise<HandlerOutcome> {
  const handler = svc.plugins.handlers.get(task.topic);
  const owner = svc.plugins.handlers.ownerOf(task.topic);
  if (!handler || !owner) throw new Error(`No enabled plugin handles topic "${task.topic}"`);
  const base = svc.plugins.context(owner, em);
  try {
    const result = await handler(task, base);
    const variables: unknown = result?.variables ?? {};
    if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) {
      throw new Error(`The handler of "${task.topic}" returned variables that are not an object`);
    }
    return { variables: variables as Record<string, unknown> };
  } catch (err) {
    if (isBusinessError(err)) return { error: { code: err.errorCode, message: err.message } };
    throw err;
  }
}

const isSync = (def: LoadedDefinition, w: Waiting) => {
  const model = def.activities[w.activityId]?.serviceTask;
  return !!model && !model.async;
};

/**
 * runEngine's `next` for every command: while a synchronous service task waits, run its
 * handler and signal it (one at a time, so a handler sees what the previous one produced).
 * A technical failure fails the whole command: `process.service_task_failed`, rolled back.
 */
export function syncServiceTasks(
  svc: EngineDeps,
  em: EntityManager,
  def: LoadedDefinition,
  instance: { id: string; businessKey: string | null },
): NonNullable<RunInput['next']> {
  return async (waiting, variables) => {
    // A send task with a message and no topic has nothing to run: it ends, and its message is published (messages.ts).
    const send = waiting.find(
      (x) => x.type === 'bpmn:SendTask' && def.activities[x.activityId]?.message && !def.activities[x.activityId]?.serviceTask,
    );
    if (send) return { activityId: send.activityId, executionId: send.executionId, variables: {} };
    const w = waiting.find((x) => isSync(def, x));
    if (!w) return null;
    const topic = def.activities[w.activityId]!.serviceTask!.topic;
    // Input parameters (camunda:inputOutput) are the task's own variables: the handler sees them over the process variables.
    const task: ServiceTaskJob = {
      topic,
      instanceId: instance.id,
      activityId: w.activityId,
      businessKey: instance.businessKey,
      variables: { ...variables, ...w.inputs },
      idempotencyKey: idempotencyKey(instance.id, w.executionId),
    };
    try {
      return { activityId: w.activityId, executionId: w.executionId, ...(await invokeHandler(svc, task, em)) };
    } catch (err) {
      throw new AppError('process.service_task_failed', `Service task ${w.activityId} (topic ${topic}) failed: ${(err as Error).message}`, {
        activityId: w.activityId,
        topic,
        ...(err instanceof AppError && { cause: err.code }),
      });
    }
  };
}

/**
 * After a command, in its transaction: one `service` job, due now, per waiting async service
 * task, keyed by (instance, execution id); pending jobs of tasks that stopped waiting (an
 * interrupting boundary event, the end of the instance) are deleted, except the one running.
 */
export async function syncServiceJobs(
  em: EntityManager,
  svc: EngineDeps,
  instance: { id: string; definitionId: string },
  def: LoadedDefinition,
  waiting: Waiting[],
  firing: { id: string } | null,
  /** The instance's `service` jobs, read at the start of the command (instance-rows.ts). */
  rows: ExecutionRow[],
): Promise<void> {
  const async = waiting.filter((w) => def.activities[w.activityId]?.serviceTask?.async);
  const live = new Set(async.map((w) => w.executionId));
  const gone = rows.filter((r) => r.status === 'pending' && !live.has(r.execution_id) && r.id !== firing?.id).map((r) => r.id);
  await deleteJobs(em, gone);
  const known = new Set(rows.map((r) => r.execution_id));
  const now = svc.clock.now();
  const jobs: NewJob[] = [];
  for (const w of async) {
    if (known.has(w.executionId)) continue;
    const model = def.activities[w.activityId]!.serviceTask!;
    const payload = {
      topic: model.topic,
      retries: model.retries,
      retryCycle: model.retryCycle ?? null,
      idempotencyKey: idempotencyKey(instance.id, w.executionId),
      ...(w.inputs && { inputs: w.inputs }),
    };
    jobs.push({
      kind: 'service',
      instanceId: instance.id,
      definitionId: instance.definitionId,
      activityId: w.activityId,
      executionId: w.executionId,
      dueAt: now,
      payload,
    });
  }
  await insertJobs(em, jobs, now);
}

interface ServicePayload {
  topic: string;
  retries?: number;
  retryCycle?: string | null;
  idempotencyKey: string;
  /** The task's input parameters, evaluated when it started. */
  inputs?: Record<string, unknown>;
}

/** Outside any transaction: the handler's side effects. Null when the instance no longer runs. */
async function runHandler(svc: JobDeps, job: Job): Promise<HandlerOutcome | null> {
  const instance = await svc.engine.loadInstance(svc.db.em(), job.instanceId!);
  if (!ACTIVE.has(instance.status) || !instance.state) return null;
  const p = job.payload as unknown as ServicePayload;
  const variables = { ...(JSON.parse(instance.variables) as Record<string, unknown>), ...p.inputs };
  return invokeHandler(svc, {
    topic: p.topic,
    instanceId: instance.id,
    activityId: job.activityId!,
    businessKey: instance.business_key,
    variables,
    idempotencyKey: p.idempotencyKey,
  });
}

/** `camunda:failedJobRetryTimeCycle` (`R5/PT10M`): a fixed pause between attempts; otherwise the runner's backoff. */
function cycleDelay(svc: EngineDeps, retryCycle: unknown): number | undefined {
  const cycle = typeof retryCycle === 'string' ? parseCycle(retryCycle) : null;
  if (!cycle) return undefined;
  const now = svc.clock.now();
  return addDuration(now, cycle.duration).getTime() - now.getTime();
}

/** The job runner's handler for `service` jobs: retries, backoff, then an incident. */
export function registerServiceJobs(runner: JobRunner, svc: JobDeps): void {
  runner.register(
    'service',
    async (em, job, prepared) => {
      const outcome = prepared as HandlerOutcome | null;
      if (!outcome) return 'obsolete';
      if (svc.db.dialect === 'postgresql') {
        // Lock order job → instance; a command holding the instance makes us back off, never wait.
        if (!(await lockInstanceOrSkip(em, job.instanceId))) throw new JobBusy(`instance ${job.instanceId} is busy`);
      }
      let completed: boolean;
      try {
        completed = await svc.engine.completeServiceTask(
          em,
          SERVICE_ACTING,
          { id: job.id, instanceId: job.instanceId!, activityId: job.activityId!, executionId: job.executionId!, dueAt: job.dueAt },
          outcome,
        );
      } catch (err) {
        // No retry makes a boundary event appear: the model (or the handler) needs a person.
        if (err instanceof AppError && err.code === 'process.bpmn_error_uncaught')
          throw new NonRetryableJobError(err.detail ?? err.message);
        throw err;
      }
      if (!completed) return 'obsolete';
      await svc.audit.append(em, {
        ...SERVICE_ACTING,
        action: 'service_task.completed',
        targetType: 'process_instance',
        targetId: job.instanceId,
        unitId: await unitOfInstance(em, job.instanceId!),
        summary: {
          jobId: job.id,
          activityId: job.activityId,
          topic: (job.payload as unknown as ServicePayload).topic,
          attempts: job.attempts + 1,
          ...('error' in outcome ? { errorCode: outcome.error.code } : { variables: Object.keys(outcome.variables) }),
        },
      });
      return 'done';
    },
    {
      prepare: (job) => runHandler(svc, job),
      maxAttempts: (job) => Number((job.payload as unknown as ServicePayload).retries) || 3,
      retryDelayMs: (job) => cycleDelay(svc, (job.payload as unknown as ServicePayload).retryCycle),
      ...incidentHooks(svc),
    },
  );
}
