import { AppError } from '../errors.ts';
import { hasExpression, resolveValue } from './expressions.ts';
import type { Variables } from './io-mapping.ts';
import type { MotcuaStepModel, UserTaskModel } from './model.ts';

/** A user task's people, due date and unit as its row stores them: expressions already evaluated. */
export interface TaskAttributes {
  assignee: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  dueDate: string | null;
  /** A unit code or id, when the step names one (else the instance's unit). */
  unit: string | null;
}

/**
 * Camunda Modeler diagrams name people by expression (`camunda:assignee="${officer}"`,
 * `camunda:candidateUsers="${reviewers}"`, `=dueAt`): they are evaluated once, when the task is
 * created, over the process variables, the task's input parameters and a multi-instance
 * iteration's element variable. A list may come back as an array or as comma-separated text.
 * An expression that fails stops the command with a message naming the activity and attribute.
 */
export function taskAttributes(
  activityId: string,
  task: UserTaskModel | undefined,
  step: MotcuaStepModel | undefined,
  scope: Variables,
): TaskAttributes {
  const one = evaluator(activityId, scope);
  const list = (attribute: string, entries: string[]): string[] => {
    const out: string[] = [];
    for (const entry of entries) {
      const v = one(attribute, entry);
      const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : v === null || v === undefined ? [] : [v];
      for (const item of items) {
        const s = text(item)?.trim();
        if (s && !out.includes(s)) out.push(s);
      }
    }
    return out;
  };
  return {
    assignee: text(one('camunda:assignee', task?.assignee)),
    candidateGroups: list('camunda:candidateGroups', task?.candidateGroups ?? []),
    candidateUsers: list('camunda:candidateUsers', task?.candidateUsers ?? []),
    dueDate: text(one('camunda:dueDate', task?.dueDate)),
    unit: text(one('motcua:unit', step?.unit)),
  };
}

/** `camunda:dueDate` alone, evaluated as `taskAttributes` does: for retiming an open task (task-retime.ts). */
export const taskDueDate = (activityId: string, task: UserTaskModel | undefined, scope: Variables): string | null =>
  text(evaluator(activityId, scope)('camunda:dueDate', task?.dueDate));

function evaluator(activityId: string, scope: Variables) {
  const context = { ...scope, environment: { variables: scope } };
  return (attribute: string, source: string | null | undefined): unknown => {
    if (!source || !hasExpression(source)) return source ?? null;
    try {
      return resolveValue(source, context);
    } catch (err) {
      throw new AppError(
        'process.engine_error',
        `Task ${activityId}: ${attribute} "${source}" could not be evaluated: ${(err as Error).message}`,
      );
    }
  };
}

const text = (v: unknown): string | null =>
  v === null || v === undefined || v === '' ? null : v instanceof Date ? v.toISOString() : String(v);
