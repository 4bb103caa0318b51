import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { defineRoute } from '../http/route.ts';
import { json } from '../http/schemas.ts';
import { verifyAuditChain } from './verify.ts';
import { rowSummary, type AuditRow } from './rows.ts';
import type { Ports } from '../modules/ports.ts';

const Record_ = z
  .object({
    id: z.number().int(),
    seq: z.number().int(),
    at: z.string(),
    actorId: z.string().nullable(),
    actorName: z.string(),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    unitId: z.string().nullable(),
    summary: z.record(z.string(), z.unknown()),
    requestId: z.string().nullable(),
    hash: z.string(),
  })
  .openapi('AuditRecord');

const Query = z.object({
  actor: z.string().max(64).optional().describe('actor id or name'),
  action: z.string().max(128).optional().describe('exact action, or a prefix ending in "*" (e.g. "auth.*")'),
  targetType: z.string().max(64).optional(),
  targetId: z.string().max(255).optional(),
  unitId: z.string().max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  before: z.coerce.number().int().positive().optional().describe('cursor: records with id below this'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const list = defineRoute({
  method: 'get',
  path: '/api/audit',
  operationId: 'listAuditRecords',
  tags: ['audit'],
  summary: 'Audit records within your units, newest first (auditors only)',
  permission: 'audit.read',
  request: { query: Query },
  errors: ['auth.forbidden_scope'],
  responses: { 200: json(z.object({ records: z.array(Record_), nextBefore: z.number().int().nullable() }), 'Records') },
});
const verify = defineRoute({
  method: 'get',
  path: '/api/audit/verify',
  operationId: 'verifyAuditChain',
  tags: ['audit'],
  errors: ['auth.forbidden_scope'],
  summary: 'Check the whole hash chain for edits and deletions (province-wide auditors only)',
  permission: 'audit.read',
  responses: {
    200: json(
      z.object({
        ok: z.boolean(),
        records: z.number().int(),
        headSeq: z.number().int().describe('chain 0: its newest record'),
        headHash: z.string(),
        heads: z
          .array(z.object({ chain: z.number().int(), seq: z.number().int(), hash: z.string() }))
          .describe('every chain’s newest record, to anchor elsewhere'),
        problems: z.array(
          z.object({
            chain: z.number().int(),
            seq: z.number().int(),
            id: z.number().int().optional(),
            problem: z.string(),
            detail: z.string(),
          }),
        ),
      }),
      'Verification result',
    ),
  },
});

export function registerAuditRoutes(app: OpenAPIHono<AppEnv>, ports: Pick<Ports, 'db'>): void {
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const authz = c.var.authz;
    const where: string[] = [];
    const params: unknown[] = [];
    const scope = authz.scopes('audit.read').map((s) => {
      params.push(`${s}%`);
      return 'un.path LIKE ?';
    });
    if (authz.isGlobal('audit.read')) scope.push('a.unit_id IS NULL');
    where.push(`(${scope.join(' OR ')})`);
    if (q.actor) {
      where.push('(a.actor_id = ? OR a.actor_name = ?)');
      params.push(q.actor, q.actor);
    }
    if (q.action) {
      if (q.action.endsWith('*')) {
        where.push('a.action LIKE ?');
        params.push(`${q.action.slice(0, -1)}%`);
      } else {
        where.push('a.action = ?');
        params.push(q.action);
      }
    }
    for (const [key, col] of [
      ['targetType', 'target_type'],
      ['targetId', 'target_id'],
      ['unitId', 'unit_id'],
    ] as const) {
      if (q[key]) {
        where.push(`a.${col} = ?`);
        params.push(q[key]);
      }
    }
    if (q.unitId) await authz.assert('audit.read', q.unitId);
    if (q.from) {
      where.push('a.at >= ?');
      params.push(new Date(q.from).toISOString());
    }
    if (q.to) {
      where.push('a.at < ?');
      params.push(new Date(q.to).toISOString());
    }
    if (q.before) {
      where.push('a.id < ?');
      params.push(q.before);
    }
    params.push(q.limit + 1);
    const rows = await ports.db
      .em()
      .execute<AuditRow[]>(
        `SELECT a.* FROM audit_log a LEFT JOIN units un ON un.id = a.unit_id WHERE ${where.join(' AND ')} ORDER BY a.id DESC LIMIT ?`,
        params,
      );
    const page = rows.slice(0, q.limit);
    return c.json(
      {
        records: page.map((r) => ({
          id: Number(r.id),
          seq: Number(r.seq),
          at: r.at,
          actorId: r.actor_id,
          actorName: r.actor_name,
          action: r.action,
          targetType: r.target_type,
          targetId: r.target_id,
          unitId: r.unit_id,
          summary: rowSummary(r),
          requestId: r.request_id,
          hash: r.hash,
        })),
        nextBefore: rows.length > q.limit ? Number(page[page.length - 1].id) : null,
      },
      200,
    );
  });

  app.openapi(verify, async (c) => {
    if (!c.var.authz.isGlobal('audit.read')) await c.var.authz.assert('audit.read', null);
    return c.json(await verifyAuditChain(ports.db.em()), 200);
  });
}
