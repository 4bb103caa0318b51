import type { EntityManager } from '@mikro-orm/knex';
import { toDate } from '../jobs/jobs.ts';
import type { DomainEvent } from './catalogue.ts';
import { sql } from '../db/sql.ts';

/** A row of `outbox` (core/db/migrations/0012-outbox.ts). */
export interface OutboxRow {
  id: string;
  consumer: string;
  event_id: string;
  event_type: string;
  payload: string;
  actor_id: string | null;
  actor_name: string | null;
  request_id: string | null;
  idempotency_key: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number | string;
  next_attempt_at: unknown;
  locked_by: string | null;
  locked_until: unknown;
  last_error: string | null;
  created_at: unknown;
  delivered_at: unknown;
}

/**
 * The idempotency key of an event for a consumer: the event's id, so the same on every retry
 * (unique per consumer in the table).
 */
export const idempotencyKeyOf = (event: DomainEvent) => event.id;

/** In the publishing transaction: one pending row for the consumer, due at once. */
export async function enqueue(em: EntityManager, consumer: string, event: DomainEvent, now: Date): Promise<void> {
  await sql(em).run(
    `INSERT INTO outbox (id, consumer, event_id, event_type, payload, actor_id, actor_name, request_id, idempotency_key, status, attempts, next_attempt_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
    [
      crypto.randomUUID(),
      consumer,
      event.id,
      event.type,
      JSON.stringify(event.payload),
      event.actor?.id ?? null,
      event.actor?.name ?? null,
      event.requestId,
      idempotencyKeyOf(event),
      now,
      now,
    ],
  );
}

/** The event a row carries, as its consumer receives it. */
export function eventOf(row: OutboxRow): DomainEvent {
  return {
    id: row.event_id,
    type: row.event_type,
    occurredAt: toDate(row.created_at).toISOString(),
    actor: row.actor_name === null ? null : { id: row.actor_id, name: row.actor_name },
    requestId: row.request_id,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
  };
}
