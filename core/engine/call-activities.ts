import type { EntityManager } from '@mikro-orm/knex';
import type { Services } from '../context.ts';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import { insertJob, type Job } from '../jobs/jobs.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { LoadedDefinition } from './definitions.ts';
import { incidentHooks, openIncident } from './incidents.ts';
import { evaluateIo, mapBindings, type Variables } from './io-mapping.ts';
import { nested } from './messages.ts';
import type { CompiledProcess } from './model.ts';
import { ACTIVE, type InstanceRow } from './rows.ts';
import type { RunResult, Signal, Waiting } from './run.ts';
import { hasExpression } from './expressions.ts';

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
 * Every nested command counts against the depth limit shared with messages (`nested`).
 */

/** A child's link to the call activity that started it. */
export interface ParentLink {
  instanceId: string;
  activityId: string;
  executionId: string;
  rootId: string;
}

/** Who runs `call` jobs (an incident retried). */
export const CALL_ACTING: Acting = { actor: { id: null, name: 'system:call-activity' }, requestId: null };

const tooDeep = (max: number) =>
  new AppError(
    'process.call_too_deep',
    `Call activities and messages went more than ${max} levels deep in one command (a process that calls itself?)`,
  );

async function audit(
  em: EntityManager,
  svc: Services,
  acting: Acting,
  action: string,
  instanceId: string,
  summary: Record<string, unknown>,
) {
  const [row] = await em.execute<{ unit_id: string | null }[]>('SELECT unit_id FROM process_instances WHERE id = ?', [instanceId]);
  await svc.audit.append(em, {
    ...acting,
    action,
    targetType: 'process_instance',
    targetId: instanceId,
    unitId: row?.unit_id ?? null,
    summary,
  });
}

/** A called child that threw an uncaught BPMN error: it ends there, every other path with it. */
export function endedByError(result: RunResult): RunResult {
  return { ...result, completed: true, waiting: [], timers: [] };
}

/** Is the parent's call activity (this execution) still waiting? */
async function stillWaits(em: EntityManager, instanceId: string, executionId: string): Promise<boolean> {
  const rows = await em.execute<{ status: string }[]>(
    `SELECT p.status FROM process_instances p JOIN activity_history h ON h.instance_id = p.id
     WHERE p.id = ? AND h.execution_id = ? AND h.ended_at IS NULL`,
    [instanceId, executionId],
  );
  return rows.length > 0 && ACTIVE.has(rows[0].status as never);
}

/** The failed `call` job of a call activity, and its incident: the parent shows `incident`. */
async function callIncident(
  em: EntityManager,
  svc: Services,
  parent: { id: string; definitionId: string },
  call: { activityId: string; executionId: string; inputs?: Variables },
  message: string,
): Promise<void> {
  const now = svc.clock.now();
  const [existing] = await em.execute<{ id: string; attempts: number | string; payload: string }[]>(
    "SELECT id, attempts, payload FROM jobs WHERE instance_id = ? AND execution_id = ? AND kind = 'call'",
    [parent.id, call.executionId],
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
  await em.execute("UPDATE jobs SET status = 'failed', attempts = ?, last_error = ?, locked_by = NULL, locked_until = NULL WHERE id = ?", [
    attempts,
    message.slice(0, 4000),
    id,
  ]);
  const job: Job = {
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
 * Starts the child of a waiting call activity (nested in the current command). Null, with an
 * incident on the parent, when the called definition does not exist (or `failHard`: throws).
 */
async function startChild(
  em: EntityManager,
  svc: Services,
  acting: Acting,
  def: LoadedDefinition,
  parent: InstanceRow,
  call: { activityId: string; executionId: string; inputs?: Variables },
  failHard = false,
): Promise<string | null> {
  const model = def.activities[call.activityId]!.callActivity!;
  const variables = JSON.parse(parent.variables) as Variables;
  const scope = { ...variables, ...(call.inputs ?? {}) };
  const key = String(evaluateIo(model.calledElement, scope) ?? '');
  let child: LoadedDefinition;
  try {
    child = await svc.engine.definitions.resolve(em, key, model.binding === 'version' ? model.version : null);
  } catch (err) {
    if (failHard || !(err instanceof AppError) || err.code !== 'process.definition_not_found') throw err;
    await callIncident(em, svc, { id: parent.id, definitionId: def.id }, call, `Call activity ${call.activityId}: ${err.message}`);
    return null;
  }
  const unit = await svc.engine.taskUnit(em, def, call.activityId, { unitId: parent.unit_id, unitPath: parent.unit_path });
  const link: ParentLink = {
    instanceId: parent.id,
    activityId: call.activityId,
    executionId: call.executionId,
    rootId: parent.root_id ?? parent.id,
  };
  const childId = await nested(
    em,
    () =>
      svc.engine.start(em, acting, {
        definitionKey: child.key,
        version: child.version,
        businessKey: parent.business_key,
        variables: mapBindings(model.in, scope),
        unitId: unit.id,
        unitPath: unit.path,
        parent: link,
      }),
    tooDeep,
  );
  await audit(em, svc, acting, 'call_activity.started', parent.id, {
    activityId: call.activityId,
    executionId: call.executionId,
    childId,
    key: child.key,
    version: child.version,
  });
  return childId;
}

/** A child ended (normally or by a BPMN error): its parent's call activity completes or throws, in this transaction. */
async function resumeParent(
  em: EntityManager,
  svc: Services,
  acting: Acting,
  childDef: LoadedDefinition,
  childId: string,
  result: RunResult,
): Promise<void> {
  const [link] = await em.execute<{ parent_id: string | null; parent_activity_id: string | null; parent_execution_id: string | null }[]>(
    'SELECT parent_id, parent_activity_id, parent_execution_id FROM process_instances WHERE id = ?',
    [childId],
  );
  if (!link?.parent_id || !link.parent_activity_id || !link.parent_execution_id) return;
  const parent = await svc.engine.loadInstance(em, link.parent_id);
  if (!ACTIVE.has(parent.status)) return;
  const def = await svc.engine.definitions.byId(em, parent.definition_id);
  const model = def.activities[link.parent_activity_id]?.callActivity;
  const base = { activityId: link.parent_activity_id, executionId: link.parent_execution_id };
  const signal: Signal = result.thrown
    ? { ...base, error: { code: result.thrown.code, message: `${childDef.key}: ${result.thrown.message}` } }
    : { ...base, variables: mapBindings(model?.out ?? [], result.variables) };
  const resumed = await nested(em, () => svc.engine.signal(em, acting, parent.id, signal), tooDeep);
  if (!resumed) return;
  await audit(em, svc, acting, 'call_activity.completed', parent.id, {
    activityId: base.activityId,
    executionId: base.executionId,
    childId,
    ...(result.thrown ? { errorCode: result.thrown.code } : { variables: Object.keys(signal.variables ?? {}) }),
  });
}

/** Cancels the running children of an instance (their own children first follow, recursively). */
export async function cancelChildren(
  em: EntityManager,
  svc: Services,
  acting: Acting,
  instanceId: string,
  executionId?: string,
): Promise<void> {
  const rows = await em.execute<InstanceRow[]>(
    `SELECT * FROM process_instances WHERE parent_id = ? AND status IN ('running', 'incident')${executionId ? ' AND parent_execution_id = ?' : ''}`,
    executionId ? [instanceId, executionId] : [instanceId],
  );
  for (const row of rows) {
    const child = await svc.engine.loadInstance(em, row.id);
    await nested(
      em,
      () => svc.engine.cancel(em, acting, child, executionId ? 'its call activity no longer waits' : 'parent cancelled'),
      tooDeep,
    );
  }
}

/**
 * A child cancelled on its own while its parent still waits for it: the parent gets an
 * incident on the call activity; retrying it starts a new child. (Called after every cancel.)
 */
export async function childCancelled(em: EntityManager, svc: Services, child: InstanceRow): Promise<void> {
  if (!child.parent_id || !child.parent_execution_id || !child.parent_activity_id) return;
  if (!(await stillWaits(em, child.parent_id, child.parent_execution_id))) return;
  const [parent] = await em.execute<{ definition_id: string }[]>('SELECT definition_id FROM process_instances WHERE id = ?', [
    child.parent_id,
  ]);
  await callIncident(
    em,
    svc,
    { id: child.parent_id, definitionId: parent.definition_id },
    { activityId: child.parent_activity_id, executionId: child.parent_execution_id },
    `Call activity ${child.parent_activity_id}: the called instance ${child.id} (${child.definition_key}) was cancelled; retry to start a new one, or cancel this instance`,
  );
}

/**
 * The last step of every command (runtime.persist), in its transaction:
 * 1. call activities that ended without their child (a boundary event, the end of the
 *    instance) cancel it;
 * 2. a called instance that ended resumes its parent;
 * 3. every waiting call activity without a child (or an incident) starts one.
 * Nested commands on the same instance may already have done some of it: every step checks
 * the database, not `result`.
 */
export async function afterCalls(
  em: EntityManager,
  svc: Services,
  acting: Acting,
  def: LoadedDefinition,
  instance: { id: string; parentId: string | null },
  result: RunResult,
): Promise<void> {
  const ended = result.history.filter((h) => h.endedAt && h.type === 'bpmn:CallActivity');
  for (const h of ended) await cancelChildren(em, svc, acting, instance.id, h.executionId);
  if (result.completed && instance.parentId) {
    if (result.thrown)
      await em.execute('UPDATE activity_history SET ended_at = ? WHERE instance_id = ? AND ended_at IS NULL', [
        svc.clock.now(),
        instance.id,
      ]);
    await resumeParent(em, svc, acting, def, instance.id, result);
    return;
  }
  const calls = result.waiting.filter((w) => w.type === 'bpmn:CallActivity' && def.activities[w.activityId]?.callActivity);
  for (const w of calls) await startIfNone(em, svc, acting, def, instance.id, w);
}

async function startIfNone(
  em: EntityManager,
  svc: Services,
  acting: Acting,
  def: LoadedDefinition,
  instanceId: string,
  w: Waiting,
): Promise<void> {
  if (!(await stillWaits(em, instanceId, w.executionId))) return;
  const [child] = await em.execute<{ id: string }[]>('SELECT id FROM process_instances WHERE parent_id = ? AND parent_execution_id = ?', [
    instanceId,
    w.executionId,
  ]);
  const [job] = await em.execute<{ id: string }[]>("SELECT id FROM jobs WHERE instance_id = ? AND execution_id = ? AND kind = 'call'", [
    instanceId,
    w.executionId,
  ]);
  if (child || job) return;
  await startChild(em, svc, acting, def, await svc.engine.loadInstance(em, instanceId), w);
}

/** The job runner's `call` jobs: an incident on a call activity, retried by an operator. */
export function registerCallJobs(runner: JobRunner, svc: Services): void {
  runner.register(
    'call',
    async (em, job) => {
      if (!job.instanceId || !job.executionId || !job.activityId) return 'obsolete';
      if (!(await stillWaits(em, job.instanceId, job.executionId))) return 'obsolete';
      const parent = await svc.engine.loadInstance(em, job.instanceId);
      const def = await svc.engine.definitions.byId(em, parent.definition_id);
      const inputs = (job.payload.inputs ?? {}) as Variables;
      await startChild(em, svc, CALL_ACTING, def, parent, { activityId: job.activityId, executionId: job.executionId, inputs }, true);
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
      const [{ max }] = await em.execute<{ max: number | string | null }[]>(
        'SELECT MAX(version) AS max FROM process_definitions WHERE key = ?',
        [call.calledElement],
      );
      const latest = Math.max(Number(max ?? 0), inFile.has(call.calledElement) ? 1 : 0);
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
