// The experiment the inbox's query was rewritten after (core/engine/views.ts,
// workableTasksStatement, migration core_0026), kept as a second check of the same page: the same
// open tasks as workableTasks (filter `all`), asked as a UNION of one branch per way a task can be
// the user's, so that each branch can read an index. The platform's former single OR mixed
// `candidate_users LIKE '%,name,%'` into every row's test, so both databases scanned every open
// task and sorted them.
//   assignee      tasks(assignee)
//   candidate     tasks(candidate_users), only the rows where it is not empty
//   each grant    tasks(status, unit_path), the unit's subtree as a range of paths
import type { User } from '../../core/auth/entities.ts';
import type { Authz } from '../../core/org/authz.ts';
import type { PermissionRegistry } from '../../core/org/roles.ts';

/** The bench-only index the candidate branch reads (the others exist). */
export const CANDIDATE_INDEX = 'CREATE INDEX bench_tasks_candidate_users ON tasks (candidate_users)';

/** Paths are `/id/…/id/`: a subtree is the range [path, path with its last `/` raised to `0`). */
const subtree = (path: string) => [path, `${path.slice(0, -1)}0`];

export function unionStatement(
  user: User,
  authz: Authz,
  permissions: PermissionRegistry,
  limit: number,
): { sql: string; params: unknown[] } {
  const claim = '(t.claimed_by IS NULL OR t.claimed_by = ?)';
  const open = "SELECT t.* FROM tasks t WHERE t.status = 'open'";
  const parts = [
    `${open} AND t.assignee IN (?, ?) AND ${claim}`,
    `${open} AND t.candidate_users > '' AND t.assignee IS NULL AND t.candidate_users LIKE ? AND ${claim}`,
  ];
  const params: unknown[] = [user.username, user.id, user.id, `%,${user.username},%`, user.id];
  for (const g of authz.grants) {
    const root = g.unitPath.split('/').filter(Boolean).length === 1;
    const scope = root ? '(t.unit_path IS NULL OR (t.unit_path >= ? AND t.unit_path < ?))' : 't.unit_path >= ? AND t.unit_path < ?';
    const groups = permissions.roleGrants(g.role, 'task.work')
      ? "(t.candidate_groups LIKE ? OR (t.candidate_groups = '' AND t.candidate_users = ''))"
      : 't.candidate_groups LIKE ?';
    parts.push(`${open} AND ${scope} AND t.assignee IS NULL AND ${groups} AND ${claim}`);
    params.push(...subtree(g.unitPath), `%,${g.role},%`, user.id);
  }
  params.push(limit);
  return {
    sql: `SELECT x.* FROM (${parts.join(' UNION ')}) x ORDER BY x.due_at IS NULL, x.due_at, x.created_at LIMIT ?`,
    params,
  };
}
