import { defineMigration, timestamp } from '../../db/migration.ts';

/**
 * The public lookup `/tra-cuu` (docs/dossiers.md § Public lookup): its rate-limit counters,
 * and the applicants' evaluations of returned dossiers, kept for reporting (DOMAIN §8).
 */
export const lookup = defineMigration('core_0018_dossier_lookup', (schema) =>
  schema
    .createTable('dossier_lookup_throttle', (t) => {
      /** SHA-256 of `client:<address>` or `code:<dossier code>`: fixed size, never the caller's text. */
      t.string('key_hash', 64).primary();
      /** Attempts in the current window. */
      t.integer('attempts').notNullable();
      /** End of the window; the hourly purge deletes the row after it. */
      timestamp(t, 'expires_at').notNullable().index();
    })
    .createTable('dossier_evaluations', (t) => {
      t.string('id', 36).primary();
      /** One evaluation per dossier: the unique key refuses a second, even a concurrent one. */
      t.string('dossier_id', 36).notNullable().unique().references('id').inTable('dossiers');
      /** The nine indicators, 0–2 points each (evaluation-model.ts). */
      t.integer('total_time').notNullable();
      t.integer('agency_time').notNullable();
      t.integer('contacts').notNullable();
      t.integer('agencies_contacted').notNullable();
      t.integer('one_stop').notNullable();
      t.integer('published').notNullable();
      t.integer('attitude').notNullable();
      t.integer('feedback').notNullable();
      t.integer('online').notNullable();
      /** Their sum, 0–18. */
      t.integer('total_points').notNullable();
      /** 1 very dissatisfied … 5 very satisfied. */
      t.integer('satisfaction').notNullable();
      timestamp(t, 'evaluated_at').notNullable().index();
    }),
);
