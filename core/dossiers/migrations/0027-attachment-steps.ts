import { defineMigration } from '../../db/migration.ts';

/**
 * Attachments by the people who work a dossier's steps (docs/dossiers.md § Attachments): each
 * scan keeps the step it was attached at (the task, its activity and name; null for the desk's
 * scans of the papers handed in) and its kind: `scan` (a paper of the dossier, an appraisal note)
 * or `result` (a signed result document).
 */
export const attachmentSteps = defineMigration('core_0027_dossier_attachment_steps', (schema) =>
  schema.alterTable('dossier_attachments', (t) => {
    t.string('kind', 16).notNullable().defaultTo('scan');
    t.string('task_id', 36).nullable();
    t.string('activity_id', 255).nullable();
    t.string('step_name', 255).nullable();
  }),
);
