// Shared setup of the fast-path tests (ADR 0012): a platform for the file, a transaction helper,
// and the same call run with the dialect's fast path switched off (what MikroORM and knex give).
import { afterAll, beforeAll } from 'vitest';
import type { EntityManager } from '@mikro-orm/knex';
import type { Database } from '../../core/db/database.ts';
import { startTestPlatform, type TestPlatform } from './platform.ts';

/** Call inside a `describe`: registers the platform's start and close. */
export function fastPathHarness<P extends { enabled: boolean }>(pathOf: (db: Database) => P | undefined) {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => t?.close());

  const db = () => t.platform.services.db;
  const path = (): P => {
    const p = pathOf(db());
    if (!p) throw new Error('the fast path of this dialect is not installed');
    return p;
  };
  const inTx = <T>(fn: (em: EntityManager) => Promise<T>) => db().em().transactional(fn);
  const viaOrm = async <T>(fn: () => Promise<T>): Promise<T> => {
    path().enabled = false;
    try {
      return await fn();
    } finally {
      path().enabled = true;
    }
  };
  return { db, inTx, viaOrm };
}
