import { defineMigration, timestamp } from '../../db/migration.ts';

/**
 * The outbox of domain events for after-commit consumers (core/events, docs/events.md): one
 * row per event and consumer, written in the transaction that published the event, delivered
 * after the commit by the job runner (at least once, retried with backoff), purged a while
 * after delivery.
 */
export const outbox = defineMigration('core_0012_outbox', (schema) =>
  schema.createTable('outbox', (t) => {
    t.string('id', 36).primary();
    /** `<owner>:<name>` of the consumer (core/events/bus.ts). */
    t.string('consumer', 128).notNullable();
    t.string('event_id', 36).notNullable();
    t.string('event_type', 128).notNullable();
    t.text('payload').notNullable();
    t.string('actor_id', 36).nullable();
    t.string('actor_name', 255).nullable();
    t.string('request_id', 64).nullable();
    /** Handed to the consumer, the same on every retry. */
    t.string('idempotency_key', 128).notNullable();
    /** pending → delivered; failed after its last attempt. */
    t.string('status', 16).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    timestamp(t, 'next_attempt_at').notNullable();
    t.string('locked_by', 128).nullable();
    timestamp(t, 'locked_until').nullable();
    t.text('last_error').nullable();
    timestamp(t, 'created_at').notNullable();
    timestamp(t, 'delivered_at').nullable();
    t.unique(['consumer', 'idempotency_key']);
    // The runner's question: which pending rows are due?
    t.index(['status', 'next_attempt_at']);
  }),
);
