import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { defineRoute } from '../http/route.ts';
import { IdParam, json, jsonBody } from '../http/schemas.ts';
import { runErrors } from './run-errors.ts';
import { callerOf } from './caller.ts';
import { TaskSchema } from './instance-routes.ts';
import { claimTask, completeTask, listTaskViews, sendBackTask, unclaimTask } from './task-service.ts';
import { taskView } from './views.ts';
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
      businessKey: z.string().max(255).optional().describe("Only the tasks of this business key's instances: a dossier's code"),
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
  app.openapi(list, async (c) => c.json(await listTaskViews(ports, callerOf(c), c.req.valid('query')), 200));

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
