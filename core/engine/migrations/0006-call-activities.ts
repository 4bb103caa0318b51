import { defineMigration } from '../../db/migration.ts';

/**
 * Call activities and input/output mappings (core/engine/call-activities.ts, io-mapping.ts).
 * - `process_instances`: a called instance names the call activity that started it, beside the
 *   existing `parent_id` and `root_id`: `parent_activity_id` and `parent_execution_id` (the
 *   execution the parent's engine waits on); the parent finds its children by
 *   (`parent_id`, `parent_execution_id`).
 * - `tasks.variables`: the task's input parameters (camunda:inputOutput), JSON, evaluated when
 *   the task started; NULL when it has none.
 */
export const callActivities = defineMigration('core_0006_call_activities', (schema) =>
  schema
    .alterTable('process_instances', (t) => {
      t.string('parent_activity_id', 255).nullable();
      t.string('parent_execution_id', 255).nullable();
      t.index(['parent_id', 'parent_execution_id']);
    })
    .alterTable('tasks', (t) => {
      t.text('variables').nullable();
    }),
);
