import type { User } from './entities.ts';

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(v as number | string));

/**
 * The signed-in user from a raw `users` row (snake_case columns, SQLite's 0/1 and epoch
 * numbers, PostgreSQL's strings). Every request resolves its caller, and `em.map` with the
 * identity-map merge cost about 4% of the server's CPU on a task completion; the principal is
 * only ever read, never flushed, so a plain object does.
 */
export function userFromRow(row: Record<string, unknown>): User {
  return {
    id: String(row.id),
    username: String(row.username),
    displayName: String(row.display_name),
    email: (row.email as string | null) ?? null,
    sex: (row.sex as User['sex']) ?? null,
    unitId: (row.unit_id as string | null) ?? null,
    active: row.active === true || row.active === 1 || row.active === '1' || row.active === 't',
    passwordHash: (row.password_hash as string | null) ?? null,
    passwordChangedAt: date(row.password_changed_at),
    failedLogins: Number(row.failed_logins ?? 0),
    lastFailedAt: date(row.last_failed_at),
    lockedAt: date(row.locked_at),
    createdAt: date(row.created_at)!,
    updatedAt: date(row.updated_at)!,
    version: Number(row.version),
  } as User;
}
