import { defineMigration, timestamp } from '../../db/migration.ts';

/** Units, users, roles, sessions, API tokens and the audit trail. */
export const foundation = defineMigration('core_0001_foundation', (schema) =>
  schema
    .createTable('units', (t) => {
      t.string('id', 36).primary();
      t.string('code', 64).notNullable().unique();
      t.string('name', 255).notNullable();
      t.string('level', 16).notNullable();
      t.string('parent_id', 36).nullable().references('units.id');
      t.string('path', 1024).notNullable().index();
      t.string('valid_from', 10).nullable();
      t.string('valid_to', 10).nullable();
      t.string('successor_id', 36).nullable().references('units.id');
      timestamp(t, 'created_at').notNullable();
      timestamp(t, 'updated_at').notNullable();
      t.integer('version').notNullable().defaultTo(1);
    })
    .createTable('unit_name_history', (t) => {
      t.increments('id').primary();
      t.string('unit_id', 36).notNullable().references('units.id').index();
      t.string('name', 255).notNullable();
      t.string('code', 64).notNullable();
      timestamp(t, 'valid_to').notNullable();
    })
    .createTable('users', (t) => {
      t.string('id', 36).primary();
      t.string('username', 64).notNullable().unique();
      t.string('display_name', 255).notNullable();
      t.string('email', 255).nullable();
      t.string('sex', 8).nullable();
      t.string('unit_id', 36).nullable().references('units.id').index();
      t.boolean('active').notNullable().defaultTo(true);
      t.string('password_hash', 255).nullable();
      timestamp(t, 'password_changed_at').nullable();
      t.integer('failed_logins').notNullable().defaultTo(0);
      timestamp(t, 'last_failed_at').nullable();
      timestamp(t, 'locked_at').nullable();
      timestamp(t, 'created_at').notNullable();
      timestamp(t, 'updated_at').notNullable();
      t.integer('version').notNullable().defaultTo(1);
    })
    .createTable('role_assignments', (t) => {
      t.string('id', 36).primary();
      t.string('user_id', 36).notNullable().references('users.id').onDelete('CASCADE').index();
      t.string('role', 64).notNullable();
      t.string('unit_id', 36).notNullable().references('units.id').index();
      timestamp(t, 'created_at').notNullable();
      t.unique(['user_id', 'role', 'unit_id']);
    })
    .createTable('sessions', (t) => {
      t.string('id', 64).primary();
      t.string('user_id', 36).notNullable().references('users.id').onDelete('CASCADE').index();
      timestamp(t, 'created_at').notNullable();
      timestamp(t, 'last_seen_at').notNullable();
      timestamp(t, 'expires_at').notNullable();
      t.string('ip', 64).nullable();
      t.string('user_agent', 512).nullable();
    })
    .createTable('api_tokens', (t) => {
      t.string('id', 36).primary();
      t.string('user_id', 36).notNullable().references('users.id').onDelete('CASCADE').index();
      t.string('name', 128).notNullable();
      t.string('token_hash', 64).notNullable().unique();
      t.string('prefix', 16).notNullable();
      timestamp(t, 'created_at').notNullable();
      timestamp(t, 'last_used_at').nullable();
      timestamp(t, 'expires_at').nullable();
      timestamp(t, 'revoked_at').nullable();
    })
    .createTable('audit_log', (t) => {
      t.increments('id').primary();
      t.integer('chain').notNullable();
      t.integer('seq').notNullable();
      t.string('at', 30).notNullable();
      t.string('actor_id', 36).nullable().index();
      t.string('actor_name', 255).notNullable();
      t.string('action', 128).notNullable().index();
      t.string('target_type', 64).notNullable();
      t.string('target_id', 255).nullable();
      t.string('unit_id', 36).nullable().index();
      t.json('summary').notNullable();
      t.string('request_id', 64).nullable();
      t.string('prev_hash', 64).notNullable();
      t.string('hash', 64).notNullable();
      t.unique(['chain', 'seq']);
    })
    .createTable('audit_heads', (t) => {
      // One row per chain: appending locks it, so records of one chain are strictly ordered.
      t.integer('chain').primary();
      t.integer('seq').notNullable();
      t.string('hash', 64).notNullable();
    })
    .createTable('settings', (t) => {
      t.string('key', 128).primary();
      t.text('value').notNullable();
    }),
);
