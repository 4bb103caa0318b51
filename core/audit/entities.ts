import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * One append-only audit record. `hash` = SHA-256 over the canonical record and `prevHash`,
 * so editing or deleting any record breaks the chain (see core/audit/chain.ts).
 */
export const AuditRecord = defineEntity({
  name: 'AuditRecord',
  tableName: 'audit_log',
  uniques: [{ properties: ['chain', 'seq'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    chain: p.integer(),
    seq: p.integer(),
    at: p.string(),
    actorId: p.string().nullable().index(),
    actorName: p.string(),
    action: p.string().index(),
    targetType: p.string(),
    targetId: p.string().nullable(),
    unitId: p.string().nullable().index(),
    summary: p.json<Record<string, unknown>>(),
    requestId: p.string().nullable(),
    prevHash: p.string(),
    hash: p.string(),
  },
});
export type AuditRecord = InferEntity<typeof AuditRecord>;
