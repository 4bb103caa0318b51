import { defineMigration } from '../../db/migration.ts';

/**
 * The index the inbox reads (GET /api/tasks, views.ts `workableTasks`): it asks one branch per
 * way a task can be the user's, each on an index, instead of one OR that scans every open task.
 * `(status, candidate_users)` holds the open tasks naming candidate users (the empty lists are one
 * key the branch skips). No index on `claimed_by`: SQLite takes it for `claimed_by IS NULL OR …`
 * in every branch, and that is most open tasks.
 * On PostgreSQL, `tasks.unit_path` compares by code point (`COLLATE "C"`), as SQLite does: a
 * unit's subtree is then a range of paths on the `(status, unit_path)` index whatever the
 * database's collation (a language collation orders `/` and digits by other rules).
 */
export const inboxIndexes = defineMigration('core_0026_inbox_indexes', (schema, { dialect }) => {
  const s = schema.alterTable('tasks', (t) => {
    t.index(['status', 'candidate_users']);
  });
  return dialect === 'postgresql' ? s.raw('ALTER TABLE tasks ALTER COLUMN unit_path TYPE varchar(1024) COLLATE "C"') : s;
});
