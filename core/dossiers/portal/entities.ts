import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { col, reference } from '../../db/columns.ts';

/** One change of a dossier to report to the national portal (migration core_0022, docs/portal-sync.md). */
export const PortalSync = defineEntity({
  name: 'PortalSync',
  tableName: 'dossier_portal_sync',
  uniques: [{ properties: ['dossierId', 'seq'] }],
  indexes: [{ properties: ['status', 'nextAttemptAt'] }],
  properties: {
    id: col.id().primary(),
    dossierId: reference('Dossier', 'dossier_id'),
    dossierCode: col.string(100),
    seq: p.integer(),
    idempotencyKey: col.string(120).unique(),
    eventId: col.id(),
    payload: p.text(),
    status: col.string(16).$type<PortalSyncStatus>(),
    attempts: p.integer(),
    nextAttemptAt: col.timestamp(),
    lockedBy: col.string(100).nullable(),
    lockedUntil: col.timestamp().nullable(),
    lastError: col.string(4000).nullable(),
    sentBy: col.string(100).nullable(),
    createdAt: col.timestamp(),
    sentAt: col.timestamp().nullable(),
  },
});
export type PortalSync = InferEntity<typeof PortalSync>;
export type PortalSyncStatus = 'pending' | 'sent' | 'failed';
