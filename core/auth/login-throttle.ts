import { raw, type EntityManager } from '@mikro-orm/knex';
import type { Ports } from '../modules/ports.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import { LoginThrottle } from './entities.ts';
import { FAILURE_WINDOW_MS, LOCK_AFTER, UNKNOWN_LOCK_RETENTION_MS, type FailureStreak } from './throttle.ts';
import { sha256 } from './tokens.ts';

/**
 * Failure streaks of usernames without an account (`login_throttle`), so that such a name is
 * throttled (429) and locked (423) after the same failures as a real account and nobody can
 * tell the two apart. One row per name, keyed by the SHA-256 of the normalised name; a row
 * expires FAILURE_WINDOW_MS after its last failure (a lock: UNKNOWN_LOCK_RETENTION_MS) and the
 * hourly purge deletes it, so the table holds at most the names tried within that time.
 */
export const LOGIN_THROTTLE_PURGE_EVERY_MS = 3_600_000;

const keyOf = (username: string) => sha256(`login:${username}`);

export async function unknownNameStreak(em: EntityManager, username: string, now: Date): Promise<FailureStreak> {
  // Outside the identity map: the failure count is updated by one atomic statement below.
  const row = await em.findOne(LoginThrottle, { keyHash: keyOf(username), expiresAt: { $gt: now } }, { disableIdentityMap: true });
  if (!row) return { failedLogins: 0, lastFailedAt: null, lockedAt: null };
  return { failedLogins: row.failedLogins, lastFailedAt: row.lastFailedAt, lockedAt: row.lockedAt ?? null };
}

/** Counts one more failure for a name without an account (atomically); answers the new count and whether it locked. */
export async function recordUnknownNameFailure(
  em: EntityManager,
  username: string,
  now: Date,
): Promise<{ failedLogins: number; locks: boolean }> {
  const key = keyOf(username);
  const expires = new Date(now.getTime() + FAILURE_WINDOW_MS);
  // An expired row (not yet purged) starts a new streak, as a real account's old streak does.
  // One atomic upsert (the query builder's ON CONFLICT … DO UPDATE), so concurrent failures never lose a count.
  await em
    .createQueryBuilder(LoginThrottle)
    .insert({ keyHash: key, failedLogins: 1, lastFailedAt: now, lockedAt: null, expiresAt: expires })
    .onConflict('keyHash')
    .merge({
      failedLogins: raw('CASE WHEN login_throttle.expires_at <= ? THEN 1 ELSE login_throttle.failed_logins + 1 END', [now]),
      lockedAt: raw('CASE WHEN login_throttle.expires_at <= ? THEN NULL ELSE login_throttle.locked_at END', [now]),
      lastFailedAt: now,
      expiresAt: raw(
        'CASE WHEN login_throttle.locked_at IS NOT NULL AND login_throttle.expires_at > ? THEN login_throttle.expires_at ELSE ? END',
        [now, expires],
      ),
    })
    .execute('run');
  const row = await em.findOneOrFail(LoginThrottle, { keyHash: key }, { disableIdentityMap: true });
  const failedLogins = row.failedLogins;
  const locks = failedLogins >= LOCK_AFTER;
  if (locks) {
    await em.nativeUpdate(
      LoginThrottle,
      { keyHash: key, lockedAt: null },
      { lockedAt: now, expiresAt: new Date(now.getTime() + UNKNOWN_LOCK_RETENTION_MS) },
    );
  }
  return { failedLogins, locks };
}

/** Deletes expired rows; idempotent, so every node may run it. */
export async function purgeLoginThrottle(svc: Pick<Ports, 'clock' | 'db'>): Promise<number> {
  return svc.db.em().nativeDelete(LoginThrottle, { expiresAt: { $lte: svc.clock.now() } });
}

export function registerLoginThrottlePurge(runner: JobRunner, svc: Pick<Ports, 'clock' | 'db'>): void {
  runner.every('login-throttle-purge', LOGIN_THROTTLE_PURGE_EVERY_MS, async () => {
    await purgeLoginThrottle(svc);
  });
}
