import { defineMigration, timestamp } from '../../db/migration.ts';

/**
 * Statutory form templates a procedure pack brings (docs/dossiers.md § Forms, "Legal bases and
 * packs"): one row per form and legal basis, in the database so that every node renders the
 * same; and the legal basis each dossier's forms follow, pinned at its receipt.
 */
export const formTemplates = defineMigration('core_0028_dossier_form_templates', (schema) =>
  schema
    .createTable('dossier_form_templates', (t) => {
      /** '01'..'07'. */
      t.string('form', 2).notNullable();
      /** The document number of the legal basis, e.g. 03/2025/TT-VPCP. */
      t.string('legal_basis', 64).notNullable();
      /** The Vietnam day the basis comes into force (YYYY-MM-DD); null: a layout, which never changes the basis in force. */
      t.string('effective_from', 10).nullable();
      /** The handlebars template, checked at import (template-safety.ts). */
      t.text('text').notNullable();
      t.string('sha256', 64).notNullable();
      /** The pack that brought it, and its version. */
      t.string('origin', 100).notNullable();
      t.string('origin_version', 64).notNullable();
      timestamp(t, 'updated_at').notNullable();
      t.primary(['form', 'legal_basis']);
    })
    .alterTable('dossiers', (t) => {
      /** The legal basis in force on the day of receipt; null (dossiers received before): the default. */
      t.string('forms_legal_basis', 64).nullable();
    }),
);
