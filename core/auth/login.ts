import type { EntityManager } from '@mikro-orm/knex';
import type { Services } from '../context.ts';
import { AppError } from '../errors.ts';
import { User } from './entities.ts';
import { hashPassword, needsRehash, verifyPassword } from './passwords.ts';
import { createSession } from './sessions.ts';
import { LOCK_AFTER, waitRemainingMs } from './throttle.ts';

export interface LoginInput {
  username: string;
  password: string;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

type Outcome = { ok: true; user: User; token: string } | { ok: false; error: AppError };

/**
 * Checks a password under the throttling policy and opens a session. Failures are counted
 * and audited in a committed transaction before the error is returned to the caller.
 */
export async function login(svc: Services, input: LoginInput): Promise<{ user: User; token: string }> {
  const username = input.username.trim().toLowerCase();
  const now = svc.clock.now();
  const outcome = await svc.db.em().transactional(async (em): Promise<Outcome> => {
    const user = await em.findOne(User, { username });
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
      await verifyPassword(null, input.password);
      await audit('auth.login_failed', { username, reason: 'unknown user', ip: input.ip ?? null });
      return { ok: false, error: new AppError('auth.invalid_credentials') };
    }
    if (user.lockedAt) {
      return { ok: false, error: new AppError('auth.locked', 'This account is locked after repeated failed logins; an administrator must unlock it') };
    }
    const wait = waitRemainingMs(user.failedLogins, user.lastFailedAt ?? null, now);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      return { ok: false, error: new AppError('auth.throttled', `Try again in ${seconds} s`, { retryAfter: seconds }, { 'retry-after': String(seconds) }) };
    }
    if (!(await verifyPassword(user.passwordHash ?? null, input.password))) {
      user.failedLogins += 1;
      user.lastFailedAt = now;
      const locks = user.failedLogins >= LOCK_AFTER;
      if (locks) user.lockedAt = now;
      await audit('auth.login_failed', { reason: 'wrong password', failedLogins: user.failedLogins, ip: input.ip ?? null });
      if (locks) await audit('auth.locked', { failedLogins: user.failedLogins });
      return { ok: false, error: locks ? new AppError('auth.locked') : new AppError('auth.invalid_credentials') };
    }
    if (!user.active) {
      return { ok: false, error: new AppError('auth.disabled') };
    }
    user.failedLogins = 0;
    user.lastFailedAt = null;
    if (user.passwordHash && needsRehash(user.passwordHash)) user.passwordHash = await hashPassword(input.password);
    const { token } = await createSession(em, user.id, now, svc.config, input);
    await audit('auth.login', { via: 'password', ip: input.ip ?? null });
    return { ok: true, user, token };
  });
  if (!outcome.ok) throw outcome.error;
  return outcome;
}

export async function logout(svc: Services, em: EntityManager, sessionId: string, user: User, requestId: string): Promise<void> {
  await em.transactional(async (tx) => {
    await tx.nativeDelete('Session', { id: sessionId });
    await svc.audit.append(tx, { actor: { id: user.id, name: user.username }, action: 'auth.logout', targetType: 'user', targetId: user.id, unitId: user.unitId, requestId });
  });
}
