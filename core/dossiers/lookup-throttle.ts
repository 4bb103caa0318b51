import { raw, type EntityManager } from '@mikro-orm/knex';
import { sha256 } from '../auth/tokens.ts';
import { AppError } from '../errors.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { Ports } from '../modules/ports.ts';
import { DossierLookupThrottle } from './lookup-entities.ts';

/**
 * Rate limits of the public lookup (`dossier_lookup_throttle`), kept in the database so every
 * app node counts the same attempts. Each attempt counts against two windows:
 *
 * - the **client** (its address as core/http/client-address.ts resolves it, IPv6 by /64):
 *   CLIENT_LIMIT attempts per CLIENT_WINDOW_MS, so nobody walks through dossier codes;
 * - the **dossier code** typed (normalised): CODE_LIMIT attempts per CODE_WINDOW_MS, so the
 *   four-digit secret of one dossier cannot be guessed from many addresses. Codes that do not
 *   exist are counted exactly like real ones: the answer never tells them apart.
 *
 * Counting comes first and is one atomic upsert per key, committed on its own before the
 * dossier is read: concurrent attempts cannot slip past the limit, and a failed lookup still
 * counts. A client over its limit does not use up the code's attempts. Beyond a limit the
 * answer is 429 `dossier.lookup_throttled` with Retry-After (the end of the window). A window
 * starts at its first attempt; rows whose window has ended are purged hourly.
 */
export const CLIENT_LIMIT = 30;
export const CLIENT_WINDOW_MS = 15 * 60_000;
export const CODE_LIMIT = 10;
export const CODE_WINDOW_MS = 24 * 3_600_000;
export const LOOKUP_THROTTLE_PURGE_EVERY_MS = 3_600_000;

/** Codes are compared as typed but for case and surrounding spaces (a phone keyboard capitalises at will). */
export const codeKey = (code: string) => sha256(`code:${code.trim().toUpperCase()}`);
export const clientKey = (subject: string) => sha256(`client:${subject}`);

/** Counts one attempt against a key; answers the count in the window and when it ends. */
async function count(em: EntityManager, keyHash: string, windowMs: number, now: Date): Promise<{ attempts: number; expiresAt: Date }> {
  const expires = new Date(now.getTime() + windowMs);
  await em
    .createQueryBuilder(DossierLookupThrottle)
    .insert({ keyHash, attempts: 1, expiresAt: expires })
    .onConflict('keyHash')
    .merge({
      attempts: raw('CASE WHEN dossier_lookup_throttle.expires_at <= ? THEN 1 ELSE dossier_lookup_throttle.attempts + 1 END', [now]),
      expiresAt: raw('CASE WHEN dossier_lookup_throttle.expires_at <= ? THEN ? ELSE dossier_lookup_throttle.expires_at END', [
        now,
        expires,
      ]),
    })
    .execute('run');
  const row = await em.findOneOrFail(DossierLookupThrottle, { keyHash }, { disableIdentityMap: true });
  return { attempts: row.attempts, expiresAt: row.expiresAt };
}

function throttled(expiresAt: Date, now: Date): AppError {
  const seconds = Math.max(1, Math.ceil((expiresAt.getTime() - now.getTime()) / 1000));
  return new AppError(
    'dossier.lookup_throttled',
    `Too many lookups: try again in ${seconds} s`,
    { retryAfter: seconds },
    {
      'retry-after': String(seconds),
    },
  );
}

/**
 * Counts one attempt of `subject` (the client) at `code`, in its own committed transaction;
 * throws 429 when either limit is passed.
 */
export async function countLookupAttempt(svc: Pick<Ports, 'db' | 'clock'>, subject: string, code: string): Promise<void> {
  const now = svc.clock.now();
  const refusal = await svc.db.em().transactional(async (em) => {
    const client = await count(em, clientKey(subject), CLIENT_WINDOW_MS, now);
    if (client.attempts > CLIENT_LIMIT) return throttled(client.expiresAt, now);
    const byCode = await count(em, codeKey(code), CODE_WINDOW_MS, now);
    if (byCode.attempts > CODE_LIMIT) return throttled(byCode.expiresAt, now);
    return null;
  });
  if (refusal) throw refusal;
}

/** Deletes rows whose window has ended; idempotent, so every node may run it. */
export async function purgeLookupThrottle(svc: Pick<Ports, 'clock' | 'db'>): Promise<number> {
  return svc.db.em().nativeDelete(DossierLookupThrottle, { expiresAt: { $lte: svc.clock.now() } });
}

export function registerLookupThrottlePurge(runner: JobRunner, svc: Pick<Ports, 'clock' | 'db'>): void {
  runner.every('dossier-lookup-throttle-purge', LOOKUP_THROTTLE_PURGE_EVERY_MS, async () => {
    await purgeLookupThrottle(svc);
  });
}
