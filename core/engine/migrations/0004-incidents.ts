import { defineMigration, timestamp } from '../../db/migration.ts';

/**
 * Incidents: a job of an instance (an async service task, a timer) that failed its last
 * attempt, or a business error no BPMN error boundary catches. Open while `resolved_at` is
 * NULL; the instance shows status `incident` while one of its open incidents has a failed job.
 */
export const incidents = defineMigration('core_0004_incidents', (schema) =>
  schema.createTable('incidents', (t) => {
    t.string('id', 36).primary();
    t.string('instance_id', 36).notNullable().references('process_instances.id').index();
    // No foreign key: jobs of ended instances may be cleaned up while their incidents stay as history.
    t.string('job_id', 36).nullable().index();
    t.string('activity_id', 255).nullable();
    t.string('execution_id', 255).nullable();
    t.string('topic', 255).nullable();
    t.text('message').notNullable();
    timestamp(t, 'created_at').notNullable();
    timestamp(t, 'resolved_at').nullable();
    t.string('resolved_by', 36).nullable();
    t.index(['resolved_at', 'created_at']);
  }),
);
