import { defineMigration, timestamp } from '../../db/migration.ts';

/**
 * Signed procedure packs (core/packs, docs/pack-format.md, ADR 0010).
 * - `pack_trusted_keys`: Ed25519 public keys an admin trusts, by key id (first 16 hex of the
 *   SHA-256 of the raw key); a revoked key stays, with who revoked it and when.
 * - `pack_installs`: every pack installed (id + sequence unique): the highest sequence per pack
 *   id is the installed one and refuses rollbacks.
 * - `pack_assets`: forms and templates that came with packs, by path, so an export can carry them.
 */
export const packs = defineMigration('core_0009_packs', (schema) =>
  schema
    .createTable('pack_trusted_keys', (t) => {
      t.string('key_id', 16).primary();
      // SubjectPublicKeyInfo PEM of the Ed25519 key
      t.text('public_key').notNullable();
      t.string('publisher_name', 300).notNullable();
      t.string('province', 32).notNullable();
      t.string('trusted_by', 255).notNullable();
      timestamp(t, 'trusted_at').notNullable();
      t.string('revoked_by', 255).nullable();
      timestamp(t, 'revoked_at').nullable();
    })
    .createTable('pack_installs', (t) => {
      t.string('id', 36).primary();
      t.string('pack_id', 100).notNullable();
      t.string('version', 64).notNullable();
      t.bigInteger('sequence').notNullable();
      t.string('name', 300).notNullable();
      t.string('publisher_name', 300).notNullable();
      t.string('province', 32).notNullable();
      t.string('key_id', 16).notNullable();
      // SHA-256 of the exact manifest bytes
      t.string('manifest_hash', 64).notNullable();
      // JSON: counts of new / updated / unchanged procedures and deployed diagrams
      t.text('summary').notNullable();
      t.string('installed_by', 255).notNullable();
      timestamp(t, 'installed_at').notNullable();
      t.unique(['pack_id', 'sequence']);
    })
    .createTable('pack_assets', (t) => {
      t.string('path', 255).primary();
      t.string('sha256', 64).notNullable();
      t.integer('size').notNullable();
      t.binary('content').notNullable();
      t.string('pack_id', 100).notNullable();
      timestamp(t, 'updated_at').notNullable();
    }),
);
