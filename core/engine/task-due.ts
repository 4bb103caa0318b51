import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../errors.ts';

/**
 * What other modules say about a task's due time, without the engine knowing them: the dossiers
 * module caps a dossier's steps at its appointment (core/dossiers/step-deadlines.ts).
 *
 * A rule runs in the command's transaction before the new tasks are written, so the row, the
 * `task.created` payload and the inbox all carry the adjusted time: one write, and no moment in
 * which a subscriber or an after-commit consumer sees a due time that is then rewritten. (An
 * in-transaction `task.created` subscriber rewriting the row would have come after the event's
 * payload, and its outbox copy, were built with the step's own time.) The same rules run again
 * when a module asks the engine to retime open tasks (`ProcessRuntime.retimeOpenTasks`), e.g.
 * because the dossier's appointment moved: a rule is always given the step's own due time, never
 * a time an earlier run of it adjusted.
 */
export interface TaskDue {
  taskId: string;
  instanceId: string;
  businessKey: string | null;
  unitId: string | null;
  /** When the task opened. */
  createdAt: Date;
  /** The step's own due time (`camunda:dueDate` or `motcua:budgetHours` counted from its opening; null for none). */
  stepDueAt: Date | null;
  /** The due time so far: the step's own, as the rules registered before this one left it. */
  dueAt: Date | null;
}

/** Answers, per task id, the due time to keep instead (tasks it leaves out keep theirs). One query for all, never one per task. */
export type TaskDueRule = (em: EntityManager, tasks: readonly TaskDue[]) => Promise<Map<string, Date | null>>;

export class TaskDueRules {
  private readonly rules = new Map<string, TaskDueRule>();

  /** Adds a rule, applied after those registered before it. A name is registered once. */
  register(name: string, rule: TaskDueRule): void {
    if (this.rules.has(name)) throw new AppError('internal', `Task due rule "${name}" is registered twice`);
    this.rules.set(name, rule);
  }

  /** The due time of each task after every rule: task id → due time. */
  async apply(em: EntityManager, tasks: readonly Omit<TaskDue, 'dueAt'>[]): Promise<Map<string, Date | null>> {
    const current = tasks.map((t) => ({ ...t, dueAt: t.stepDueAt }));
    for (const rule of this.rules.values()) {
      if (!current.length) break;
      const changed = await rule(em, current);
      for (const t of current) if (changed.has(t.taskId)) t.dueAt = changed.get(t.taskId) ?? null;
    }
    return new Map(current.map((t) => [t.taskId, t.dueAt]));
  }
}
