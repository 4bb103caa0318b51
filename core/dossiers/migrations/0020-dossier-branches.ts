import { defineMigration, timestamp } from '../../db/migration.ts';

/**
 * The branches of a dossier after receipt (core/dossiers/transitions.ts, docs/dossiers.md
 * "Branches"): the payment requested and recorded (the `payment_status` sub-state's facts), the
 * applicant's withdrawal, the stop (form 05), the resolution and the return of the result (the
 * `result_status` sub-state's facts). Columns, not JSON, so reports and the portal payload read
 * them directly.
 */
export const dossierBranches = defineMigration('core_0020_dossier_branches', (schema) =>
  schema.alterTable('dossiers', (t) => {
    /** Payment requested (status 6): the amount due, what for, when. */
    t.bigInteger('payment_due').nullable();
    t.string('payment_reason', 1000).nullable();
    timestamp(t, 'payment_requested_at').nullable();
    /** Payment recorded: the amount paid, how, when. */
    t.bigInteger('payment_paid').nullable();
    t.string('payment_mode', 16).nullable();
    timestamp(t, 'payment_paid_at').nullable();
    /** Withdrawn by the applicant (status 7): why, and who asked. */
    timestamp(t, 'withdrawn_at').nullable();
    t.string('withdrawal_reason', 2000).nullable();
    t.string('withdrawal_requested_by', 300).nullable();
    /** Stopped (status 8, form 05): the reasons (JSON array), the legal ground, the signer's title. */
    timestamp(t, 'stopped_at').nullable();
    t.text('stop_reasons').nullable();
    t.string('stop_legal_ground', 1000).nullable();
    t.string('stop_signer_title', 255).nullable();
    /** Resolved (status 9): when the process (every part of a bundle) ended. */
    timestamp(t, 'resolved_at').nullable();
    /** Result returned (status 10): to whom, how, when, by whom. */
    timestamp(t, 'result_returned_at').nullable();
    t.string('result_method', 16).nullable();
    t.string('result_recipient_name', 300).nullable();
    t.string('result_recipient_id_number', 32).nullable();
    t.string('result_recipient_relation', 100).nullable();
    t.string('result_returned_by_id', 36).nullable();
    t.string('result_returned_by_name', 255).nullable();
  }),
);
