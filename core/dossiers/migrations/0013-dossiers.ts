import { defineMigration, timestamp } from '../../db/migration.ts';

/**
 * Dossiers (core/dossiers, docs/dossiers.md): the dossier with its national status code and
 * the sub-states kept apart from it, its components checklist, its status history, and the
 * daily counter per receiving agency that numbers dossier codes without gaps.
 */
export const dossiers = defineMigration('core_0013_dossiers', (schema) =>
  schema
    .createTable('dossiers', (t) => {
      t.string('id', 36).primary();
      /** `<agency id>-<YYMMDD>-<NNNN>` by default (docs/dossiers.md). */
      t.string('code', 100).notNullable().unique();
      /** National status code 1–10 (DOMAIN §2). */
      t.integer('status').notNullable();
      /** Sub-states, never folded into `status` so reports do not double count. */
      t.string('payment_status', 16).notNullable();
      t.string('result_status', 16).notNullable();
      t.string('sync_status', 16).notNullable();
      /** 1 in person, 2 online, 3 postal. */
      t.integer('channel').notNullable();
      t.string('applicant_kind', 16).notNullable();
      t.string('applicant_name', 300).notNullable();
      t.string('applicant_id_number', 32).nullable();
      t.string('applicant_sex', 8).nullable();
      t.string('applicant_birth_date', 10).nullable();
      t.string('applicant_phone', 32).nullable();
      t.string('applicant_email', 254).nullable();
      t.string('applicant_address', 1000).nullable();
      /** The dossier's owner when not the applicant (JSON: the same fields), else null. */
      t.text('owner').nullable();
      t.string('procedure_code', 32).notNullable();
      t.string('procedure_name', 1000).notNullable();
      t.integer('procedure_version').notNullable();
      t.string('case_key', 64).notNullable();
      t.string('definition_key', 255).nullable();
      t.integer('definition_version').nullable();
      /** Process instances the dossier drives (JSON array of ids). */
      t.text('instance_ids').notNullable();
      t.bigInteger('fees_due').notNullable();
      t.bigInteger('fees_paid').notNullable();
      t.string('fee_mode', 16).nullable();
      timestamp(t, 'submitted_at').nullable();
      timestamp(t, 'received_at').nullable();
      timestamp(t, 'appointment_at').nullable();
      timestamp(t, 'refused_at').nullable();
      /** Reasons of a refusal (form 03), or what is missing (form 02): JSON arrays. */
      t.text('refusal_reasons').nullable();
      t.text('supplement_missing').nullable();
      t.string('note', 2000).nullable();
      /** The receiving desk: its unit and materialised path (scope checks, ADR 0004). */
      t.string('unit_id', 36).notNullable();
      t.string('unit_path', 1000).notNullable().index();
      /** The receiving agency whose daily counter numbered the code. */
      t.string('agency_code', 64).notNullable();
      t.string('received_by_id', 36).nullable();
      t.string('received_by_name', 255).nullable();
      timestamp(t, 'created_at').notNullable();
      timestamp(t, 'updated_at').notNullable();
      t.integer('lock_version').notNullable().defaultTo(1);
      t.index(['status', 'unit_path']);
    })
    .createTable('dossier_components', (t) => {
      t.string('id', 36).primary();
      t.string('dossier_id', 36).notNullable().references('id').inTable('dossiers');
      /** Position of the required document in the case (0-based). */
      t.integer('position').notNullable();
      t.string('document_code', 64).nullable();
      t.string('portal_code', 100).nullable();
      t.string('name', 1000).notNullable();
      t.boolean('optional').notNullable();
      /** Counts the case requires. */
      t.integer('required_originals').notNullable();
      t.integer('required_copies').notNullable();
      /** Ticked at the desk. */
      t.boolean('received').notNullable();
      t.integer('originals').notNullable();
      t.integer('certified_copies').notNullable();
      t.integer('copies').notNullable();
      t.boolean('digitised').notNullable();
      /** Code of an earlier result reused in its place. */
      t.string('reused_result', 100).nullable();
      t.unique(['dossier_id', 'position']);
    })
    .createTable('dossier_status_history', (t) => {
      t.string('id', 36).primary();
      t.string('dossier_id', 36).notNullable().references('id').inTable('dossiers');
      t.integer('from_status').nullable();
      t.integer('to_status').notNullable();
      timestamp(t, 'at').notNullable();
      t.string('by_id', 36).nullable();
      t.string('by_name', 255).notNullable();
      t.string('reason', 2000).nullable();
      t.index(['dossier_id', 'at']);
    })
    .createTable('dossier_counters', (t) => {
      /** Unit code of the receiving agency. */
      t.string('agency_code', 64).notNullable();
      /** Vietnam date YYYY-MM-DD. */
      t.string('day', 10).notNullable();
      t.integer('n').notNullable();
      t.primary(['agency_code', 'day']);
    }),
);
