import type { EntityManager } from '@mikro-orm/knex';
import type { AppConfig } from '../config.ts';
import { Session, User, ApiToken } from './entities.ts';
import { randomSecret, sha256 } from './tokens.ts';
import { userFromRow } from './user-row.ts';
import { sessionWithUser, tokenWithUser } from './store.ts';

export const SESSION_COOKIE = 'motcua_session';
/** lastSeenAt is written at most this often, so reading pages does not write on every request. */
const TOUCH_INTERVAL_MS = 60_000;

/** Where a session was opened from (shown to its user). */
export interface SessionMeta {
  ip?: string | null;
  userAgent?: string | null;
}

export async function createSession(
  em: EntityManager,
  userId: string,
  now: Date,
  config: Pick<AppConfig, 'sessionAbsoluteMs'>,
  meta: SessionMeta,
): Promise<{ token: string; session: Session }> {
  const token = randomSecret();
  const session = em.create(Session, {
    id: sha256(token),
    userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + config.sessionAbsoluteMs),
    ip: meta.ip?.slice(0, 64) ?? null,
    userAgent: meta.userAgent?.slice(0, 512) ?? null,
  });
  await em.flush();
  return { token, session };
}

export type SessionLookup =
  { kind: 'ok'; session: { id: string; lastSeenAt: Date; expiresAt: Date }; user: User } | { kind: 'expired' } | { kind: 'none' };

/**
 * Resolves a session cookie; ends sessions that are idle, past their absolute limit, or of a
 * disabled user. Every request passes here, so session and user come in one query.
 */
export async function resolveSession(
  em: EntityManager,
  token: string,
  now: Date,
  config: Pick<AppConfig, 'sessionIdleMs'>,
): Promise<SessionLookup> {
  const id = sha256(token);
  const row = await sessionWithUser(em, id);
  if (!row) return { kind: 'expired' };
  const { session_user_id: userId, session_last_seen_at: seen, session_expires_at: expires, ...userColumns } = row;
  const session = { id, lastSeenAt: new Date(seen as Date | number | string), expiresAt: new Date(expires as Date | number | string) };
  const idleFor = now.getTime() - session.lastSeenAt.getTime();
  if (now >= session.expiresAt || idleFor > config.sessionIdleMs) {
    await em.nativeDelete(Session, { id });
    return { kind: 'expired' };
  }
  const user = userColumns.id ? userFromRow(userColumns) : null;
  if (!user || !user.active) {
    await em.nativeDelete(Session, { userId: userId as string });
    return { kind: 'expired' };
  }
  if (idleFor > TOUCH_INTERVAL_MS) {
    await em.nativeUpdate(Session, { id }, { lastSeenAt: now });
    session.lastSeenAt = now;
  }
  return { kind: 'ok', session, user };
}

/** A personal API token's holder; token and user come in one query (every API call passes here). */
export async function resolveApiToken(em: EntityManager, token: string, now: Date): Promise<{ token: { id: string }; user: User } | null> {
  const row = await tokenWithUser(em, sha256(token));
  if (!row) return null;
  const { token_id: id, token_last_used_at: lastUsed, token_expires_at: expires, token_revoked_at: revoked, ...userColumns } = row;
  const at = (v: unknown) => (v === null || v === undefined ? null : new Date(v as Date | number | string));
  const expiresAt = at(expires);
  if (revoked !== null && revoked !== undefined) return null;
  if (expiresAt && now >= expiresAt) return null;
  const user = userColumns.id ? userFromRow(userColumns) : null;
  if (!user || !user.active) return null;
  const lastUsedAt = at(lastUsed);
  if (!lastUsedAt || now.getTime() - lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
    await em.nativeUpdate(ApiToken, { id: id as string }, { lastUsedAt: now });
  }
  return { token: { id: id as string }, user };
}

export async function endSessionsOf(em: EntityManager, userId: string): Promise<void> {
  await em.nativeDelete(Session, { userId });
}
