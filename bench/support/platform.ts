// An in-process platform for benchmarks that call services directly (no HTTP server process).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from '../run.ts';
import { loadConfig } from '../../core/config.ts';
import { createPlatform, type Platform } from '../../core/boot.ts';
import { createLogger } from '../../core/logger.ts';
import { createPgDatabase, dropPgDatabase, pgProbe } from './db.ts';

/** Boots a silent platform on `database` (SQLite file or PostgreSQL URL), runs `fn`, always closes it. */
export async function withPlatform(
  database: string,
  env: Record<string, string>,
  fn: (p: Platform) => Promise<BenchResult[]>,
): Promise<BenchResult[]> {
  // In-process requests come from http://localhost: the public origin, so a login passes the CSRF check.
  const config = loadConfig({ MOTCUA_PUBLIC_URL: 'http://localhost', ...env, MOTCUA_LOG_LEVEL: 'silent' }, { database });
  const platform = await createPlatform({ config, seedAdmin: false, log: createLogger('silent') });
  try {
    return await fn(platform);
  } finally {
    await platform.close();
  }
}

/**
 * Runs `measure` on a fresh SQLite file (unless BENCH_SKIP_SQLITE=1), then on a fresh
 * PostgreSQL database named `name` (BENCH_PG_URL's server) unless PostgreSQL is unreachable or
 * BENCH_SKIP_PG=1, which adds a note instead. Both are removed afterwards.
 */
export async function withEachDialect(
  name: string,
  notes: string[],
  measure: (dialect: 'SQLite' | 'PostgreSQL', p: Platform) => Promise<BenchResult[]>,
): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  if (process.env.BENCH_SKIP_SQLITE === '1') notes.push('SQLite part skipped: BENCH_SKIP_SQLITE=1');
  else {
    const dir = mkdtempSync(join(tmpdir(), `motcua-${name}-`));
    try {
      results.push(...(await withPlatform(join(dir, `${name}.sqlite`), {}, (p) => measure('SQLite', p))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const pgUrl = process.env.BENCH_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';
  const down = process.env.BENCH_SKIP_PG === '1' ? 'BENCH_SKIP_PG=1' : await pgProbe(pgUrl);
  if (down) {
    notes.push(`PostgreSQL part skipped: ${down}`);
    return results;
  }
  const url = await createPgDatabase(pgUrl, name);
  try {
    results.push(...(await withPlatform(url, { DATABASE_URL: url }, (p) => measure('PostgreSQL', p))));
  } finally {
    await dropPgDatabase(pgUrl, name);
  }
  return results;
}
