import type { Authz } from '../org/authz.ts';
import type { PermissionRegistry } from '../org/roles.ts';
import type { User } from '../auth/entities.ts';
import type { TaskRow } from './runtime.ts';

/**
 * May this user act on the task? The named assignee or a candidate user may; otherwise a
 * holder of a candidate role whose grant reaches the task's unit; a task naming nobody is
 * open to anyone with `task.work` in its unit.
 */
export function mayWork(
  user: User,
  authz: Authz,
  permissions: PermissionRegistry,
  task: Pick<TaskRow, 'assignee' | 'candidate_groups' | 'candidate_users' | 'unit_path'>,
): boolean {
  if (task.assignee) return task.assignee === user.username || task.assignee === user.id;
  if (task.candidate_users.includes(`,${user.username},`)) return true;
  const reaches = (grantPath: string) =>
    task.unit_path ? task.unit_path.startsWith(grantPath) : grantPath.split('/').filter(Boolean).length === 1;
  const groups = task.candidate_groups.split(',').filter(Boolean);
  if (groups.length) return authz.grants.some((g) => groups.includes(g.role) && reaches(g.unitPath));
  if (task.candidate_users) return false;
  return authz.grants.some((g) => permissions.roleGrants(g.role, 'task.work') && reaches(g.unitPath));
}

/** SQL condition (and parameters) selecting the open tasks a user may work on. */
export function workableTasksSql(
  user: Pick<User, 'id' | 'username'>,
  authz: Authz,
  permissions: PermissionRegistry,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [user.username, user.id, `%,${user.username},%`];
  const parts = ['t.assignee = ?', 't.assignee = ?', '(t.assignee IS NULL AND t.candidate_users LIKE ?)'];
  for (const g of authz.grants) {
    const root = g.unitPath.split('/').filter(Boolean).length === 1;
    const scope = root ? '(t.unit_path IS NULL OR t.unit_path LIKE ?)' : 't.unit_path LIKE ?';
    parts.push(`(t.assignee IS NULL AND t.candidate_groups LIKE ? AND ${scope})`);
    params.push(`%,${g.role},%`, `${g.unitPath}%`);
    if (permissions.roleGrants(g.role, 'task.work')) {
      parts.push(`(t.assignee IS NULL AND t.candidate_groups = '' AND t.candidate_users = '' AND ${scope})`);
      params.push(`${g.unitPath}%`);
    }
  }
  return { sql: `(${parts.join(' OR ')})`, params };
}
