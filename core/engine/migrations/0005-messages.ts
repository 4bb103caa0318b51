import { defineMigration, timestamp } from '../../db/migration.ts';

/**
 * Messages between processes (core/engine/messages.ts).
 * - `message_subscriptions`: what an instance waits for (a message catch event, receive task or
 *   message boundary event), keyed by (instance, execution id); reconciled after every command.
 * - `messages`: every message published, by `message_id` (unique: a repeat is ignored). A
 *   message nobody waited for stays `buffered` until `expires_at`, then `expired`.
 */
export const messages = defineMigration('core_0005_messages', (schema) =>
  schema
    .createTable('message_subscriptions', (t) => {
      t.string('id', 36).primary();
      t.string('instance_id', 36).notNullable().references('process_instances.id');
      t.string('execution_id', 255).notNullable();
      t.string('activity_id', 255).notNullable();
      t.string('message_name', 255).notNullable();
      t.string('correlation_key', 255).nullable();
      t.string('unit_path', 1024).nullable();
      timestamp(t, 'created_at').notNullable();
      t.unique(['instance_id', 'execution_id']);
      t.index(['message_name', 'correlation_key']);
    })
    .createTable('messages', (t) => {
      t.string('id', 36).primary();
      t.string('message_id', 255).notNullable().unique();
      t.string('name', 255).notNullable();
      t.string('correlation_key', 255).nullable();
      t.text('variables').notNullable();
      // JSON array of unit paths the message may reach; NULL: any (published by a process).
      t.text('scope').nullable();
      // pending (being handled), buffered, correlated, expired
      t.string('status', 16).notNullable();
      t.string('instance_id', 36).nullable();
      t.string('sent_by', 36).nullable();
      timestamp(t, 'created_at').notNullable();
      timestamp(t, 'expires_at').notNullable();
      timestamp(t, 'correlated_at').nullable();
      t.index(['name', 'correlation_key', 'status']);
      t.index(['status', 'expires_at']);
    }),
);
