import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { acting } from '../http/acting.ts';
import { defineRoute } from '../http/route.ts';
import { IdParam, json, jsonBody } from '../http/schemas.ts';
import { runErrors } from './run-errors.ts';
import { mayWork, workableTasksSql } from './entitlement.ts';
import { TaskSchema } from './instance-routes.ts';
import { taskNotFound, type TaskRow } from './runtime.ts';
import { taskView } from './views.ts';
import type { Ports } from '../modules/ports.ts';
import type { EnginePorts } from './ports.ts';

const list = defineRoute({
  method: 'get',
  path: '/api/tasks',
  operationId: 'listTasks',
  tags: ['engine'],
  summary: 'Open tasks you may work on (assigned to you, or candidate for your roles in your units)',
  permission: 'authenticated',
  request: {
    query: z.object({
      filter: z
        .enum(['mine', 'candidate', 'all'])
        .default('all')
        .describe('mine: assigned to or claimed by you; candidate: open to your roles, unclaimed'),
      instanceId: z.string().max(64).optional(),
      definitionKey: z.string().max(255).optional(),
      dueBefore: z.iso.datetime({ offset: true }).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: { 200: json(z.array(TaskSchema), 'Tasks') },
});
const action = (verb: 'claim' | 'unclaim', summary: string) =>
  defineRoute({
    method: 'post',
    path: `/api/tasks/{id}/${verb}`,
    operationId: `${verb}Task`,
    tags: ['engine'],
    summary,
    permission: 'authenticated',
    request: { params: IdParam },
    errors:
      verb === 'claim'
        ? ['task.not_found', 'task.not_entitled', 'task.not_open', 'task.claimed', 'process.instance_not_found']
        : [
            'task.not_found',
            'task.not_entitled',
            'task.not_open',
            'task.claimed_by_other',
            'task.not_claimed',
            'process.instance_not_found',
          ],
    responses: { 200: json(TaskSchema, 'Done') },
  });
const complete = defineRoute({
  method: 'post',
  path: '/api/tasks/{id}/complete',
  operationId: 'completeTask',
  tags: ['engine'],
  summary: 'Complete a task with variables; the process runs on to its next wait',
  permission: 'authenticated',
  request: { params: IdParam, ...jsonBody(z.object({ variables: z.record(z.string(), z.unknown()).optional() })) },
  errors: [
    'task.not_found',
    'task.not_entitled',
    'task.not_open',
    'task.claimed',
    'process.instance_not_found',
    'process.not_running',
    ...runErrors,
  ],
  responses: { 204: { description: 'Completed (nothing changed if the answer is an error)' } },
});

/**
 * The task if the caller may work on it. One they may not even see (neither entitled nor
 * reading its instance's unit) answers as a missing one (404, ADR 0004); one they see but
 * may not work on, 403 `task.not_entitled`.
 */
async function entitledTask(
  svc: Pick<Ports, 'engine' | 'permissions'>,
  c: Context<AppEnv>,
  em: EntityManager,
  id: string,
): Promise<TaskRow> {
  const task = await svc.engine.loadTask(em, id);
  if (mayWork(c.var.principal!.user, c.var.authz, svc.permissions, task)) return task;
  c.var.authz.assertVisiblePath('process.read', task.unit_path, () => taskNotFound(id));
  throw new AppError('task.not_entitled');
}

/** Why this user may not give the task back (null: they may). Only the claimant releases a claim. */
function unclaimRefusal(task: TaskRow, userId: string): AppError | null {
  if (task.status !== 'open') return new AppError('task.not_open', `Task ${task.id} is ${task.status}`);
  if (!task.claimed_by) return new AppError('task.not_claimed', 'Nobody has claimed this task');
  if (task.claimed_by !== userId) return new AppError('task.claimed_by_other', 'Only the user who claimed this task can give it back');
  return null;
}

export function registerTaskRoutes(app: OpenAPIHono<AppEnv>, ports: EnginePorts): void {
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const svc = ports;
    const user = c.var.principal!.user;
    const where = ["t.status = 'open'"];
    const params: unknown[] = [];
    if (q.filter === 'mine') {
      where.push('(t.claimed_by = ? OR t.assignee = ? OR t.assignee = ?)');
      params.push(user.id, user.username, user.id);
    } else {
      const w = workableTasksSql(user, c.var.authz, svc.permissions);
      where.push(w.sql);
      params.push(...w.params);
      if (q.filter === 'candidate') where.push('t.claimed_by IS NULL');
      else {
        where.push('(t.claimed_by IS NULL OR t.claimed_by = ?)');
        params.push(user.id);
      }
    }
    if (q.instanceId) {
      where.push('t.instance_id = ?');
      params.push(q.instanceId);
    }
    if (q.definitionKey) {
      where.push('t.definition_key = ?');
      params.push(q.definitionKey);
    }
    if (q.dueBefore) {
      where.push('t.due_at < ?');
      params.push(new Date(q.dueBefore));
    }
    params.push(q.limit);
    const rows = await svc.db
      .em()
      .execute<TaskRow[]>(
        `SELECT t.* FROM tasks t WHERE ${where.join(' AND ')} ORDER BY t.due_at IS NULL, t.due_at, t.created_at LIMIT ?`,
        params,
      );
    return c.json(rows.map(taskView), 200);
  });

  for (const [verb, summary] of [
    ['claim', 'Take an open task for yourself, so others no longer see it as a candidate'],
    ['unclaim', 'Give back a task you claimed'],
  ] as const) {
    app.openapi(action(verb, summary), async (c) => {
      const svc = ports;
      const id = c.req.valid('param').id;
      const user = c.var.principal!.user;
      await svc.db.em().transactional(async (em) => {
        const task = await entitledTask(ports, c, em, id);
        if (task.status !== 'open') throw new AppError('task.not_open', `Task ${id} is ${task.status}`);
        if (verb === 'unclaim') {
          const refusal = unclaimRefusal(task, user.id);
          if (refusal) throw refusal;
        }
        const res =
          verb === 'claim'
            ? await em.execute<{ affectedRows: number }>(
                "UPDATE tasks SET claimed_by = ? WHERE id = ? AND status = 'open' AND (claimed_by IS NULL OR claimed_by = ?)",
                [user.id, id, user.id],
                'run',
              )
            : await em.execute<{ affectedRows: number }>(
                "UPDATE tasks SET claimed_by = NULL WHERE id = ? AND status = 'open' AND claimed_by = ?",
                [id, user.id],
                'run',
              );
        if (res.affectedRows !== 1) {
          // Changed meanwhile: say what it is now.
          if (verb === 'claim') throw new AppError('task.claimed', 'Another user has claimed this task');
          throw unclaimRefusal(await svc.engine.loadTask(em, id), user.id) ?? new AppError('conflict.stale');
        }
        await svc.audit.append(em, {
          ...acting(c),
          action: `task.${verb}ed`,
          targetType: 'task',
          targetId: id,
          unitId: task.unit_id,
          summary: { instanceId: task.instance_id, activityId: task.activity_id },
        });
      });
      return c.json(taskView(await svc.engine.loadTask(svc.db.em(), id)), 200);
    });
  }

  app.openapi(complete, async (c) => {
    const svc = ports;
    const id = c.req.valid('param').id;
    const variables = c.req.valid('json').variables ?? {};
    await svc.db.em().transactional(async (em) => {
      const task = await entitledTask(ports, c, em, id);
      await svc.engine.completeTask(em, acting(c), task, variables);
    });
    return c.body(null, 204);
  });
}
