import { defineMigration, timestamp } from '../../db/migration.ts';

/**
 * Durable jobs: work the engine must do later, fired by the job runner (core/jobs/). Today the
 * kinds `timer` (a waiting timer of an instance) and `timer-start` (a timer start event of a
 * deployed definition); later async service tasks with retries and message time-to-live.
 */
export const jobs = defineMigration('core_0003_jobs', (schema) =>
  schema.createTable('jobs', (t) => {
    t.string('id', 36).primary();
    t.string('kind', 32).notNullable();
    t.string('instance_id', 36).nullable().references('process_instances.id');
    t.string('definition_id', 36).nullable().references('process_definitions.id').index();
    t.string('activity_id', 255).nullable();
    t.string('execution_id', 255).nullable();
    timestamp(t, 'due_at').notNullable();
    /** pending → done; failed after its last attempt; obsolete when its target vanished. */
    t.string('status', 16).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('locked_by', 128).nullable();
    timestamp(t, 'locked_until').nullable();
    t.text('last_error').nullable();
    t.text('payload').notNullable();
    timestamp(t, 'created_at').notNullable();
    // One job per waiting execution of an instance (NULLs, as for start timers, never collide).
    t.unique(['instance_id', 'execution_id']);
    // The runner's question: which pending jobs are due?
    t.index(['status', 'due_at']);
  }),
);
