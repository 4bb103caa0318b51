import { defineMigration, timestamp } from '../../core/plugin-api.ts';

/** Append only: never edit or reorder a released migration; add queue_0002_… instead. */
export const ticketsMigration = defineMigration('queue_0001_tickets', (schema) =>
  schema
    .createTable('queue_tickets', (t) => {
      t.string('id', 36).primary();
      t.string('unit_id', 36).notNullable().index();
      t.string('period', 10).notNullable();
      t.string('day', 10).notNullable();
      t.integer('number').notNullable();
      t.string('code', 16).notNullable();
      t.string('service_code', 64).notNullable();
      t.string('dossier_id', 64).nullable();
      t.string('status', 16).notNullable().index();
      t.string('issued_by', 36).nullable();
      t.string('called_by', 36).nullable();
      t.string('desk', 64).nullable();
      t.string('idempotency_key', 128).nullable().unique();
      timestamp(t, 'issued_at').notNullable();
      timestamp(t, 'called_at').nullable();
      timestamp(t, 'finished_at').nullable();
      t.unique(['unit_id', 'period', 'number']);
    })
    .createTable('queue_counters', (t) => {
      t.string('unit_id', 36).notNullable();
      t.string('period', 10).notNullable();
      t.integer('last_number').notNullable();
      t.primary(['unit_id', 'period']);
    }),
);

export const queueMigrations = [ticketsMigration];
