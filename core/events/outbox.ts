import type { EntityManager } from '@mikro-orm/knex';
import type { DomainEvent } from './catalogue.ts';
import { OutboxEntry } from './entities.ts';

/**
 * The idempotency key of an event for a consumer: the event's id, so the same on every retry
 * (unique per consumer in the table).
 */
export const idempotencyKeyOf = (event: DomainEvent) => event.id;

/** In the publishing transaction: one pending row for the consumer, due at once. */
export async function enqueue(em: EntityManager, consumer: string, event: DomainEvent, now: Date): Promise<void> {
  await em.insert(OutboxEntry, {
    id: crypto.randomUUID(),
    consumer,
    eventId: event.id,
    eventType: event.type,
    payload: JSON.stringify(event.payload),
    actorId: event.actor?.id ?? null,
    actorName: event.actor?.name ?? null,
    requestId: event.requestId,
    idempotencyKey: idempotencyKeyOf(event),
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
  });
}

/** The event a row carries, as its consumer receives it. */
export function eventOf(row: OutboxEntry): DomainEvent {
  return {
    id: row.eventId,
    type: row.eventType,
    occurredAt: row.createdAt.toISOString(),
    actor: row.actorName == null ? null : { id: row.actorId ?? null, name: row.actorName },
    requestId: row.requestId ?? null,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
  };
}
