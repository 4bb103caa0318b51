import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { col } from '../db/columns.ts';

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
    at: col.string(30),
    actorId: col.id().nullable().index(),
    actorName: col.string(255),
    action: col.string(128).index(),
    targetType: col.string(64),
    targetId: col.string(255).nullable(),
    unitId: col.id().nullable().index(),
    summary: p.json<Record<string, unknown>>().columnType('json'),
    requestId: col.string(64).nullable(),
    prevHash: col.string(64),
    hash: col.string(64),
  },
});
export type AuditRecord = InferEntity<typeof AuditRecord>;

/** The head of one chain: appending locks it, so records of one chain are strictly ordered. */
export const AuditHead = defineEntity({
  name: 'AuditHead',
  tableName: 'audit_heads',
  properties: {
    chain: p.integer().primary().autoincrement(false),
    seq: p.integer(),
    hash: col.string(64),
  },
});
export type AuditHead = InferEntity<typeof AuditHead>;
