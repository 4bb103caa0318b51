/**
 * Login throttling policy: the first failures are free, then each further failure doubles
 * the wait before the next attempt is even checked; the tenth consecutive failure locks the
 * account until an administrator unlocks it.
 */
export const FREE_FAILURES = 3;
export const LOCK_AFTER = 10;
const MAX_DELAY_MS = 5 * 60_000;

/** Milliseconds to wait after `failures` consecutive failures. */
export function loginDelayMs(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(1000 * 2 ** (failures - FREE_FAILURES + 1), MAX_DELAY_MS);
}

/** How long the caller must still wait before another attempt (0 when they may try now). */
export function waitRemainingMs(failures: number, lastFailedAt: Date | null, now: Date): number {
  if (!lastFailedAt) return 0;
  const until = lastFailedAt.getTime() + loginDelayMs(failures);
  return Math.max(0, until - now.getTime());
}
