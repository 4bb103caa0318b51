import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '../../errors.ts';
import { acting } from '../../http/acting.ts';
import type { AppEnv } from '../../http/env.ts';
import { defineRoute } from '../../http/route.ts';
import { IdParam, json } from '../../http/schemas.ts';
import type { Ports } from '../../modules/ports.ts';
import type { Authz } from '../../org/authz.ts';
import { listOutbox, retryOutboxRow } from './operator.ts';

/**
 * The portal outbox for its operators (docs/portal-sync.md, "Operating it"): `portal.manage`,
 * held province-wide (the outbox is the province's, not a unit's).
 */

const OutboxRow = z
  .object({
    id: z.string(),
    dossierCode: z.string(),
    seq: z.number().int(),
    idempotencyKey: z.string(),
    status: z.enum(['pending', 'sent', 'failed']),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    nextAttemptAt: z.string().nullable().describe('When a pending row is next tried; null for sent and failed (dead) rows'),
    lockedUntil: z.string().nullable().describe('Held by a sender until then'),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
  })
  .openapi('PortalOutboxRow');

const list = defineRoute({
  method: 'get',
  path: '/api/portal/outbox',
  operationId: 'listPortalOutbox',
  tags: ['portal'],
  summary: 'Rows of the national-portal sync outbox in one state, a page at a time: pending and failed oldest first, sent newest first',
  permission: 'portal.manage',
  request: {
    query: z.object({
      state: z.enum(['pending', 'sent', 'failed']).default('failed').describe('`failed`: the dead letter, tried no more until retried'),
      dossierCode: z.string().min(1).max(100).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      offset: z.coerce.number().int().min(0).default(0),
    }),
  },
  errors: ['auth.forbidden_scope'],
  responses: {
    200: json(z.object({ items: z.array(OutboxRow), total: z.number().int(), nextOffset: z.number().int().nullable() }), 'A page of rows'),
  },
});

const retry = defineRoute({
  method: 'post',
  path: '/api/portal/outbox/{id}/retry',
  operationId: 'retryPortalOutboxRow',
  tags: ['portal'],
  summary:
    'Send a row now: a failed (dead) row pending again with fresh attempts, a pending row waiting for its backoff due at once; audited',
  permission: 'portal.manage',
  request: { params: IdParam },
  errors: ['auth.forbidden_scope', 'portal.sync_not_found', 'portal.sync_not_retryable'],
  responses: { 200: json(OutboxRow, 'The row, due now') },
});

function assertProvinceWide(authz: Authz): void {
  if (!authz.isGlobal('portal.manage'))
    throw new AppError(
      'auth.forbidden_scope',
      'Permission "portal.manage" must be held province-wide (at a root unit): the outbox is the province\'s',
    );
}

export function registerPortalRoutes(app: OpenAPIHono<AppEnv>, ports: Pick<Ports, 'db' | 'clock' | 'audit'>): void {
  app.openapi(list, async (c) => {
    assertProvinceWide(c.var.authz);
    return c.json(await listOutbox(ports, c.req.valid('query')), 200);
  });
  app.openapi(retry, async (c) => {
    assertProvinceWide(c.var.authz);
    return c.json(await retryOutboxRow(ports, acting(c), c.req.valid('param').id), 200);
  });
}
