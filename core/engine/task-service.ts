import { AppError } from '../errors.ts';
import type { Caller } from './caller.ts';
import { mayWork } from './entitlement.ts';
import type { EnginePorts } from './ports.ts';
import { taskNotFound, type TaskRow } from './runtime.ts';
import type { EntityManager } from '@mikro-orm/knex';
import { countWorkableTasks, iso, positionOf, taskView, workableTasks, type TaskQuery, type ViewClock } from './views.ts';
import { timeLeft } from './band.ts';
import { decodeCursor, encodeCursor } from './inbox-cursor.ts';
import { Task } from './entities.ts';

/**
 * The application service of user tasks (GET /api/tasks, claim, unclaim, complete): each
 * function owns its transaction, checks the caller against the loaded task, writes and audits.
 */
export type TaskPorts = Pick<EnginePorts, 'db' | 'engine' | 'permissions' | 'audit'>;

/** Open tasks the caller may work on. */
export function listTasks(ports: Pick<TaskPorts, 'db' | 'permissions'>, caller: Caller, query: TaskQuery): Promise<TaskRow[]> {
  return workableTasks(ports.db.em(), caller.user, caller.authz, ports.permissions, query);
}

/** GET /api/tasks's query: the filters, and a page's `cursor` as the previous page's `X-Next-Cursor` gave it. */
export type TaskListQuery = Omit<TaskQuery, 'after'> & { cursor?: string };

type ListPorts = Pick<TaskPorts, 'db' | 'permissions' | 'engine'> & Pick<EnginePorts, 'clock' | 'calendar'>;

/** The moment a view is judged at: now, and the end of today's working day per unit. */
const viewClock = (ports: Pick<EnginePorts, 'clock' | 'calendar'>): ViewClock => {
  const now = ports.clock.now();
  return { now, ends: ports.calendar.workdayEnds(now) };
};

/**
 * The tasks of GET /api/tasks as answered: each view with the time left of its step (band.ts)
 * and what other modules add (task-details.ts); `nextCursor` when another page follows.
 */
export async function listTaskViews(ports: ListPorts, caller: Caller, query: TaskListQuery) {
  const em = ports.db.em();
  const { cursor, ...q } = query;
  const after = cursor ? decodeCursor(caller.user.id, q, cursor) : undefined;
  const at = viewClock(ports);
  const rows = await workableTasks(em, caller.user, caller.authz, ports.permissions, { ...q, after, limit: q.limit + 1 }, at);
  const page = rows.slice(0, q.limit);
  const details = await ports.engine.taskDetails.load(em, page);
  const tasks = page.map((t) => {
    const due = t.due_at === null || t.due_at === undefined ? null : new Date(iso(t.due_at)!);
    return { ...taskView(t), ...timeLeft(ports.calendar, at.now, new Date(iso(t.created_at)!), due, t.unit_id), ...details.get(t.id) };
  });
  const nextCursor = rows.length > q.limit ? encodeCursor(caller.user.id, q, positionOf(page[page.length - 1])) : null;
  return { tasks, nextCursor };
}

/** The inbox's tabs (GET /api/tasks/counts): the caller's tasks, those open to their roles, overdue and due today (of both). */
export async function countTasks(ports: Omit<ListPorts, 'engine'>, caller: Caller) {
  const em = ports.db.em();
  const at = viewClock(ports);
  const count = (q: Pick<TaskQuery, 'filter' | 'view'>) =>
    countWorkableTasks(em, caller.user, caller.authz, ports.permissions, { ...q, limit: 0 }, at);
  const [mine, candidate, overdue, dueToday] = await Promise.all([
    count({ filter: 'mine' }),
    count({ filter: 'candidate' }),
    count({ filter: 'all', view: 'overdue' }),
    count({ filter: 'all', view: 'due_today' }),
  ]);
  return { mine, candidate, overdue, dueToday };
}

/**
 * The task if the caller may work on it. One they may not even see (neither entitled nor
 * reading its instance's unit) answers as a missing one (404, ADR 0004); one they see but
 * may not work on, 403 `task.not_entitled`.
 */
async function entitledTask(
  ports: Pick<TaskPorts, 'engine' | 'permissions'>,
  caller: Caller,
  em: EntityManager,
  id: string,
): Promise<TaskRow> {
  const task = await ports.engine.loadTask(em, id);
  if (mayWork(caller.user, caller.authz, ports.permissions, task)) return task;
  caller.authz.assertVisiblePath('process.read', task.unit_path, () => taskNotFound(id));
  throw new AppError('task.not_entitled');
}

/** Why this user may not give the task back (null: they may). Only the claimant releases a claim. */
function unclaimRefusal(task: TaskRow, userId: string): AppError | null {
  if (task.status !== 'open') return new AppError('task.not_open', `Task ${task.id} is ${task.status}`);
  if (!task.claimed_by) return new AppError('task.not_claimed', 'Nobody has claimed this task');
  if (task.claimed_by !== userId) return new AppError('task.claimed_by_other', 'Only the user who claimed this task can give it back');
  return null;
}

/** Takes an open task for the caller, so others no longer see it as a candidate; the task as it now is. */
export function claimTask(ports: TaskPorts, caller: Caller, id: string): Promise<TaskRow> {
  return setClaim(ports, caller, id, 'claim');
}

/** Gives back a task the caller claimed; the task as it now is. */
export function unclaimTask(ports: TaskPorts, caller: Caller, id: string): Promise<TaskRow> {
  return setClaim(ports, caller, id, 'unclaim');
}

async function setClaim(ports: TaskPorts, caller: Caller, id: string, verb: 'claim' | 'unclaim'): Promise<TaskRow> {
  const userId = caller.user.id;
  await ports.db.em().transactional(async (em) => {
    const task = await entitledTask(ports, caller, em, id);
    if (task.status !== 'open') throw new AppError('task.not_open', `Task ${id} is ${task.status}`);
    if (verb === 'unclaim') {
      const refusal = unclaimRefusal(task, userId);
      if (refusal) throw refusal;
    }
    const res =
      verb === 'claim'
        ? await em.nativeUpdate(Task, { id, status: 'open', $or: [{ claimedBy: null }, { claimedBy: userId }] }, { claimedBy: userId })
        : await em.nativeUpdate(Task, { id, status: 'open', claimedBy: userId }, { claimedBy: null });
    if (res !== 1) {
      // Changed meanwhile: say what it is now.
      if (verb === 'claim') throw new AppError('task.claimed', 'Another user has claimed this task');
      throw unclaimRefusal(await ports.engine.loadTask(em, id), userId) ?? new AppError('conflict.stale');
    }
    await ports.audit.append(em, {
      ...caller.acting,
      action: `task.${verb}ed`,
      targetType: 'task',
      targetId: id,
      unitId: task.unit_id,
      summary: { instanceId: task.instance_id, activityId: task.activity_id },
    });
  });
  return ports.engine.loadTask(ports.db.em(), id);
}

/** Completes a task the caller may work on, with variables; the process runs on to its next wait in the same transaction. */
export async function completeTask(ports: TaskPorts, caller: Caller, id: string, variables: Record<string, unknown>): Promise<void> {
  await ports.db.em().transactional(async (em) => {
    const task = await entitledTask(ports, caller, em, id);
    await ports.engine.completeTask(em, caller.acting, task, variables);
  });
}

/**
 * Sends a task the caller may work on back to the step before it (ADR 0020): that step's task
 * reopens, in the same transaction; nothing changes when it is refused.
 */
export async function sendBackTask(ports: TaskPorts, caller: Caller, id: string, reason: string): Promise<{ toActivityId: string }> {
  return ports.db.em().transactional(async (em) => {
    const task = await entitledTask(ports, caller, em, id);
    return ports.engine.sendBackTask(em, caller.acting, task, reason);
  });
}
