import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { defineRoute } from '../http/route.ts';
import { json } from '../http/schemas.ts';
import { verifyAuditChain } from './verify.ts';
import { listAuditRecords } from './queries.ts';
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
  app.openapi(list, async (c) => c.json(await listAuditRecords(ports.db, c.var.authz, c.req.valid('query')), 200));

  app.openapi(verify, async (c) => {
    if (!c.var.authz.isGlobal('audit.read')) await c.var.authz.assert('audit.read', null);
    return c.json(await verifyAuditChain(ports.db.em()), 200);
  });
}
