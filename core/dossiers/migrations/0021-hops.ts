import { defineMigration, timestamp } from '../../db/migration.ts';

/**
 * Hops (docs/dossiers.md § Hops, form 06): each hand-over of a dossier from one unit to the
 * next as its process's steps are worked, the receipt and the return to the desk included,
 * classed early / on time / late against the step's due time, with the late unit.
 */
export const hops = defineMigration('core_0021_dossier_hops', (schema) =>
  schema.createTable('dossier_hops', (t) => {
    t.string('id', 36).primary();
    t.string('dossier_id', 36).notNullable().references('id').inTable('dossiers');
    /** Order within the dossier (hops of one command share their time). */
    t.integer('seq').notNullable();
    /** `receipt` (desk → first step), `step` (a step done → the next step), `return` (the last step → the desk). */
    t.string('kind', 16).notNullable();
    /** The process instance whose step was handed over (null for the receipt). */
    t.string('instance_id', 36).nullable();
    /** The step handed over (null for the receipt): its task, activity and name. */
    t.string('task_id', 36).nullable();
    t.string('activity_id', 255).nullable();
    t.string('step_name', 255).nullable();
    /** The giving unit, its name at the time. */
    t.string('from_unit_id', 36).notNullable();
    t.string('from_unit_name', 1000).notNullable();
    /** The receiving unit (null while the next step is not known yet), its name and path at the time. */
    t.string('to_unit_id', 36).nullable();
    t.string('to_unit_name', 1000).nullable();
    t.string('to_unit_path', 1000).nullable();
    /** The next step's task, once it opened. */
    t.string('to_task_id', 36).nullable();
    /** The hand-over time: the receipt, or the step's completion. */
    timestamp(t, 'at').notNullable();
    t.string('giver_id', 36).nullable();
    t.string('giver_name', 255).nullable();
    /** Who worked the next step (filled when it is completed). */
    t.string('receiver_id', 36).nullable();
    t.string('receiver_name', 255).nullable();
    /** The step's due time (its budget in working time); null: not classed. */
    timestamp(t, 'due_at').nullable();
    /** `early`, `on_time`, `late`, or null without a due time. */
    t.string('timeliness', 8).nullable();
    /** The unit that held a late step (= the giving unit), for reports and form 04. */
    t.string('late_unit_id', 36).nullable().index();
    t.string('note', 2000).nullable();
    t.index(['dossier_id', 'seq']);
    t.index(['to_unit_path', 'at']);
  }),
);
