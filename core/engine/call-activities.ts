import type { EntityManager } from '@mikro-orm/knex';
import type { EngineDeps } from './deps.ts';
import type { Command } from './commands.ts';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import { insertJob, type Job as JobRow } from '../jobs/jobs.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { EngineCommands, LoadedDefinition, ParentLink, Routing } from './types.ts';
import { parseRouting } from './routing.ts';
import { incidentHooks, openIncident } from './incidents.ts';
import { evaluateIo, mapBindings, type Variables } from './io-mapping.ts';
import type { CompiledProcess } from './model.ts';
import { ACTIVE, type InstanceRow, type InstanceStatus } from './rows.ts';
import type { RunResult, Signal } from './run-types.ts';
import { hasExpression } from './expressions.ts';
import { Job } from '../jobs/entities.ts';
import { ActivityHistory, ProcessDefinition, ProcessInstance } from './entities.ts';
import { SNAPSHOT, unitOfInstance } from './snapshots.ts';

/**
 * Call activities across definitions (docs/bpmn-extensions.md §5c, docs/adr/0007).
 * - The parent waits at the call activity (bpmn-elements parks it like a user task); after
 *   the command that reached it, in its transaction, the runtime starts the child: a real
 *   instance of the called definition (latest, or `calledElementBinding="version"`), with
 *   the `camunda:in` variables, linked by `parent_id` / `parent_activity_id` /
 *   `parent_execution_id` and sharing the parent's `root_id`, business key and (unless the
 *   call activity names a `motcua:unit`) unit.
 * - The child's end resumes the parent in the same transaction: the call activity completes
 *   with the `camunda:out` variables; a BPMN error end event nothing in the child catches
 *   ends the child and is thrown from the call activity (its error boundary event catches it;
 *   uncaught, the command fails with `process.bpmn_error_uncaught` and nothing changes).
 * - Cancelling the parent cancels its running children (recursively); a call activity that
 *   stops waiting otherwise (a boundary event took over) cancels its child too.
 * - A child that cannot start (no such definition) or that is cancelled on its own while its
 *   parent still waits opens an incident on the parent (a failed `call` job); retrying it
 *   starts a new child.
 * Every follow-up command counts against the drain loop's limits, shared with messages (commands.ts).
 */

/** What of the runtime the call-activity commands use (runtime.ts implements it). */
export interface CallEngine {
  definitions: EngineCommands['definitions'];
  taskUnit(
    em: EntityManager,
    def: LoadedDefinition,
    activityId: string,
    instance: { unitId: string | null; unitPath: string | null; routing?: Routing | null },
  ): Promise<{ id: string | null; path: string | null }>;
  /** The job runner's retry of a `call` incident: starts the child, failing hard (runtime.ts). */
  startCallChild(
    em: EntityManager,
    acting: Acting,
    instanceId: string,
    call: { activityId: string; executionId: string; inputs?: Variables },
  ): Promise<void>;
}

/** What a child's start takes (runtime.ts `start`). */
export interface ChildInput {
  definitionKey: string;
  version: number;
  businessKey: string | null;
  variables: Record<string, unknown>;
  unitId: string | null;
  unitPath: string | null;
  parent: ParentLink;
  routing: Routing | null;
}

export type { ParentLink } from './types.ts';

/** Who runs `call` jobs (an incident retried). */
export const CALL_ACTING: Acting = { actor: { id: null, name: 'system:call-activity' }, requestId: null };

async function audit(
  em: EntityManager,
  svc: EngineDeps,
  acting: Acting,
  action: string,
  instanceId: string,
  summary: Record<string, unknown>,
) {
  await svc.audit.append(em, {
    ...acting,
    action,
    targetType: 'process_instance',
    targetId: instanceId,
    unitId: await unitOfInstance(em, instanceId),
    summary,
  });
}

/** A called child that threw an uncaught BPMN error: it ends there, every other path with it. */
export function endedByError(result: RunResult): RunResult {
  return { ...result, completed: true, waiting: [], timers: [] };
}

/** Is the parent's call activity (this execution) still waiting? */
async function stillWaits(em: EntityManager, instanceId: string, executionId: string): Promise<boolean> {
  const instance = await em.findOne(ProcessInstance, { id: instanceId }, { fields: ['status'], ...SNAPSHOT });
  if (!instance || !ACTIVE.has(instance.status as InstanceStatus)) return false;
  return (await em.count(ActivityHistory, { instanceId, executionId, endedAt: null })) > 0;
}

/** The failed `call` job of a call activity, and its incident: the parent shows `incident`. */
async function callIncident(
  em: EntityManager,
  svc: EngineDeps,
  parent: { id: string; definitionId: string },
  call: { activityId: string; executionId: string; inputs?: Variables },
  message: string,
): Promise<void> {
  const now = svc.clock.now();
  const existing = await em.findOne(
    Job,
    { instanceId: parent.id, executionId: call.executionId, kind: 'call' },
    { fields: ['id', 'attempts', 'payload'], ...SNAPSHOT },
  );
  const payload = existing ? (JSON.parse(existing.payload || '{}') as Record<string, unknown>) : { inputs: call.inputs ?? {} };
  const id =
    existing?.id ??
    (await insertJob(
      em,
      {
        kind: 'call',
        instanceId: parent.id,
        definitionId: parent.definitionId,
        activityId: call.activityId,
        executionId: call.executionId,
        dueAt: now,
        payload,
      },
      now,
    ));
  const attempts = Number(existing?.attempts ?? 0) + 1;
  await em.nativeUpdate(Job, { id }, { status: 'failed', attempts, lastError: message.slice(0, 4000), lockedBy: null, lockedUntil: null });
  const job: JobRow = {
    id,
    kind: 'call',
    instanceId: parent.id,
    definitionId: parent.definitionId,
    activityId: call.activityId,
    executionId: call.executionId,
    dueAt: now,
    status: 'failed',
    attempts,
    lastError: message,
    payload,
  };
  await openIncident(em, svc, job, message);
}

/**
 * What starting the child of a waiting call activity takes (the runtime's drain loop starts it).
 * Null, with an incident on the parent, when the called definition does not exist (or
 * `failHard`: throws).
 */
export async function childStart(
  em: EntityManager,
  svc: EngineDeps,
  engine: Pick<CallEngine, 'definitions' | 'taskUnit'>,
  def: LoadedDefinition,
  parent: InstanceRow,
  call: { activityId: string; executionId: string; inputs?: Variables },
  failHard = false,
): Promise<{ child: LoadedDefinition; input: ChildInput } | null> {
  const model = def.activities[call.activityId]!.callActivity!;
  const variables = JSON.parse(parent.variables) as Variables;
  const scope = { ...variables, ...(call.inputs ?? {}) };
  const key = String(evaluateIo(model.calledElement, scope) ?? '');
  let child: LoadedDefinition;
  try {
    child = await engine.definitions.resolve(em, key, model.binding === 'version' ? model.version : null);
  } catch (err) {
    if (failHard || !(err instanceof AppError) || err.code !== 'process.definition_not_found') throw err;
    await callIncident(em, svc, { id: parent.id, definitionId: def.id }, call, `Call activity ${call.activityId}: ${err.message}`);
    return null;
  }
  const routing = parseRouting(parent.routing);
  const unit = await engine.taskUnit(em, def, call.activityId, { unitId: parent.unit_id, unitPath: parent.unit_path, routing });
  const link: ParentLink = {
    instanceId: parent.id,
    activityId: call.activityId,
    executionId: call.executionId,
    rootId: parent.root_id ?? parent.id,
  };
  return {
    child,
    input: {
      definitionKey: child.key,
      version: child.version,
      businessKey: parent.business_key,
      variables: mapBindings(model.in, scope),
      unitId: unit.id,
      unitPath: unit.path,
      parent: link,
      routing,
    },
  };
}

/** The audit record of a child started. */
export async function childStarted(
  em: EntityManager,
  svc: EngineDeps,
  acting: Acting,
  parentId: string,
  call: { activityId: string; executionId: string },
  child: { id: string; key: string; version: number },
): Promise<void> {
  await audit(em, svc, acting, 'call_activity.started', parentId, {
    activityId: call.activityId,
    executionId: call.executionId,
    childId: child.id,
    key: child.key,
    version: child.version,
  });
}

/** The link of a child to its parent's call activity, when it has one. */
export async function parentLink(
  em: EntityManager,
  childId: string,
): Promise<{ parentId: string; activityId: string; executionId: string } | null> {
  const link = await em.findOne(
    ProcessInstance,
    { id: childId },
    { fields: ['parentId', 'parentActivityId', 'parentExecutionId'], ...SNAPSHOT },
  );
  if (!link?.parentId || !link.parentActivityId || !link.parentExecutionId) return null;
  return { parentId: link.parentId, activityId: link.parentActivityId, executionId: link.parentExecutionId };
}

/** What resumes the parent's call activity: the `camunda:out` variables, or the child's uncaught BPMN error. */
export function resumeSignal(
  def: LoadedDefinition,
  link: { activityId: string; executionId: string },
  childKey: string,
  ended: { thrown: { code: string; message: string } | null; variables: Record<string, unknown> },
): Signal {
  const base = { activityId: link.activityId, executionId: link.executionId };
  return ended.thrown
    ? { ...base, error: { code: ended.thrown.code, message: `${childKey}: ${ended.thrown.message}` } }
    : { ...base, variables: mapBindings(def.activities[link.activityId]?.callActivity?.out ?? [], ended.variables) };
}

/** The audit record of a parent resumed by its child. */
export async function parentResumed(
  em: EntityManager,
  svc: EngineDeps,
  acting: Acting,
  parentId: string,
  signal: Signal,
  childId: string,
): Promise<void> {
  await audit(em, svc, acting, 'call_activity.completed', parentId, {
    activityId: signal.activityId,
    executionId: signal.executionId,
    childId,
    ...(signal.error ? { errorCode: signal.error.code } : { variables: Object.keys(signal.variables ?? {}) }),
  });
}

/** The running children of an instance (of one call activity's execution): each a `cancel` command (theirs follow, recursively). */
export async function childCancels(em: EntityManager, acting: Acting, instanceId: string, executionId?: string): Promise<Command[]> {
  const rows = await em.find(
    ProcessInstance,
    { parentId: instanceId, status: { $in: ['running', 'incident'] }, ...(executionId && { parentExecutionId: executionId }) },
    { fields: ['id'], ...SNAPSHOT },
  );
  const reason = executionId ? 'its call activity no longer waits' : 'parent cancelled';
  return rows.map((r) => ({ kind: 'cancel', acting, instanceId: r.id, reason }));
}

/**
 * A child cancelled on its own while its parent still waits for it: the parent gets an
 * incident on the call activity; retrying it starts a new child. (Called after every cancel.)
 */
export async function childCancelled(em: EntityManager, svc: EngineDeps, child: InstanceRow): Promise<void> {
  if (!child.parent_id || !child.parent_execution_id || !child.parent_activity_id) return;
  if (!(await stillWaits(em, child.parent_id, child.parent_execution_id))) return;
  const parent = await em.findOneOrFail(ProcessInstance, { id: child.parent_id }, { fields: ['definitionId'], ...SNAPSHOT });
  await callIncident(
    em,
    svc,
    { id: child.parent_id, definitionId: parent.definitionId },
    { activityId: child.parent_activity_id, executionId: child.parent_execution_id },
    `Call activity ${child.parent_activity_id}: the called instance ${child.id} (${child.definition_key}) was cancelled; retry to start a new one, or cancel this instance`,
  );
}

/**
 * The last step of every command (runtime.persist), in its transaction, as follow-up commands:
 * 1. call activities that ended without their child (a boundary event, the end of the
 *    instance) cancel it;
 * 2. a called instance that ended resumes its parent;
 * 3. every waiting call activity without a child (or an incident) starts one.
 * Commands run before one of these may already have done some of it: each checks the database
 * when it runs, not `result`.
 */
export async function callEffects(
  em: EntityManager,
  svc: EngineDeps,
  acting: Acting,
  def: LoadedDefinition,
  instance: { id: string; parentId: string | null },
  result: RunResult,
): Promise<Command[]> {
  const follow: Command[] = [];
  const ended = result.history.filter((h) => h.endedAt && h.type === 'bpmn:CallActivity');
  for (const h of ended) follow.push(...(await childCancels(em, acting, instance.id, h.executionId)));
  if (result.completed && instance.parentId) {
    if (result.thrown) await em.nativeUpdate(ActivityHistory, { instanceId: instance.id, endedAt: null }, { endedAt: svc.clock.now() });
    follow.push({
      kind: 'resumeParent',
      acting,
      childId: instance.id,
      childKey: def.key,
      thrown: result.thrown,
      variables: result.variables,
    });
    return follow;
  }
  for (const w of result.waiting)
    if (w.type === 'bpmn:CallActivity' && def.activities[w.activityId]?.callActivity)
      follow.push({ kind: 'startChild', acting, instanceId: instance.id, call: w });
  return follow;
}

/** Does this waiting call activity still need a child (it waits, and has neither a child nor an incident)? */
export async function needsChild(em: EntityManager, instanceId: string, executionId: string): Promise<boolean> {
  if (!(await stillWaits(em, instanceId, executionId))) return false;
  if (await em.count(ProcessInstance, { parentId: instanceId, parentExecutionId: executionId })) return false;
  return (await em.count(Job, { instanceId, executionId, kind: 'call' })) === 0;
}

/** The job runner's `call` jobs: an incident on a call activity, retried by an operator. */
export function registerCallJobs(runner: JobRunner, svc: EngineDeps & { engine: CallEngine }): void {
  runner.register(
    'call',
    async (em, job) => {
      if (!job.instanceId || !job.executionId || !job.activityId) return 'obsolete';
      if (!(await stillWaits(em, job.instanceId, job.executionId))) return 'obsolete';
      const inputs = (job.payload.inputs ?? {}) as Variables;
      await svc.engine.startCallChild(em, CALL_ACTING, job.instanceId, {
        activityId: job.activityId,
        executionId: job.executionId,
        inputs,
      });
      return 'done';
    },
    { maxAttempts: () => 1, ...incidentHooks(svc) },
  );
}

/**
 * Deploy-time remarks: a call activity naming a process that is neither in the file nor
 * deployed (or not in that version) deploys, with a warning; an instance reaching it gets an
 * incident until the process is deployed and the incident retried.
 */
export async function calledElementWarnings(em: EntityManager, processes: CompiledProcess[]): Promise<string[]> {
  const out: string[] = [];
  const inFile = new Set(processes.map((p) => p.key));
  for (const proc of processes) {
    for (const a of Object.values(proc.activities)) {
      const call = a.callActivity;
      if (!call || !call.calledElement || hasExpression(call.calledElement)) continue;
      if (inFile.has(call.calledElement) && call.binding === 'latest') continue;
      const deployed = await em.findOne(
        ProcessDefinition,
        { key: call.calledElement },
        { fields: ['version'], orderBy: { version: 'desc' }, ...SNAPSHOT },
      );
      const latest = Math.max(deployed?.version ?? 0, inFile.has(call.calledElement) ? 1 : 0);
      if (latest === 0)
        out.push(
          `Call activity ${a.id} of ${proc.key} calls "${call.calledElement}", which is not deployed: an instance reaching it gets an incident until it is`,
        );
      else if (call.binding === 'version' && call.version !== null && call.version > latest) {
        out.push(
          `Call activity ${a.id} of ${proc.key} calls version ${call.version} of "${call.calledElement}", which is not deployed (latest: ${latest})`,
        );
      }
    }
  }
  return out;
}
