/**
 * Login throttling policy, the same for every username whether an account has it or not: the
 * first failures are free, then each further failure doubles the wait before the next attempt
 * is even checked; the tenth consecutive failure locks the name until an administrator unlocks
 * the account. A streak whose last failure is older than FAILURE_WINDOW_MS starts again from zero.
 */
export const FREE_FAILURES = 3;
export const LOCK_AFTER = 10;
const MAX_DELAY_MS = 5 * 60_000;
/** Failures further apart than this do not add up (so counters of unknown names can expire). */
export const FAILURE_WINDOW_MS = 24 * 3_600_000;
/**
 * How long the lock of a name without an account is kept. A real account stays locked until an
 * administrator unlocks it; an unknown name cannot be unlocked, so its lock lapses after this
 * long (telling the two apart takes waiting that long, after ten failures each).
 */
export const UNKNOWN_LOCK_RETENTION_MS = 90 * 86_400_000;

/** A name's current streak of failed logins. */
export interface FailureStreak {
  failedLogins: number;
  lastFailedAt: Date | null;
  lockedAt: Date | null;
}

/** Milliseconds to wait after `failures` consecutive failures. */
export function loginDelayMs(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(1000 * 2 ** (failures - FREE_FAILURES + 1), MAX_DELAY_MS);
}

/** The failures that still count at `now` (a streak older than the window is over). */
export function currentFailures(streak: FailureStreak, now: Date): number {
  if (streak.lockedAt) return streak.failedLogins;
  if (!streak.lastFailedAt || now.getTime() - streak.lastFailedAt.getTime() >= FAILURE_WINDOW_MS) return 0;
  return streak.failedLogins;
}

/** How long the caller must still wait before another attempt (0 when they may try now). */
export function waitRemainingMs(failures: number, lastFailedAt: Date | null, now: Date): number {
  if (!lastFailedAt) return 0;
  const until = lastFailedAt.getTime() + loginDelayMs(failures);
  return Math.max(0, until - now.getTime());
}
