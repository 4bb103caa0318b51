import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { defineRoute } from '../http/route.ts';
import { IdParam, json } from '../http/schemas.ts';
import { callerOf } from './caller.ts';
import { listIncidents, retryIncident } from './incident-service.ts';
import type { EnginePorts } from './ports.ts';

const Incident = z
  .object({
    id: z.string(),
    instanceId: z.string(),
    definitionKey: z.string(),
    businessKey: z.string().nullable(),
    unitId: z.string().nullable(),
    activityId: z.string().nullable(),
    executionId: z.string().nullable(),
    topic: z.string().nullable().describe('Service-task topic; null for a timer'),
    message: z.string().describe('The last error'),
    job: z.object({ id: z.string(), kind: z.string(), status: z.string(), attempts: z.number().int() }).nullable(),
    createdAt: z.string(),
    resolvedAt: z.string().nullable(),
    resolvedBy: z.string().nullable(),
  })
  .openapi('Incident');

const list = defineRoute({
  method: 'get',
  path: '/api/incidents',
  operationId: 'listIncidents',
  tags: ['engine'],
  summary: 'Incidents of the instances of your units (open ones unless asked otherwise), newest first',
  permission: 'process.read',
  request: {
    query: z.object({
      instanceId: z.string().max(64).optional(),
      status: z.enum(['open', 'resolved', 'all']).default('open'),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: { 200: json(z.array(Incident), 'Incidents') },
});
const retry = defineRoute({
  method: 'post',
  path: '/api/incidents/{id}/retry',
  operationId: 'retryIncident',
  tags: ['engine'],
  summary: "Queue the incident's job again with fresh attempts; the instance runs again and the incident is resolved when the job succeeds",
  permission: 'process.operate',
  request: { params: IdParam },
  responses: {
    200: json(Incident, 'Queued'),
  },
  errors: [
    'incident.not_found',
    'incident.not_open',
    'incident.retry_pending',
    'process.not_running',
    'auth.forbidden_scope',
    'conflict.stale',
  ],
});

export function registerIncidentRoutes(app: OpenAPIHono<AppEnv>, ports: EnginePorts): void {
  app.openapi(list, async (c) => c.json(await listIncidents(ports, callerOf(c), c.req.valid('query')), 200));

  app.openapi(retry, async (c) => c.json(await retryIncident(ports, callerOf(c), c.req.valid('param').id), 200));
}
