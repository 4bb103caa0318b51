import { defineMigration, timestamp } from '../../db/migration.ts';

/**
 * The national-portal sync outbox (docs/portal-sync.md): one row per change of a dossier, with
 * the portal payload built in the changing command's transaction, sent after the commit by the
 * configured sender, in order per dossier, with retries.
 */
export const portal = defineMigration('core_0022_dossier_portal_sync', (schema) =>
  schema.createTable('dossier_portal_sync', (t) => {
    t.string('id', 36).primary();
    t.string('dossier_id', 36).notNullable().references('id').inTable('dossiers');
    t.string('dossier_code', 100).notNullable();
    /** 1, 2, … per dossier, in the order the changes committed. */
    t.integer('seq').notNullable();
    /** `<dossier code>:<seq>`: the same on every attempt, passed to the sender. */
    t.string('idempotency_key', 120).notNullable().unique();
    /** The domain event that caused the change (`dossier.status_changed`'s id). */
    t.string('event_id', 36).notNullable();
    /** The payload (JSON, docs/portal-payload.schema.json). */
    t.text('payload').notNullable();
    /** pending → sent, or failed after the last attempt (an operator retries it). */
    t.string('status', 16).notNullable();
    t.integer('attempts').notNullable();
    timestamp(t, 'next_attempt_at').notNullable();
    t.string('locked_by', 100).nullable();
    timestamp(t, 'locked_until').nullable();
    t.string('last_error', 4000).nullable();
    /** Who took it (the sender's name) when sent. */
    t.string('sent_by', 100).nullable();
    timestamp(t, 'created_at').notNullable();
    timestamp(t, 'sent_at').nullable();
    t.unique(['dossier_id', 'seq']);
    t.index(['status', 'next_attempt_at']);
  }),
);
