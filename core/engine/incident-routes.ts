import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { EntityManager } from '@mikro-orm/knex';
import type { AppEnv } from '../http/env.ts';
import { acting } from '../http/acting.ts';
import { defineRoute } from '../http/route.ts';
import { IdParam, json } from '../http/schemas.ts';
import { incidentNotFound, loadIncident, retryIncident, type IncidentRow } from './incidents.ts';
import { iso } from './views.ts';
import type { Ports } from '../modules/ports.ts';
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

/** An incident row joined with its instance and job. */
interface IncidentJoin extends IncidentRow {
  definition_key: string;
  business_key: string | null;
  unit_id: string | null;
  job_kind: string | null;
  job_status: string | null;
  job_attempts: number | string | null;
}

const SELECT = `SELECT i.*, p.definition_key, p.business_key, p.unit_id, j.kind AS job_kind, j.status AS job_status, j.attempts AS job_attempts
  FROM incidents i JOIN process_instances p ON p.id = i.instance_id LEFT JOIN jobs j ON j.id = i.job_id`;

function view(r: IncidentJoin) {
  return {
    id: r.id,
    instanceId: r.instance_id,
    definitionKey: r.definition_key,
    businessKey: r.business_key,
    unitId: r.unit_id,
    activityId: r.activity_id,
    executionId: r.execution_id,
    topic: r.topic,
    message: r.message,
    job: r.job_id && r.job_kind ? { id: r.job_id, kind: r.job_kind, status: r.job_status!, attempts: Number(r.job_attempts) } : null,
    createdAt: iso(r.created_at)!,
    resolvedAt: iso(r.resolved_at),
    resolvedBy: r.resolved_by,
  };
}

async function one(em: EntityManager, id: string) {
  const [row] = await em.execute<IncidentJoin[]>(`${SELECT} WHERE i.id = ?`, [id]);
  return view(row);
}

export function registerIncidentRoutes(app: OpenAPIHono<AppEnv>, ports: EnginePorts): void {
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const authz = c.var.authz;
    const params: unknown[] = [];
    const scope = authz.scopes('process.read').map((s) => {
      params.push(`${s}%`);
      return 'p.unit_path LIKE ?';
    });
    if (authz.isGlobal('process.read')) scope.push('p.unit_path IS NULL');
    const where = [`(${scope.join(' OR ') || '1 = 0'})`];
    if (q.status !== 'all') where.push(q.status === 'open' ? 'i.resolved_at IS NULL' : 'i.resolved_at IS NOT NULL');
    if (q.instanceId) {
      where.push('i.instance_id = ?');
      params.push(q.instanceId);
    }
    params.push(q.limit);
    const rows = await ports.db
      .em()
      .execute<IncidentJoin[]>(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY i.created_at DESC, i.id LIMIT ?`, params);
    return c.json(rows.map(view), 200);
  });

  app.openapi(retry, async (c) => {
    const svc = ports;
    const id = c.req.valid('param').id;
    await svc.db.em().transactional(async (em) => {
      const incident = await loadIncident(em, id);
      const [instance] = await em.execute<{ unit_id: string | null }[]>('SELECT unit_id FROM process_instances WHERE id = ?', [
        incident.instance_id,
      ]);
      await c.var.authz.assertVisible('process.read', instance?.unit_id ?? null, () => incidentNotFound(id));
      await c.var.authz.assert('process.operate', instance?.unit_id ?? null);
      await retryIncident(em, svc, acting(c), incident);
    });
    return c.json(await one(svc.db.em(), id), 200);
  });
}
