import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { defineRoute } from '../http/route.ts';
import { IdParam, json, jsonBody } from '../http/schemas.ts';
import { runErrors } from './run-errors.ts';
import { callerOf } from './caller.ts';
import { TaskSchema } from './instance-routes.ts';
import { claimTask, completeTask, countTasks, listTaskViews, sendBackTask, unclaimTask } from './task-service.ts';
import { taskView } from './views.ts';
import { BANDS } from './band.ts';
import type { EnginePorts } from './ports.ts';

/** A listed task: the task, and the time left of its step (band.ts, docs/api.md § Time bands). */
const ListedTask = TaskSchema.extend({
  remainingWorkingMinutes: z
    .number()
    .int()
    .nullable()
    .describe("Working minutes from now to the step's due time in its unit's calendar; negative once passed; null: no due time"),
  band: z
    .enum(BANDS)
    .nullable()
    .describe('early: more than half its working time left; on_time; due_soon: due within 4 working hours; overdue; null: no due time'),
}).openapi('ListedTask');

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
      businessKey: z.string().max(255).optional().describe("Only the tasks of this business key's instances: a dossier's code"),
      dueBefore: z.iso.datetime({ offset: true }).optional(),
      view: z
        .enum(['overdue', 'due_today'])
        .optional()
        .describe(
          "overdue: the step's due time has passed; due_today: due from now to the end of today's working day (Vietnam time, the calendar of the task's unit)",
        ),
      sort: z
        .enum(['due', 'created'])
        .default('due')
        .describe('due: soonest due first, no due time last, then oldest, then id; created: oldest first, then id'),
      cursor: z
        .string()
        .max(600)
        .optional()
        .describe('X-Next-Cursor of the previous page, as it came; a cursor of another list, user or edited by hand answers 400'),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: {
    200: {
      ...json(z.array(ListedTask), 'A page of tasks'),
      headers: z.object({
        'X-Next-Cursor': z
          .string()
          .optional()
          .describe('Present when another page follows: pass it as `cursor` (with the same filter, view and sort) for that page'),
      }),
    },
  },
});

const counts = defineRoute({
  method: 'get',
  path: '/api/tasks/counts',
  operationId: 'countTasks',
  tags: ['engine'],
  summary: "The inbox's tabs: how many open tasks are yours, open to your roles, overdue and due today",
  permission: 'authenticated',
  responses: {
    200: json(
      z
        .object({
          mine: z.number().int().describe('filter=mine: assigned to or claimed by you'),
          candidate: z.number().int().describe('filter=candidate: open to your roles in your units, unclaimed'),
          overdue: z.number().int().describe('filter=all&view=overdue'),
          dueToday: z.number().int().describe('filter=all&view=due_today'),
        })
        .openapi('TaskCounts'),
      'Counts',
    ),
  },
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

const sendBack = defineRoute({
  method: 'post',
  path: '/api/tasks/{id}/send-back',
  operationId: 'sendBackTask',
  tags: ['engine'],
  summary: 'Send the dossier back to the previous step (a step marked motcua:sendBack); that step reopens for whoever completed it',
  permission: 'authenticated',
  request: {
    params: IdParam,
    ...jsonBody(z.object({ reason: z.string().trim().min(1).max(1000).describe('Why it goes back: shown on the hop as "Trả lại: …"') })),
  },
  errors: [
    'task.not_found',
    'task.not_entitled',
    'task.not_open',
    'task.claimed',
    'task.send_back_not_allowed',
    'task.no_previous_step',
    'process.instance_not_found',
    'process.not_running',
    ...runErrors,
  ],
  responses: {
    200: json(z.object({ toActivityId: z.string().describe('The step the dossier went back to') }), 'Sent back'),
  },
});

export function registerTaskRoutes(app: OpenAPIHono<AppEnv>, ports: EnginePorts): void {
  app.openapi(counts, async (c) => c.json(await countTasks(ports, callerOf(c)), 200));
  app.openapi(list, async (c) => {
    const { tasks, nextCursor } = await listTaskViews(ports, callerOf(c), c.req.valid('query'));
    if (nextCursor) c.header('X-Next-Cursor', nextCursor);
    return c.json(tasks, 200);
  });

  for (const [verb, summary] of [
    ['claim', 'Take an open task for yourself, so others no longer see it as a candidate'],
    ['unclaim', 'Give back a task you claimed'],
  ] as const) {
    app.openapi(action(verb, summary), async (c) => {
      const id = c.req.valid('param').id;
      const task = await (verb === 'claim' ? claimTask : unclaimTask)(ports, callerOf(c), id);
      return c.json(taskView(task), 200);
    });
  }

  app.openapi(complete, async (c) => {
    await completeTask(ports, callerOf(c), c.req.valid('param').id, c.req.valid('json').variables ?? {});
    return c.body(null, 204);
  });

  app.openapi(sendBack, async (c) => {
    const sent = await sendBackTask(ports, callerOf(c), c.req.valid('param').id, c.req.valid('json').reason);
    return c.json(sent, 200);
  });
}
