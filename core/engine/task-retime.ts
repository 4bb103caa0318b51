import type { EntityManager } from '@mikro-orm/knex';
import { toDate } from '../jobs/jobs.ts';
import { sql } from '../db/sql.ts';
import type { DefinitionStore } from './definitions.ts';
import type { EngineDeps } from './deps.ts';
import { dueDateFrom } from './due-date.ts';
import type { InstanceRow, TaskRow } from './rows.ts';
import { loadInstance } from './store.ts';
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
  const tasks = await sql(em).all<TaskRow>("SELECT * FROM tasks WHERE business_key = ? AND status = 'open' ORDER BY created_at, id", [
    businessKey,
  ]);
  if (!tasks.length) return [];
  const instances = new Map<string, InstanceRow>();
  const own: { task: TaskRow; stepDueAt: Date | null }[] = [];
  for (const task of tasks) {
    let instance = instances.get(task.instance_id);
    if (!instance) instances.set(task.instance_id, (instance = await loadInstance(em, task.instance_id)));
    const def = await svc.definitions.byId(em, instance.definition_id);
    const activity = def.activities[task.activity_id];
    const scope = { ...parse(instance.variables), ...parse(task.variables) };
    let dueDate: string | null;
    try {
      dueDate = taskDueDate(task.activity_id, activity?.userTask, scope);
    } catch {
      continue;
    }
    const createdAt = toDate(task.created_at);
    own.push({ task, stepDueAt: dueDateFrom(dueDate, createdAt, svc.calendar, task.unit_id, activity?.step?.budgetHours ?? null) });
  }
  const due = await svc.dueRules.apply(
    em,
    own.map(({ task, stepDueAt }) => ({
      taskId: task.id,
      instanceId: task.instance_id,
      businessKey: task.business_key ?? null,
      unitId: task.unit_id,
      createdAt: toDate(task.created_at),
      stepDueAt,
    })),
  );
  const changed: Retimed[] = [];
  for (const { task } of own) {
    const from = task.due_at === null || task.due_at === undefined ? null : toDate(task.due_at);
    const to = due.get(task.id) ?? null;
    if ((from?.getTime() ?? null) === (to?.getTime() ?? null)) continue;
    await sql(em).run('UPDATE tasks SET due_at = ? WHERE id = ?', [to, task.id]);
    changed.push({ taskId: task.id, activityId: task.activity_id, from, to });
  }
  return changed;
}

const parse = (json: string | null | undefined): Record<string, unknown> => {
  if (!json) return {};
  const v = JSON.parse(json) as unknown;
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
};
