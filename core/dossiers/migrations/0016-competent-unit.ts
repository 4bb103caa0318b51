import { defineMigration } from '../../db/migration.ts';

/**
 * The agency deciding a dossier (`competent_unit_id`, `competent_unit_path`), chosen at receipt
 * among the procedure's competent agencies in the desk's province: where the case's process
 * sends every step that names no unit and is not the desk's (docs/dossiers.md, "Routing").
 */
export const competentUnit = defineMigration('core_0016_dossier_competent_unit', (schema) =>
  schema.alterTable('dossiers', (t) => {
    t.string('competent_unit_id', 36).nullable();
    t.string('competent_unit_path', 1000).nullable();
  }),
);
