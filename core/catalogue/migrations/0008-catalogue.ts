import { defineMigration, timestamp } from '../../db/migration.ts';

/**
 * The procedure catalogue (core/catalogue, ADR 0009).
 * - `procedures`: one row per code; `lock_version` guards every edit (optimistic locking).
 * - `procedure_versions`: every version ever saved (never deleted): its
 *   status (draft → published → retired), effective dates (`effective_to` is the first day it
 *   no longer applies), who and when, and the folded search columns the app maintains.
 * - `procedure_documents`: the JSON document of each version.
 * - `procedure_bindings`: per published version and case, the BPMN definition pinned at publish.
 * - `procedure_facets`: sector codes, levels and agency codes of each version, for filters.
 * - `procedure_words`: the words of each version's search text (word-prefix lookups).
 * - `sectors`: the sector catalogue (lĩnh vực), kept from published documents.
 */
export const catalogue = defineMigration('core_0008_catalogue', (schema) =>
  schema
    .createTable('procedures', (t) => {
      t.string('code', 64).primary();
      // draft (never published), published, retired
      t.string('status', 16).notNullable();
      t.integer('latest_version').notNullable();
      t.integer('published_version').nullable();
      t.integer('lock_version').notNullable();
      timestamp(t, 'created_at').notNullable();
      timestamp(t, 'updated_at').notNullable();
    })
    .createTable('procedure_versions', (t) => {
      t.string('id', 36).primary();
      t.string('procedure_code', 64).notNullable().references('procedures.code');
      t.integer('version').notNullable();
      // draft, published, retired
      t.string('status', 16).notNullable();
      t.text('name').notNullable();
      // Lower-case code, and ' word word … ' of the name / of name + description + keywords,
      // folded (no diacritics, đ → d): searched with LIKE on both dialects.
      t.string('code_folded', 64).notNullable();
      t.text('name_folded').notNullable();
      t.text('text_folded').notNullable();
      t.string('effective_from', 10).nullable();
      t.string('effective_to', 10).nullable();
      // The version that replaced this one when it was retired by a newer publication.
      t.integer('superseded_by').nullable();
      t.string('source_pack_id', 255).nullable();
      t.string('source_pack_version', 64).nullable();
      timestamp(t, 'created_at').notNullable();
      t.string('created_by', 36).nullable();
      t.string('created_by_name', 255).notNullable();
      timestamp(t, 'updated_at').notNullable();
      t.string('updated_by_name', 255).notNullable();
      timestamp(t, 'published_at').nullable();
      t.string('published_by', 36).nullable();
      t.string('published_by_name', 255).nullable();
      timestamp(t, 'retired_at').nullable();
      t.string('retired_by', 36).nullable();
      t.string('retired_by_name', 255).nullable();
      t.unique(['procedure_code', 'version']);
      t.index(['procedure_code', 'status']);
    })
    // Documents apart, so search scans narrow rows (a 2-10 KB document in the row would make
    // every scan read them all on SQLite).
    .createTable('procedure_documents', (t) => {
      t.string('version_id', 36).primary().references('procedure_versions.id');
      t.text('document').notNullable();
      t.string('document_hash', 64).notNullable();
    })
    .createTable('procedure_bindings', (t) => {
      t.string('procedure_code', 64).notNullable();
      t.integer('version').notNullable();
      t.string('case_key', 64).notNullable();
      t.string('definition_key', 255).notNullable();
      t.integer('definition_version').notNullable();
      t.primary(['procedure_code', 'version', 'case_key']);
      t.index(['definition_key', 'definition_version']);
    })
    .createTable('procedure_facets', (t) => {
      t.string('version_id', 36).notNullable().references('procedure_versions.id');
      // sector, level, agency
      t.string('facet', 16).notNullable();
      t.string('value', 300).notNullable();
      t.primary(['version_id', 'facet', 'value']);
      t.index(['facet', 'value']);
    })
    // The distinct words of each version's folded text: a word-prefix query is an index range
    // scan here instead of a LIKE over every row's text.
    .createTable('procedure_words', (t) => {
      t.string('version_id', 36).notNullable().references('procedure_versions.id');
      t.string('word', 64).notNullable();
      t.primary(['version_id', 'word']);
      t.index(['word', 'version_id']);
    })
    .createTable('sectors', (t) => {
      t.string('code', 64).primary();
      t.string('name', 300).notNullable();
      timestamp(t, 'created_at').notNullable();
      timestamp(t, 'updated_at').notNullable();
    }),
);
