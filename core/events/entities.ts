import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { col } from '../db/columns.ts';

/** One event for one after-commit consumer (docs/events.md, migration core_0012_outbox). */
export const OutboxEntry = defineEntity({
  name: 'OutboxEntry',
  tableName: 'outbox',
  uniques: [{ properties: ['consumer', 'idempotencyKey'] }],
  indexes: [{ properties: ['status', 'nextAttemptAt'] }],
  properties: {
    id: col.id().primary(),
    /** `<owner>:<name>` of the consumer (core/events/bus.ts). */
    consumer: col.string(128),
    eventId: col.id(),
    eventType: col.string(128),
    /** JSON text. */
    payload: col.text(),
    actorId: col.id().nullable(),
    actorName: col.string(255).nullable(),
    requestId: col.string(64).nullable(),
    idempotencyKey: col.string(128),
    /** pending → delivered; failed after its last attempt. */
    status: col.string(16),
    attempts: p.integer().default(0),
    nextAttemptAt: col.timestamp(),
    lockedBy: col.string(128).nullable(),
    lockedUntil: col.timestamp().nullable(),
    lastError: col.text().nullable(),
    createdAt: col.timestamp(),
    deliveredAt: col.timestamp().nullable(),
  },
});
export type OutboxEntry = InferEntity<typeof OutboxEntry>;
