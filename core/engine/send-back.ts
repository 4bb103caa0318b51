import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../errors.ts';
import { Task } from './entities.ts';
import type { TaskRow } from './rows.ts';
import type { SendBack } from './run-types.ts';
import { SNAPSHOT } from './snapshots.ts';
import type { LoadedDefinition } from './types.ts';

/**
 * Send-back (ADR 0020, docs/bpmn-extensions.md `motcua:sendBack`): which step a task goes back
 * to, and whether the diagram lets the engine move the token there safely. Reads the deployed
 * model and the task rows only; the engine move itself is run.ts `sendBack`.
 *
 * The **previous step** is the user task of the same instance completed last before this task
 * opened, of another activity, on the same path: a direct child of the process like the task,
 * from which the task is reached along sequence flows without a joining gateway.
 */

interface ContextElement {
  id: string;
  type: string;
  parent?: { id: string };
  behaviour?: { attachedTo?: { id: string } | string; loopCharacteristics?: unknown };
}

interface Context {
  getActivityById(id: string): ContextElement | undefined;
  getActivities(scopeId?: string): ContextElement[];
  getOutboundSequenceFlows(id: string): { targetId: string }[];
}

/** Gateways that wait for several paths: a path moved under them would leave them waiting, or fire them early. */
const JOINS = new Set(['bpmn:ParallelGateway', 'bpmn:InclusiveGateway', 'bpmn:ComplexGateway']);

const contextOf = (def: LoadedDefinition) => def.sourceContext as unknown as Context;
const attachedTo = (e: ContextElement) => {
  const a = e.behaviour?.attachedTo;
  return (typeof a === 'string' ? a : a?.id) ?? null;
};
const refuse = (detail: string) => new AppError('task.send_back_not_allowed', detail);

/** The boundary events attached to an activity. */
function boundaryOf(ctx: Context, scopeId: string, activityId: string): string[] {
  return ctx
    .getActivities(scopeId)
    .filter((e) => attachedTo(e) === activityId)
    .map((e) => e.id);
}

/** Everything reached from `from` (and its boundary events) along sequence flows, not going through `stop`. */
function reached(ctx: Context, scopeId: string, from: string, stop: string): Set<string> {
  const seen = new Set<string>();
  const queue = [from, ...boundaryOf(ctx, scopeId, from)];
  while (queue.length) {
    const id = queue.shift()!;
    for (const flow of ctx.getOutboundSequenceFlows(id)) {
      const next = flow.targetId;
      if (next === stop || seen.has(next)) continue;
      seen.add(next);
      queue.push(next, ...boundaryOf(ctx, scopeId, next));
    }
  }
  return seen;
}

/** Does a path lead from `from` to `to` without a joining gateway? */
function pathWithoutJoin(ctx: Context, from: string, to: string): boolean {
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length) {
    const id = queue.shift()!;
    for (const flow of ctx.getOutboundSequenceFlows(id)) {
      const next = flow.targetId;
      if (next === to) return true;
      if (seen.has(next) || JOINS.has(ctx.getActivityById(next)?.type ?? '')) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return false;
}

/**
 * The send-back of an open task: the step it goes back to (its last completed task) and what the
 * engine needs. Refuses with `task.send_back_not_allowed` (the step is not marked, or the diagram
 * around it does not allow moving the token) or `task.no_previous_step`.
 */
export async function planSendBack(
  em: EntityManager,
  def: LoadedDefinition,
  task: TaskRow,
): Promise<{ engine: SendBack; previous: Pick<Task, 'id' | 'activityId' | 'completedBy'> }> {
  const model = def.activities[task.activity_id];
  if (!model?.step?.sendBack) throw refuse(`Step ${task.activity_id} does not allow send-back (motcua:sendBack)`);
  const ctx = contextOf(def);
  const current = ctx.getActivityById(task.activity_id);
  if (!current || (current.parent?.id ?? def.key) !== def.key)
    throw refuse(`Step ${task.activity_id} lies inside a sub-process: only steps of the process itself are sent back`);
  if (current.behaviour?.loopCharacteristics) throw refuse(`Step ${task.activity_id} is multi-instance`);

  const done = await em.find(
    Task,
    {
      instanceId: task.instance_id,
      status: 'completed',
      completedAt: { $lte: new Date(task.created_at as Date | string) },
      activityId: { $ne: task.activity_id },
    },
    { orderBy: { completedAt: 'desc', createdAt: 'desc' }, fields: ['id', 'activityId', 'completedBy'], ...SNAPSHOT },
  );
  const previous = done.find((t) => {
    const el = ctx.getActivityById(t.activityId);
    if (!el || (el.parent?.id ?? def.key) !== def.key || el.behaviour?.loopCharacteristics) return false;
    return pathWithoutJoin(ctx, t.activityId, task.activity_id);
  });
  if (!previous) throw new AppError('task.no_previous_step', `No step before ${task.activity_id} on its path to send the dossier back to`);

  // Discarding the task discards what lies after it: that must not reach a join nor the step run again.
  const after = reached(ctx, def.key, task.activity_id, task.activity_id);
  const join = [...after].find((id) => JOINS.has(ctx.getActivityById(id)?.type ?? ''));
  if (join) throw refuse(`Step ${task.activity_id} leads to the joining gateway ${join}: it cannot be sent back`);
  if (after.has(previous.activityId))
    throw refuse(`Step ${task.activity_id} leads back to ${previous.activityId} itself: model that return in the diagram instead`);

  return {
    engine: {
      activityId: task.activity_id,
      executionId: task.execution_id,
      to: previous.activityId,
      alongside: boundaryOf(ctx, def.key, task.activity_id),
    },
    previous,
  };
}
