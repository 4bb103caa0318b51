import { raw, type EntityManager } from '@mikro-orm/knex';
import type { Ports } from '../modules/ports.ts';
import { AppError } from '../errors.ts';
import { User } from './entities.ts';
import { hashPassword, needsRehash, verifyPassword } from './passwords.ts';
import { createSession } from './sessions.ts';
import { currentFailures, FAILURE_WINDOW_MS, LOCK_AFTER, waitRemainingMs, type FailureStreak } from './throttle.ts';
import { recordUnknownNameFailure, unknownNameStreak } from './login-throttle.ts';

export interface LoginInput {
  username: string;
  password: string;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

/**
 * Login bookkeeping is no edit of the account: MikroORM's update of a versioned entity bumps its
 * version unless the data names it, and a bumped version would make an administrator's
 * concurrent edit look stale.
 */
const sameVersion = () => ({ version: raw('version') });

type Outcome = { ok: true; user: User; token: string } | { ok: false; error: AppError };

/**
 * Checks a password under the throttling policy and opens a session. Failures are counted
 * and audited in a committed transaction before the error is returned to the caller.
 */
export async function login(
  svc: Pick<Ports, 'audit' | 'clock' | 'config' | 'db'>,
  input: LoginInput,
): Promise<{ user: User; token: string }> {
  const username = input.username.trim().toLowerCase();
  const now = svc.clock.now();
  // The password is checked outside any transaction: hashing takes tens of milliseconds and
  // must not hold a connection (SQLite has one). Bookkeeping is then one short transaction of
  // atomic updates, so concurrent attempts neither lose a count nor bump the row's version
  // (which would make an administrator's concurrent edit look stale).
  // A name without an account is throttled and locked exactly like one with an account, and
  // its password is verified against a dummy hash: the answers, and the work behind them, must
  // not tell whether the account exists.
  const user = await svc.db.em().findOne(User, { username });
  const streak: FailureStreak = user
    ? { failedLogins: user.failedLogins, lastFailedAt: user.lastFailedAt ?? null, lockedAt: user.lockedAt ?? null }
    : await unknownNameStreak(svc.db.em(), username, now);
  if (streak.lockedAt) {
    throw new AppError('auth.locked', 'This account is locked after repeated failed logins; an administrator must unlock it');
  }
  const wait = waitRemainingMs(currentFailures(streak, now), streak.lastFailedAt, now);
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    throw new AppError('auth.throttled', `Try again in ${seconds} s`, { retryAfter: seconds }, { 'retry-after': String(seconds) });
  }
  const passwordOk = await verifyPassword(user?.passwordHash ?? null, input.password);
  const rehash = passwordOk && user?.passwordHash && needsRehash(user.passwordHash) ? await hashPassword(input.password) : null;

  const outcome = await svc.db.em().transactional(async (em): Promise<Outcome> => {
    const audit = (action: string, summary: Record<string, unknown>) =>
      svc.audit.append(em, {
        actor: { id: user?.id ?? null, name: user?.username ?? username },
        action,
        targetType: 'user',
        targetId: user?.id ?? null,
        unitId: user?.unitId ?? null,
        summary,
        requestId: input.requestId,
      });
    if (!user) {
      const { failedLogins, locks } = await recordUnknownNameFailure(em, username, now);
      await audit('auth.login_failed', { username, reason: 'unknown user', failedLogins, ip: input.ip ?? null });
      return { ok: false, error: locks ? new AppError('auth.locked') : new AppError('auth.invalid_credentials') };
    }
    if (!passwordOk) {
      // A streak whose last failure is older than the window starts again (as for unknown names).
      const windowStart = new Date(now.getTime() - FAILURE_WINDOW_MS);
      // Native updates: one atomic statement each.
      await em.nativeUpdate(
        User,
        { id: user.id },
        {
          failedLogins: raw('CASE WHEN last_failed_at IS NULL OR last_failed_at <= ? THEN 1 ELSE failed_logins + 1 END', [windowStart]),
          lastFailedAt: now,
          ...sameVersion(),
        },
      );
      const { failedLogins } = await em.findOneOrFail(User, { id: user.id }, { fields: ['failedLogins'], disableIdentityMap: true });
      const locks = failedLogins >= LOCK_AFTER;
      if (locks) await em.nativeUpdate(User, { id: user.id, lockedAt: null }, { lockedAt: now, ...sameVersion() });
      await audit('auth.login_failed', { reason: 'wrong password', failedLogins, ip: input.ip ?? null });
      if (locks) await audit('auth.locked', { failedLogins });
      return { ok: false, error: locks ? new AppError('auth.locked') : new AppError('auth.invalid_credentials') };
    }
    if (!user.active) {
      return { ok: false, error: new AppError('auth.disabled') };
    }
    if (user.failedLogins > 0 || user.lastFailedAt) {
      await em.nativeUpdate(User, { id: user.id }, { failedLogins: 0, lastFailedAt: null, ...sameVersion() });
    }
    if (rehash) await em.nativeUpdate(User, { id: user.id }, { passwordHash: rehash, ...sameVersion() });
    const { token } = await createSession(em, user.id, now, svc.config, input);
    await audit('auth.login', { via: 'password', ip: input.ip ?? null });
    return { ok: true, user, token };
  });
  if (!outcome.ok) throw outcome.error;
  return outcome;
}

export async function logout(
  svc: Pick<Ports, 'audit' | 'clock' | 'config' | 'db'>,
  em: EntityManager,
  sessionId: string,
  user: User,
  requestId: string,
): Promise<void> {
  await em.transactional(async (tx) => {
    await tx.nativeDelete('Session', { id: sessionId });
    await svc.audit.append(tx, {
      actor: { id: user.id, name: user.username },
      action: 'auth.logout',
      targetType: 'user',
      targetId: user.id,
      unitId: user.unitId,
      requestId,
    });
  });
}
