import type { EntityManager } from '@mikro-orm/knex';
import type { Ports } from '../modules/ports.ts';
import { isDemoMode } from '../config.ts';
import { AppError } from '../errors.ts';
import { User, sexes } from '../auth/entities.ts';
import { assertPasswordPolicy, generatePassword, hashPassword } from '../auth/passwords.ts';
import { endSessionsOf } from '../auth/sessions.ts';
import type { Acting } from './actor.ts';
import type { Authz } from './authz.ts';
import { RoleAssignment, Unit } from './entities.ts';
import { isRole, roleNames } from './roles.ts';
import { findUnit, findVisibleUnit } from './units-service.ts';

export type Sex = (typeof sexes)[number];

export interface UserInput {
  username: string;
  displayName: string;
  email?: string | null;
  sex?: Sex | null;
  unitId?: string | null;
  /** Omitted: a random one is generated and returned once. */
  password?: string;
}

export interface UserPatch {
  version: number;
  displayName?: string;
  email?: string | null;
  sex?: Sex | null;
  unitId?: string | null;
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export const userNotFound = (idOrUsername: string) => new AppError('user.not_found', `No user "${idOrUsername}"`);

export async function findUser(em: EntityManager, idOrUsername: string): Promise<User> {
  const user = (await em.findOne(User, { id: idOrUsername })) ?? (await em.findOne(User, { username: idOrUsername.toLowerCase() }));
  if (!user) throw userNotFound(idOrUsername);
  return user;
}

/** An account the caller may see (`user.read` reaches its unit); one they may not answers as a missing one (ADR 0004). */
export async function findVisibleUser(em: EntityManager, authz: Authz, idOrUsername: string): Promise<User> {
  const user = await findUser(em, idOrUsername);
  await authz.assertVisible('user.read', user.unitId, () => userNotFound(idOrUsername));
  return user;
}

/**
 * True on a demo server holding the demo province (`--demo`, SQLite, not production, root unit
 * DEMO): there the demo password is accepted for new and reset passwords (passwords.ts).
 */
export async function demoServer(svc: Pick<Ports, 'config'>, em: EntityManager): Promise<boolean> {
  return isDemoMode(svc.config) && (await em.count(Unit, { code: 'DEMO', parentId: null })) > 0;
}

/**
 * Creates an account. Passwords follow the policy unless `skipPolicy` (demo accounts only; the
 * seed passes the one `passwordHash` it made of them); `demo`: see `demoServer`.
 */
export async function createUser(
  svc: Pick<Ports, 'audit' | 'clock'>,
  em: EntityManager,
  acting: Acting,
  input: UserInput,
  options: { skipPolicy?: boolean; passwordHash?: string; demo?: boolean } = {},
): Promise<{ user: User; generatedPassword?: string }> {
  const username = input.username.trim().toLowerCase();
  if (!USERNAME_PATTERN.test(username)) {
    throw new AppError(
      'request.invalid',
      'Username: 2–64 lower-case letters, digits, dot, dash or underscore, starting with a letter or digit',
    );
  }
  if (await em.findOne(User, { username })) throw new AppError('user.exists', `Username "${username}" is taken`);
  const unit = input.unitId ? await findUnit(em, input.unitId) : null;
  const generatedPassword = input.password === undefined ? generatePassword(username) : undefined;
  const password = input.password ?? generatedPassword!;
  if (!options.skipPolicy) assertPasswordPolicy(password, username, { demo: options.demo });
  const now = svc.clock.now();
  const user = em.create(User, {
    id: crypto.randomUUID(),
    username,
    displayName: input.displayName,
    email: input.email ?? null,
    sex: input.sex ?? null,
    unitId: unit?.id ?? null,
    active: true,
    passwordHash: options.skipPolicy && options.passwordHash ? options.passwordHash : await hashPassword(password),
    passwordChangedAt: now,
    failedLogins: 0,
    lastFailedAt: null,
    lockedAt: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  });
  await em.flush();
  await svc.audit.append(em, {
    ...acting,
    action: 'user.created',
    targetType: 'user',
    targetId: user.id,
    unitId: user.unitId,
    summary: { username, displayName: input.displayName, unit: unit?.code ?? null },
  });
  return { user, generatedPassword };
}

export async function updateUser(
  svc: Pick<Ports, 'audit' | 'clock'>,
  em: EntityManager,
  acting: Acting,
  id: string,
  patch: UserPatch,
): Promise<User> {
  const user = await findUser(em, id);
  if (patch.version !== user.version) {
    throw new AppError('conflict.stale', `User ${user.username} is at version ${user.version}, you edited version ${patch.version}`, {
      currentVersion: user.version,
    });
  }
  const changes: Record<string, [unknown, unknown]> = {};
  if (patch.unitId !== undefined && patch.unitId !== user.unitId) {
    const unit = patch.unitId ? await findUnit(em, patch.unitId) : null;
    changes.unitId = [user.unitId, unit?.id ?? null];
    user.unitId = unit?.id ?? null;
  }
  for (const key of ['displayName', 'email', 'sex'] as const) {
    const value = patch[key];
    if (value !== undefined && value !== user[key]) {
      changes[key] = [user[key], value];
      (user as Record<string, unknown>)[key] = value;
    }
  }
  if (Object.keys(changes).length === 0) return user;
  user.updatedAt = svc.clock.now();
  await em.flush();
  await svc.audit.append(em, {
    ...acting,
    action: 'user.updated',
    targetType: 'user',
    targetId: user.id,
    unitId: user.unitId,
    summary: changes,
  });
  return user;
}

/** Disabling ends every session at once; API tokens stop working because the user is inactive. */
export async function setUserActive(
  svc: Pick<Ports, 'audit' | 'clock'>,
  em: EntityManager,
  acting: Acting,
  id: string,
  active: boolean,
): Promise<User> {
  const user = await findUser(em, id);
  if (user.active === active) return user;
  user.active = active;
  user.updatedAt = svc.clock.now();
  await em.flush();
  if (!active) await endSessionsOf(em, user.id);
  await svc.audit.append(em, {
    ...acting,
    action: active ? 'user.enabled' : 'user.disabled',
    targetType: 'user',
    targetId: user.id,
    unitId: user.unitId,
  });
  return user;
}

export async function unlockUser(svc: Pick<Ports, 'audit' | 'clock'>, em: EntityManager, acting: Acting, id: string): Promise<User> {
  const user = await findUser(em, id);
  const wasLocked = !!user.lockedAt;
  user.lockedAt = null;
  user.failedLogins = 0;
  user.lastFailedAt = null;
  user.updatedAt = svc.clock.now();
  await em.flush();
  await svc.audit.append(em, {
    ...acting,
    action: 'user.unlocked',
    targetType: 'user',
    targetId: user.id,
    unitId: user.unitId,
    summary: { wasLocked },
  });
  return user;
}

/** An administrator sets a new password (policy applies); the user's sessions end. */
export async function resetPassword(
  svc: Pick<Ports, 'audit' | 'clock'>,
  em: EntityManager,
  acting: Acting,
  id: string,
  password?: string,
  options: { demo?: boolean } = {},
): Promise<{ user: User; generatedPassword?: string }> {
  const user = await findUser(em, id);
  const generatedPassword = password === undefined ? generatePassword(user.username) : undefined;
  const pw = password ?? generatedPassword!;
  assertPasswordPolicy(pw, user.username, options);
  user.passwordHash = await hashPassword(pw);
  user.passwordChangedAt = svc.clock.now();
  user.updatedAt = svc.clock.now();
  await em.flush();
  await endSessionsOf(em, user.id);
  await svc.audit.append(em, { ...acting, action: 'user.password_reset', targetType: 'user', targetId: user.id, unitId: user.unitId });
  return { user, generatedPassword };
}

export async function grantRole(
  svc: Pick<Ports, 'audit' | 'clock'>,
  em: EntityManager,
  acting: Acting,
  input: { userId: string; role: string; unitId: string },
): Promise<RoleAssignment> {
  if (!isRole(input.role)) throw new AppError('role.unknown', `Unknown role "${input.role}"; roles are: ${roleNames.join(', ')}`);
  const user = await findUser(em, input.userId);
  const unit = await findUnit(em, input.unitId);
  const existing = await em.findOne(RoleAssignment, { userId: user.id, role: input.role, unitId: unit.id });
  if (existing) return existing;
  const ra = em.create(RoleAssignment, {
    id: crypto.randomUUID(),
    userId: user.id,
    role: input.role,
    unitId: unit.id,
    createdAt: svc.clock.now(),
  });
  await em.flush();
  await svc.audit.append(em, {
    ...acting,
    action: 'role.granted',
    targetType: 'user',
    targetId: user.id,
    unitId: unit.id,
    summary: { username: user.username, role: input.role, unit: unit.code },
  });
  return ra;
}

export async function revokeRole(
  svc: Pick<Ports, 'audit' | 'clock'>,
  em: EntityManager,
  acting: Acting,
  assignment: RoleAssignment,
): Promise<void> {
  const user = await findUser(em, assignment.userId);
  const unit = await findUnit(em, assignment.unitId);
  await em.nativeDelete(RoleAssignment, { id: assignment.id });
  await svc.audit.append(em, {
    ...acting,
    action: 'role.revoked',
    targetType: 'user',
    targetId: user.id,
    unitId: unit.id,
    summary: { username: user.username, role: assignment.role, unit: unit.code },
  });
}

// Application services of the user routes: each checks visibility and scope and owns its
// transaction; the routes only parse requests and shape answers.

export interface Grant {
  id: string;
  role: string;
  unitId: string;
  unitCode: string;
  unitName: string;
}

/** A user's role assignments with their units, by unit path then role. */
export async function grantsOf(em: EntityManager, userId: string): Promise<Grant[]> {
  const rows = await em
    .createQueryBuilder(RoleAssignment, 'ra')
    .select(['ra.id', 'ra.role', 'ra.unit_id as unit_id', 'u.code', 'u.name'])
    .join('ra.unitId', 'u')
    .where({ 'ra.userId': userId })
    .orderBy({ 'u.path': 'asc', 'ra.role': 'asc' })
    .execute<{ id: string; role: string; unit_id: string; code: string; name: string }[]>('all', false);
  return rows.map((g) => ({ id: g.id, role: g.role, unitId: g.unit_id, unitCode: g.code, unitName: g.name }));
}

/** The accounts the caller may read (home unit in a `user.read` scope; no unit needs a province-wide grant), at most 500. */
export async function listVisibleUsers(
  svc: Pick<Ports, 'audit' | 'clock' | 'db'>,
  authz: Authz,
  filter: { q?: string; active?: 'true' | 'false' },
): Promise<User[]> {
  const qb = svc.db.em().createQueryBuilder(User, 'u').select('u.*').leftJoin('u.unitId', 'un');
  const scope: object[] = authz.scopes('user.read').map((s) => ({ 'un.path': { $like: `${s}%` } }));
  if (authz.isGlobal('user.read')) scope.push({ 'u.unitId': null });
  qb.where(scope.length ? { $or: scope } : { 'u.id': null });
  if (filter.active) qb.andWhere({ 'u.active': filter.active === 'true' });
  if (filter.q) {
    const like = `%${filter.q.toLowerCase()}%`;
    qb.andWhere('(lower(u.username) like ? or lower(u.display_name) like ?)', [like, like]);
  }
  return qb.orderBy({ 'u.username': 'asc' }).limit(500).getResultList();
}

/** One visible account and its grants. */
export async function userDetail(
  svc: Pick<Ports, 'audit' | 'clock' | 'db'>,
  authz: Authz,
  idOrUsername: string,
): Promise<{ user: User; grants: Grant[] }> {
  const em = svc.db.em();
  const user = await findVisibleUser(em, authz, idOrUsername);
  return { user, grants: await grantsOf(em, user.id) };
}

/** Creates an account in a unit the caller manages (no unit: a province-wide grant). */
export async function addUser(svc: Pick<Ports, 'audit' | 'clock' | 'config' | 'db'>, authz: Authz, acting: Acting, input: UserInput) {
  return svc.db.em().transactional(async (em) => {
    const unit = input.unitId ? await findVisibleUnit(em, authz, input.unitId) : null;
    await authz.assert('user.manage', unit?.id ?? null);
    return createUser(svc, em, acting, { ...input, unitId: unit?.id ?? null }, { demo: await demoServer(svc, em) });
  });
}

/** Edits an account the caller manages; moving it needs the new unit in scope too. */
export async function editUser(
  svc: Pick<Ports, 'audit' | 'clock' | 'db'>,
  authz: Authz,
  acting: Acting,
  idOrUsername: string,
  patch: UserPatch,
): Promise<User> {
  return svc.db.em().transactional(async (em) => {
    const user = await findVisibleUser(em, authz, idOrUsername);
    await authz.assert('user.manage', user.unitId);
    if (patch.unitId !== undefined && patch.unitId !== user.unitId) {
      const unit = patch.unitId ? await findVisibleUnit(em, authz, patch.unitId) : null;
      await authz.assert('user.manage', unit?.id ?? null);
      patch = { ...patch, unitId: unit?.id ?? null };
    }
    return updateUser(svc, em, acting, user.id, patch);
  });
}

/** Disables, enables or unlocks an account the caller manages (never their own disabled). */
export async function userAction(
  svc: Pick<Ports, 'audit' | 'clock' | 'db'>,
  authz: Authz,
  acting: Acting,
  idOrUsername: string,
  action: 'disable' | 'enable' | 'unlock',
): Promise<User> {
  return svc.db.em().transactional(async (em) => {
    const user = await findVisibleUser(em, authz, idOrUsername);
    await authz.assert('user.manage', user.unitId);
    if (action === 'disable' && user.id === acting.actor.id) throw new AppError('request.invalid', 'You cannot disable your own account');
    if (action === 'unlock') return unlockUser(svc, em, acting, user.id);
    return setUserActive(svc, em, acting, user.id, action === 'enable');
  });
}

/** Resets the password of an account the caller manages (generated when none is given). */
export async function resetUserPassword(
  svc: Pick<Ports, 'audit' | 'clock' | 'config' | 'db'>,
  authz: Authz,
  acting: Acting,
  idOrUsername: string,
  password?: string,
) {
  return svc.db.em().transactional(async (em) => {
    const user = await findVisibleUser(em, authz, idOrUsername);
    await authz.assert('user.manage', user.unitId);
    return resetPassword(svc, em, acting, user.id, password, { demo: await demoServer(svc, em) });
  });
}

/** Grants a role in a unit the caller may assign roles in. */
export async function grant(
  svc: Pick<Ports, 'audit' | 'clock' | 'db'>,
  authz: Authz,
  acting: Acting,
  input: { userId: string; role: string; unitId: string },
) {
  return svc.db.em().transactional(async (em) => {
    const unit = await findVisibleUnit(em, authz, input.unitId);
    await authz.assert('role.assign', unit.id);
    return grantRole(svc, em, acting, { ...input, unitId: unit.id });
  });
}

/** Revokes a role assignment the caller sees and may assign in. */
export async function revoke(svc: Pick<Ports, 'audit' | 'clock' | 'db'>, authz: Authz, acting: Acting, id: string): Promise<void> {
  await svc.db.em().transactional(async (em) => {
    const ra = await em.findOne(RoleAssignment, { id });
    if (!ra) throw new AppError('role.assignment_not_found');
    await authz.assertVisible('user.read', ra.unitId, () => new AppError('role.assignment_not_found'));
    await authz.assert('role.assign', ra.unitId);
    await revokeRole(svc, em, acting, ra);
  });
}
