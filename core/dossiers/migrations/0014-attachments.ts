import { defineMigration, timestamp } from '../../db/migration.ts';

/**
 * Dossier attachments (docs/dossiers.md § Attachments): the scans of a dossier's components.
 * The metadata and the bytes live in two tables, so listing attachments never reads a byte of
 * a file. The bytes are kept once per SHA-256 (the same scan uploaded twice is stored once) in
 * the database every node shares: a file on one node's disk would be missing on the others.
 */
export const attachments = defineMigration('core_0014_dossier_attachments', (schema) =>
  schema
    .createTable('dossier_attachment_blobs', (t) => {
      /** Lower-case hex SHA-256 of the content. */
      t.string('sha256', 64).primary();
      t.integer('size').notNullable();
      /** bytea on PostgreSQL, blob on SQLite. */
      t.binary('content').notNullable();
      timestamp(t, 'created_at').notNullable();
    })
    .createTable('dossier_attachments', (t) => {
      t.string('id', 36).primary();
      t.string('dossier_id', 36).notNullable().references('id').inTable('dossiers');
      /** The checklist row the scan belongs to, if any. */
      t.string('component_id', 36).nullable().references('id').inTable('dossier_components');
      /** As sanitised at upload (no path, no control or bidi characters, at most 200 characters). */
      t.string('file_name', 255).notNullable();
      /** The type read from the bytes, never the client's Content-Type or the name. */
      t.string('media_type', 100).notNullable();
      t.integer('size').notNullable();
      t.string('sha256', 64).notNullable().references('sha256').inTable('dossier_attachment_blobs').index();
      t.string('uploaded_by_id', 36).nullable();
      t.string('uploaded_by_name', 255).notNullable();
      timestamp(t, 'uploaded_at').notNullable();
      t.index(['dossier_id', 'uploaded_at']);
    }),
);
