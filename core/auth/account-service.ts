import type { Ports } from '../modules/ports.ts';
import { AppError } from '../errors.ts';
import type { Principal } from '../http/env.ts';
import { grantsOf, type Grant } from '../org/users-service.ts';
import { ApiToken, User } from './entities.ts';
import { assertPasswordPolicy, hashPassword, verifyPassword } from './passwords.ts';
import { createSession, endSessionsOf, type SessionMeta } from './sessions.ts';
import { newApiToken } from './tokens.ts';

// Application services of the signed-in user's own account (core/auth/routes.ts): each owns its
// transaction and its audit record; the routes only parse requests, set cookies and shape answers.

/** The caller's role assignments with their units. */
export function ownGrants(svc: Pick<Ports, 'audit' | 'clock' | 'config' | 'db'>, principal: Principal): Promise<Grant[]> {
  return grantsOf(svc.db.em(), principal.user.id);
}

/**
 * Changes the caller's password given the current one. Every session ends, including the one
 * in use (its cookie may be the stolen one); a caller signed in by session gets a fresh one,
 * whose token is returned (null for a caller using an API token).
 */
export async function changeOwnPassword(
  svc: Pick<Ports, 'audit' | 'clock' | 'config' | 'db'>,
  principal: Principal,
  input: { currentPassword: string; newPassword: string },
  meta: SessionMeta,
  requestId: string,
): Promise<string | null> {
  return svc.db.em().transactional(async (em) => {
    const user = await em.findOneOrFail(User, { id: principal.user.id });
    if (!(await verifyPassword(user.passwordHash ?? null, input.currentPassword)))
      throw new AppError('auth.invalid_credentials', 'The current password is wrong');
    assertPasswordPolicy(input.newPassword, user.username);
    user.passwordHash = await hashPassword(input.newPassword);
    user.passwordChangedAt = svc.clock.now();
    user.updatedAt = svc.clock.now();
    await endSessionsOf(em, user.id);
    await svc.audit.append(em, {
      actor: { id: user.id, name: user.username },
      action: 'user.password_changed',
      targetType: 'user',
      targetId: user.id,
      unitId: user.unitId,
      requestId,
    });
    if (principal.via !== 'session') return null;
    return (await createSession(em, user.id, svc.clock.now(), svc.config, meta)).token;
  });
}

/** The caller's API tokens, newest first. */
export function ownTokens(svc: Pick<Ports, 'audit' | 'clock' | 'config' | 'db'>, principal: Principal): Promise<ApiToken[]> {
  return svc.db.em().find(ApiToken, { userId: principal.user.id }, { orderBy: { createdAt: 'desc' } });
}

/** Mints an API token for the caller (from a session only); the secret is returned once. */
export async function createOwnToken(
  svc: Pick<Ports, 'audit' | 'clock' | 'config' | 'db'>,
  principal: Principal,
  input: { name: string; expiresInDays?: number },
  requestId: string,
): Promise<{ row: ApiToken; token: string }> {
  // A token minting tokens would outlive its own expiry and revocation.
  if (principal.via !== 'session')
    throw new AppError('auth.forbidden', 'API tokens are created from a signed-in session, not with another token');
  const now = svc.clock.now();
  const secret = newApiToken();
  const row = await svc.db.em().transactional(async (em) => {
    const t = em.create(ApiToken, {
      id: crypto.randomUUID(),
      userId: principal.user.id,
      name: input.name,
      tokenHash: secret.hash,
      prefix: secret.prefix,
      createdAt: now,
      lastUsedAt: null,
      expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
      revokedAt: null,
    });
    await svc.audit.append(em, {
      actor: { id: principal.user.id, name: principal.user.username },
      action: 'token.created',
      targetType: 'api_token',
      targetId: t.id,
      unitId: principal.user.unitId,
      summary: { name: input.name, prefix: secret.prefix },
      requestId,
    });
    return t;
  });
  return { row, token: secret.token };
}

/** Revokes one of the caller's tokens (a second revocation keeps the first date). */
export async function revokeOwnToken(
  svc: Pick<Ports, 'audit' | 'clock' | 'config' | 'db'>,
  principal: Principal,
  id: string,
  requestId: string,
): Promise<void> {
  await svc.db.em().transactional(async (em) => {
    const t = await em.findOne(ApiToken, { id, userId: principal.user.id });
    if (!t) throw new AppError('request.not_found', 'No such token of yours');
    t.revokedAt ??= svc.clock.now();
    await svc.audit.append(em, {
      actor: { id: principal.user.id, name: principal.user.username },
      action: 'token.revoked',
      targetType: 'api_token',
      targetId: t.id,
      unitId: principal.user.unitId,
      summary: { name: t.name },
      requestId,
    });
  });
}
