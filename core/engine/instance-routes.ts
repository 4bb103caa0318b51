import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { defineRoute } from '../http/route.ts';
import { IdParam, json, jsonBody } from '../http/schemas.ts';
import { runErrors } from './run-errors.ts';
import { callerOf } from './caller.ts';
import { cancelInstance, getInstance, startInstance } from './instance-service.ts';
import type { EnginePorts } from './ports.ts';

const Task = z
  .object({
    id: z.string(),
    instanceId: z.string(),
    definitionKey: z.string(),
    activityId: z.string(),
    name: z.string().nullable(),
    formKey: z.string().nullable(),
    assignee: z.string().nullable(),
    candidateGroups: z.array(z.string()),
    candidateUsers: z.array(z.string()),
    unitId: z.string().nullable(),
    businessKey: z.string().nullable().describe("The instance's business key: a dossier's code"),
    dueAt: z.string().nullable(),
    status: z.enum(['open', 'completed', 'cancelled', 'sent_back']),
    claimedBy: z.string().nullable(),
    createdAt: z.string(),
    variables: z.record(z.string(), z.unknown()).describe("The task's input parameters (camunda:inputOutput), evaluated when it started"),
    dossier: z
      .record(z.string(), z.unknown())
      .nullable()
      .optional()
      .describe(
        'In GET /api/tasks: the dossier the task works on (the dossiers module adds it): code, status, statusName, applicantName, procedure, receivedAt, appointmentAt, remainingWorkingMinutes, overdue, band (of the appointment, null once finished); null for a task of no dossier',
      ),
  })
  .openapi('Task');
const Instance = z
  .object({
    id: z.string(),
    definitionKey: z.string(),
    definitionVersion: z.number().int(),
    businessKey: z.string().nullable(),
    status: z.enum(['running', 'completed', 'cancelled', 'incident']),
    unitId: z.string().nullable(),
    variables: z.record(z.string(), z.unknown()),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    startedBy: z.string().nullable(),
    history: z.array(
      z.object({
        activityId: z.string(),
        executionId: z.string(),
        name: z.string().nullable(),
        type: z.string(),
        startedAt: z.string(),
        endedAt: z.string().nullable(),
        actorId: z.string().nullable(),
      }),
    ),
    messages: z
      .array(
        z.object({
          name: z.string(),
          messageId: z.string(),
          origin: z.enum(['api', 'process']).describe('api: sent through POST /api/messages; process: thrown by a process'),
          sentBy: z.string().nullable().describe('User id of the sender (of the command that threw it, for a process)'),
          activityId: z.string().nullable(),
          receivedAt: z.string().nullable(),
        }),
      )
      .describe('Messages the instance received or was started by'),
    openTasks: z.array(Task),
    parent: z
      .object({ id: z.string(), activityId: z.string().nullable(), executionId: z.string().nullable() })
      .nullable()
      .describe('The instance whose call activity started this one'),
    rootId: z.string().describe('The top of the call hierarchy (itself when not called)'),
    children: z
      .array(
        z.object({
          id: z.string(),
          definitionKey: z.string(),
          definitionVersion: z.number().int(),
          status: z.enum(['running', 'completed', 'cancelled', 'incident']),
          activityId: z.string().nullable(),
          startedAt: z.string(),
          endedAt: z.string().nullable(),
        }),
      )
      .describe('Instances started by its call activities, oldest first'),
  })
  .openapi('ProcessInstance');
export { Task as TaskSchema, Instance as InstanceSchema };

const start = defineRoute({
  method: 'post',
  path: '/api/instances',
  operationId: 'startInstance',
  tags: ['engine'],
  summary: 'Start a process instance (latest version unless one is named) in one of your units, without a dossier',
  description:
    "A raw start, for analysts testing a draft (permission `process.start`). A dossier's process starts when the dossier is received (`POST /api/dossiers`), on the version its catalogue case pins: a receptionist gets 403 `auth.forbidden` here, pointing there.",
  permission: 'process.start',
  request: jsonBody(
    z
      .object({
        definitionKey: z.string().min(1).max(255),
        version: z.number().int().positive().optional(),
        businessKey: z.string().max(255).optional(),
        variables: z.record(z.string(), z.unknown()).optional(),
        unitId: z
          .string()
          .max(64)
          .optional()
          .describe('Unit (id or code) the instance belongs to; default: your first unit where you may start processes'),
      })
      .openapi('StartInstance'),
  ),
  errors: ['process.definition_not_found', 'unit.not_found', 'auth.forbidden_scope', ...runErrors],
  responses: { 201: json(Instance, 'Started') },
});
const get = defineRoute({
  method: 'get',
  path: '/api/instances/{id}',
  operationId: 'getInstance',
  tags: ['engine'],
  summary: 'An instance: status, variables, activity history, open tasks',
  permission: 'process.read',
  request: { params: IdParam },
  errors: ['process.instance_not_found', 'auth.forbidden_scope'],
  responses: { 200: json(Instance, 'Instance') },
});
const cancel = defineRoute({
  method: 'post',
  path: '/api/instances/{id}/cancel',
  operationId: 'cancelInstance',
  tags: ['engine'],
  summary: 'Cancel a running instance; its open tasks are cancelled',
  permission: 'process.cancel',
  request: { params: IdParam, ...jsonBody(z.object({ reason: z.string().max(1000).optional() })) },
  errors: ['process.instance_not_found', 'process.not_running', 'auth.forbidden_scope', 'conflict.stale'],
  responses: { 200: json(Instance, 'Cancelled') },
});

export function registerInstanceRoutes(app: OpenAPIHono<AppEnv>, ports: EnginePorts): void {
  app.openapi(start, async (c) => c.json(await startInstance(ports, callerOf(c), c.req.valid('json')), 201));

  app.openapi(get, async (c) => c.json(await getInstance(ports, callerOf(c), c.req.valid('param').id), 200));

  app.openapi(cancel, async (c) =>
    c.json(await cancelInstance(ports, callerOf(c), c.req.valid('param').id, c.req.valid('json').reason ?? null), 200),
  );
}
