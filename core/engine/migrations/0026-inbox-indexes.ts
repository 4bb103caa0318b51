import { defineMigration } from '../../db/migration.ts';

/**
 * The indexes the inbox reads (GET /api/tasks, views.ts `workableTasks`): it asks one branch per
 * way a task can be the user's, each on an index, instead of one OR that scans every open task.
 * - `(status, candidate_users)`: the open tasks naming candidate users (the empty lists are one key
 *   the branch skips);
 * - `(status, claimed_by)`: the open tasks a user claimed (filter `mine`).
 * On PostgreSQL, `tasks.unit_path` compares by code point (`COLLATE "C"`), as SQLite does: a
 * unit's subtree is then a range of paths on the `(status, unit_path)` index whatever the
 * database's collation (a language collation orders `/` and digits by other rules).
 */
export const inboxIndexes = defineMigration('core_0026_inbox_indexes', (schema, { dialect }) => {
  const s = schema.alterTable('tasks', (t) => {
    t.index(['status', 'candidate_users']);
    t.index(['status', 'claimed_by']);
  });
  return dialect === 'postgresql' ? s.raw('ALTER TABLE tasks ALTER COLUMN unit_path TYPE varchar(1024) COLLATE "C"') : s;
});
