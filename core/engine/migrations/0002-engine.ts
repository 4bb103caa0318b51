import { defineMigration, timestamp } from '../../db/migration.ts';

/** Deployed process definitions, running instances, user tasks and the activity history. */
export const engine = defineMigration('core_0002_engine', (schema) =>
  schema
    .createTable('bpmn_deployments', (t) => {
      t.string('id', 36).primary();
      t.string('name', 255).nullable();
      t.string('hash', 64).notNullable().index();
      t.text('xml').notNullable();
      timestamp(t, 'created_at').notNullable();
      t.string('created_by', 36).nullable();
    })
    .createTable('process_definitions', (t) => {
      t.string('id', 36).primary();
      t.string('key', 255).notNullable();
      t.integer('version').notNullable();
      t.string('name', 255).nullable();
      t.string('hash', 64).notNullable();
      t.string('deployment_id', 36).notNullable().references('bpmn_deployments.id');
      t.text('context').notNullable();
      t.text('activities').notNullable();
      timestamp(t, 'created_at').notNullable();
      t.string('created_by', 36).nullable();
      t.unique(['key', 'version']);
      t.unique(['key', 'hash']);
    })
    .createTable('process_instances', (t) => {
      t.string('id', 36).primary();
      t.string('definition_id', 36).notNullable().references('process_definitions.id').index();
      t.string('definition_key', 255).notNullable();
      t.integer('definition_version').notNullable();
      t.string('business_key', 255).nullable().index();
      t.string('status', 16).notNullable().index();
      t.string('unit_id', 36).nullable().references('units.id');
      t.string('unit_path', 1024).nullable();
      t.text('state').nullable();
      t.text('variables').notNullable();
      t.string('parent_id', 36).nullable().index();
      t.string('root_id', 36).nullable();
      t.string('started_by', 36).nullable();
      timestamp(t, 'started_at').notNullable();
      timestamp(t, 'ended_at').nullable();
      timestamp(t, 'updated_at').notNullable();
      t.integer('lock_version').notNullable().defaultTo(1);
    })
    .createTable('tasks', (t) => {
      t.string('id', 36).primary();
      t.string('instance_id', 36).notNullable().references('process_instances.id').index();
      t.string('definition_key', 255).notNullable().index();
      t.string('activity_id', 255).notNullable();
      t.string('execution_id', 255).notNullable();
      t.string('name', 255).nullable();
      t.string('form_key', 255).nullable();
      t.string('assignee', 64).nullable().index();
      t.string('candidate_groups', 512).notNullable().defaultTo('');
      t.string('candidate_users', 1024).notNullable().defaultTo('');
      t.string('unit_id', 36).nullable();
      t.string('unit_path', 1024).nullable().index();
      timestamp(t, 'due_at').nullable();
      t.string('status', 16).notNullable();
      t.string('claimed_by', 36).nullable();
      timestamp(t, 'created_at').notNullable();
      timestamp(t, 'completed_at').nullable();
      t.string('completed_by', 36).nullable();
      t.unique(['instance_id', 'execution_id']);
      t.index(['status', 'unit_path']);
    })
    .createTable('activity_history', (t) => {
      t.increments('id').primary();
      t.string('instance_id', 36).notNullable().references('process_instances.id').index();
      t.string('activity_id', 255).notNullable();
      t.string('execution_id', 255).notNullable();
      t.string('name', 255).nullable();
      t.string('type', 64).notNullable();
      timestamp(t, 'started_at').notNullable();
      timestamp(t, 'ended_at').nullable();
      t.string('actor_id', 36).nullable();
      t.unique(['instance_id', 'execution_id']);
    }),
);
