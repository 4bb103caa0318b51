import { defineMigration } from '../../db/migration.ts';

/**
 * Where a message came from, and which waits accept one from outside (security fix: a desk
 * clerk could send another agency's result message through the API).
 * - `messages.origin`: `api` (POST /api/messages) or `process` (a throw event, end event or
 *   send task). Messages buffered before this migration with a unit scope can only have come
 *   from the API (processes publish without one).
 * - `messages.activity_id`: the receiving element, once correlated (the instance's history).
 * - `message_subscriptions.external`: the waiting element is marked `motcua:external`, so a
 *   message sent through the API may reach it.
 */
export const messageOrigin = defineMigration('core_0010_message_origin', (schema) =>
  schema
    .alterTable('messages', (t) => {
      t.string('origin', 16).notNullable().defaultTo('process');
      t.string('activity_id', 255).nullable();
    })
    .alterTable('message_subscriptions', (t) => {
      t.boolean('external').notNullable().defaultTo(false);
    })
    .raw("UPDATE messages SET origin = 'api' WHERE scope IS NOT NULL"),
);
