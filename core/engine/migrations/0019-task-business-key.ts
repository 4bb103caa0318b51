import { defineMigration } from '../../db/migration.ts';

/**
 * `tasks.business_key`: the instance's business key (a dossier's code) on each of its tasks, so
 * the inbox filters and joins by dossier without reading the instance (GET /api/tasks?businessKey=).
 * Filled for the tasks already there from their instances.
 */
export const taskBusinessKey = defineMigration('core_0019_task_business_key', (schema) =>
  schema
    .alterTable('tasks', (t) => {
      t.string('business_key', 255).nullable().index();
    })
    .raw('UPDATE tasks SET business_key = (SELECT p.business_key FROM process_instances p WHERE p.id = tasks.instance_id)'),
);
