import type { EntityManager } from '@mikro-orm/knex';
import type { Acting } from '../org/actor.ts';
import type { EngineDeps } from './deps.ts';
import type { LoadedDefinition } from './definitions.ts';
import { dueDateFrom } from './due-date.ts';
import { hasExpression } from './expressions.ts';
import type { OpenTaskRow } from './store.ts';
import { closeTasks, insertTasks, unitByCodeOrId, type NewTask } from './store.ts';
import { csv, type TaskRow } from './rows.ts';
import { routeStep } from './routing.ts';
import type { RunResult } from './run.ts';
import type { Waiting } from './run-types.ts';
import { taskAttributes } from './task-attributes.ts';
import type { TaskDueRules } from './task-due.ts';
import type { Routing } from './types.ts';

/**
 * The task rows of one command (runtime.ts `persist`): the tasks whose activity stopped waiting
 * are closed (completed by the actor, or cancelled), a task opens for each human activity that
 * waits now, in the unit its step names or the instance's routing gives, and each change is
 * published as a domain event in the command's transaction.
 */

/** What a command's writes need to know of its instance. */
export interface CommandTarget {
  id: string;
  lockVersion: number;
  unitId: string | null;
  unitPath: string | null;
  /** The parent instance of a called instance (call-activities.ts). */
  parentId: string | null;
  /** For the domain events (core/events). */
  businessKey: string | null;
  /** Where steps without `motcua:unit` go (types.ts `Routing`). */
  routing: Routing | null;
}

const HUMAN_TASKS = new Set(['bpmn:UserTask', 'bpmn:ManualTask']);

/** A task sent back in this command (runtime.ts `sendBackTask`): it ends `sent_back`, and the step it goes back to reopens for `assignee`. */
export interface SentBack {
  executionId: string;
  reason: string;
  toActivityId: string;
  /** Whoever completed the step before (a user id), else null: the step's own candidates. */
  assignee: string | null;
}

/** The part of a task row every task event carries. */
export const taskFacts = (
  t: Pick<TaskRow, 'id' | 'instance_id' | 'definition_key' | 'activity_id' | 'name' | 'unit_id'>,
  businessKey: string | null,
) => ({
  taskId: t.id,
  instanceId: t.instance_id,
  definitionKey: t.definition_key,
  activityId: t.activity_id,
  name: t.name,
  unitId: t.unit_id,
  businessKey,
});

/** Open tasks whose activity no longer waits: the one signalled is completed, the others cancelled. */
export async function closeCommandTasks(
  em: EntityManager,
  svc: Pick<EngineDeps, 'events'>,
  acting: Acting,
  def: LoadedDefinition,
  instance: CommandTarget,
  result: RunResult,
  open: OpenTaskRow[],
  signalled: string | null,
  now: Date,
  back: SentBack | null = null,
): Promise<void> {
  const waitingIds = new Set(result.waiting.map((w) => w.executionId));
  const gone = open.filter((t) => !waitingIds.has(t.execution_id));
  const done = gone.filter((t) => t.execution_id === signalled);
  const returned = gone.filter((t) => t.execution_id === back?.executionId);
  const cancelled = gone.filter((t) => t.execution_id !== signalled && t.execution_id !== back?.executionId);
  await closeTasks(
    em,
    done.map((t) => t.id),
    'completed',
    acting.actor.id,
    now,
  );
  await closeTasks(
    em,
    returned.map((t) => t.id),
    'sent_back',
    acting.actor.id,
    now,
  );
  await closeTasks(
    em,
    cancelled.map((t) => t.id),
    'cancelled',
    null,
    now,
  );
  const events = svc.events;
  const facts = (t: OpenTaskRow) => taskFacts({ ...t, instance_id: instance.id, definition_key: def.key }, instance.businessKey);
  for (const t of gone) {
    if (t.execution_id === signalled) {
      if (events.has('task.completed')) await events.publish(em, 'task.completed', { ...facts(t), completedBy: acting.actor.id }, acting);
    } else if (back && t.execution_id === back.executionId) {
      if (events.has('task.sent_back'))
        await events.publish(
          em,
          'task.sent_back',
          { ...facts(t), sentBackBy: acting.actor.id, reason: back.reason, toActivityId: back.toActivityId },
          acting,
        );
    } else if (events.has('task.cancelled')) await events.publish(em, 'task.cancelled', { ...facts(t), reason: 'path_ended' }, acting);
  }
}

/**
 * A task row for each human activity that waits now and had none: their due times as the
 * registered rules leave them (task-due.ts), written in one INSERT, then their events.
 */
export async function openCommandTasks(
  em: EntityManager,
  svc: Pick<EngineDeps, 'events' | 'calendar'> & { dueRules: TaskDueRules },
  acting: Acting,
  def: LoadedDefinition,
  instance: CommandTarget,
  result: RunResult,
  known: Set<string>,
  now: Date,
  back: SentBack | null = null,
): Promise<void> {
  const created: { task: NewTask; attrs: ReturnType<typeof taskAttributes> }[] = [];
  for (const w of result.waiting) {
    if (known.has(w.executionId) || !HUMAN_TASKS.has(w.type)) continue;
    const made = await newTask(em, svc, def, instance, result, w, now);
    // The step a task was sent back to goes to whoever completed it before.
    if (back?.assignee && w.activityId === back.toActivityId) {
      made.attrs = { ...made.attrs, assignee: back.assignee };
      made.task.assignee = back.assignee;
    }
    created.push(made);
  }
  if (created.length) {
    const due = await svc.dueRules.apply(
      em,
      created.map(({ task }) => ({
        taskId: task.id,
        instanceId: task.instance_id,
        businessKey: task.business_key ?? null,
        unitId: task.unit_id,
        createdAt: now,
        stepDueAt: task.due_at instanceof Date ? task.due_at : null,
      })),
    );
    for (const { task } of created) task.due_at = due.get(task.id) ?? null;
  }
  await insertTasks(
    em,
    created.map((c) => c.task),
  );
  if (!svc.events.has('task.created')) return;
  for (const { task, attrs } of created) {
    await svc.events.publish(
      em,
      'task.created',
      {
        ...taskFacts(task, instance.businessKey),
        assignee: attrs.assignee,
        candidateGroups: attrs.candidateGroups,
        candidateUsers: attrs.candidateUsers,
        dueAt: task.due_at instanceof Date ? task.due_at.toISOString() : null,
        statusCode: def.activities[task.activity_id]?.step?.statusCode ?? null,
      },
      acting,
    );
  }
}

/** The row of a new user task: its attributes evaluated with the process and the activity's own variables. */
async function newTask(
  em: EntityManager,
  svc: Pick<EngineDeps, 'calendar'>,
  def: LoadedDefinition,
  instance: CommandTarget,
  result: RunResult,
  w: Waiting,
  now: Date,
) {
  const activity = def.activities[w.activityId];
  const own = w.locals || w.inputs ? { ...w.locals, ...w.inputs } : null;
  const attrs = taskAttributes(w.activityId, activity?.userTask, activity?.step, { ...result.variables, ...own });
  const unit = await taskUnit(em, def, w.activityId, instance, attrs.unit);
  const task: NewTask = {
    id: crypto.randomUUID(),
    instance_id: instance.id,
    definition_key: def.key,
    activity_id: w.activityId,
    execution_id: w.executionId,
    name: w.name ?? activity?.name ?? null,
    form_key: activity?.userTask?.formKey ?? null,
    assignee: attrs.assignee,
    candidate_groups: csv(attrs.candidateGroups),
    candidate_users: csv(attrs.candidateUsers),
    unit_id: unit.id,
    unit_path: unit.path,
    due_at: dueDateFrom(attrs.dueDate, now, svc.calendar, unit.id, activity?.step?.budgetHours ?? null),
    created_at: now,
    variables: own ? JSON.stringify(own) : null,
    business_key: instance.businessKey,
  };
  return { task, attrs };
}

/**
 * The unit a step belongs to: its `motcua:unit` (a unit code or id; `evaluated` when it was an
 * expression, task-attributes.ts), else where the instance's routing sends its lane, its
 * candidate role or every other step (types.ts `Routing`), else the instance's unit.
 */
export async function taskUnit(
  em: EntityManager,
  def: LoadedDefinition,
  activityId: string,
  instance: { unitId: string | null; unitPath: string | null; routing?: Routing | null },
  evaluated?: string | null,
) {
  const activity = def.activities[activityId];
  const code = evaluated !== undefined ? evaluated : activity?.step?.unit;
  if (code && !hasExpression(code)) {
    const u = await unitByCodeOrId(em, code);
    if (u) return { id: u.id, path: u.path };
  }
  const routed = routeStep(instance.routing ?? null, activity);
  if (routed) return routed;
  return { id: instance.unitId, path: instance.unitPath };
}
