import { defineMigration, timestamp } from '../../db/migration.ts';

/**
 * A supplement asked during processing and the appointment's history (docs/dossiers.md,
 * "Supplement during processing", "Apology and extension"): one row per supplement (at most one
 * per dossier, the unique key refuses a second even when two arrive at once), and one row per
 * change of the appointment (a supplement received under the case's clock policy, an apology and
 * extension, form 04) with the appointment before and after, so both are kept.
 */
export const supplementExtension = defineMigration('core_0023_dossier_supplement_extension', (schema) =>
  schema
    .createTable('dossier_supplements', (t) => {
      t.string('id', 36).primary();
      t.string('dossier_id', 36).notNullable().unique().references('id').inTable('dossiers');
      /** Asked (status 5): when, by whom, from which unit, what is missing (JSON array), why. */
      timestamp(t, 'requested_at').notNullable();
      t.string('requested_by_id', 36).nullable();
      t.string('requested_by_name', 255).notNullable();
      t.string('unit_id', 36).nullable();
      t.text('missing').notNullable();
      t.string('reason', 2000).nullable();
      /** The applicant's deadline (the case's `supplement.applicantDeadline`); null when the case gives none. */
      timestamp(t, 'applicant_due_at').nullable();
      /** Received at the desk (back to 4): when, by whom, the case's clock policy then. */
      timestamp(t, 'received_at').nullable();
      t.string('received_by_id', 36).nullable();
      t.string('received_by_name', 255).nullable();
      t.string('policy', 16).nullable();
    })
    .createTable('dossier_appointments', (t) => {
      t.string('id', 36).primary();
      t.string('dossier_id', 36).notNullable().references('id').inTable('dossiers');
      /** When it changed, why (`supplement`, `extension`), and the appointment before and after. */
      timestamp(t, 'at').notNullable();
      t.string('cause', 16).notNullable();
      timestamp(t, 'previous_at').notNullable();
      timestamp(t, 'appointment_at').notNullable();
      /** The supplement's clock policy, or the extension's stated cause. */
      t.string('reason', 2000).nullable();
      t.string('by_id', 36).nullable();
      t.string('by_name', 255).notNullable();
      /** The late unit an extension speaks for (form 04), and its signer's title. */
      t.string('unit_id', 36).nullable();
      t.string('signer_title', 255).nullable();
      t.index(['dossier_id', 'at']);
    }),
);
