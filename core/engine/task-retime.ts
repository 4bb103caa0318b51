import type { EntityManager } from '@mikro-orm/knex';
import type { DefinitionStore } from './definitions.ts';
import type { EngineDeps } from './deps.ts';
import { dueDateFrom } from './due-date.ts';
import { ProcessInstance, Task } from './entities.ts';
import { SNAPSHOT } from './snapshots.ts';
import { taskDueDate } from './task-attributes.ts';
import type { TaskDueRules } from './task-due.ts';

/** A task whose due time a retime changed. */
export interface Retimed {
  taskId: string;
  activityId: string;
  from: Date | null;
  to: Date | null;
}

/**
 * Runs the due-time rules (task-due.ts) again over the open tasks of a business key, e.g. when
 * the dossier's appointment moved, in the caller's transaction. Each task's own due time is
 * counted again as at its opening: from `created_at`, in its unit's working time, its
 * `camunda:dueDate` evaluated over the instance's variables now and the task's own. A task whose
 * due-date expression no longer evaluates keeps its due time. Writes only the rows that change.
 */
export async function retimeOpenTasks(
  em: EntityManager,
  svc: Pick<EngineDeps, 'calendar'> & { dueRules: TaskDueRules; definitions: Pick<DefinitionStore, 'byId'> },
  businessKey: string,
): Promise<Retimed[]> {
  const tasks = await em.find(Task, { businessKey, status: 'open' }, { orderBy: { createdAt: 'asc', id: 'asc' }, ...SNAPSHOT });
  if (!tasks.length) return [];
  const instances = await em.find(
    ProcessInstance,
    { id: { $in: [...new Set(tasks.map((t) => t.instanceId))] } },
    { fields: ['id', 'definitionId', 'variables'], ...SNAPSHOT },
  );
  const byId = new Map(instances.map((i) => [i.id, i]));
  const own: { task: Task; stepDueAt: Date | null }[] = [];
  for (const task of tasks) {
    const instance = byId.get(task.instanceId);
    if (!instance) continue;
    const def = await svc.definitions.byId(em, instance.definitionId);
    const activity = def.activities[task.activityId];
    const scope = { ...parse(instance.variables), ...parse(task.variables) };
    let dueDate: string | null;
    try {
      dueDate = taskDueDate(task.activityId, activity?.userTask, scope);
    } catch {
      continue;
    }
    const stepDueAt = dueDateFrom(
      dueDate,
      new Date(task.createdAt),
      svc.calendar,
      task.unitId ?? null,
      activity?.step?.budgetHours ?? null,
    );
    own.push({ task, stepDueAt });
  }
  const due = await svc.dueRules.apply(
    em,
    own.map(({ task, stepDueAt }) => ({
      taskId: task.id,
      instanceId: task.instanceId,
      businessKey: task.businessKey ?? null,
      unitId: task.unitId ?? null,
      createdAt: new Date(task.createdAt),
      stepDueAt,
    })),
  );
  const changed: Retimed[] = [];
  for (const { task } of own) {
    const from = task.dueAt ? new Date(task.dueAt) : null;
    const to = due.get(task.id) ?? null;
    if ((from?.getTime() ?? null) === (to?.getTime() ?? null)) continue;
    await em.nativeUpdate(Task, { id: task.id }, { dueAt: to });
    changed.push({ taskId: task.id, activityId: task.activityId, from, to });
  }
  return changed;
}

const parse = (json: string | null | undefined): Record<string, unknown> => {
  if (!json) return {};
  const v = JSON.parse(json) as unknown;
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
};
