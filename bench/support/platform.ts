// An in-process platform for benchmarks that call services directly (no HTTP server process).
import type { BenchResult } from '../run.ts';
import { loadConfig } from '../../core/config.ts';
import { createPlatform, type Platform } from '../../core/boot.ts';
import { createLogger } from '../../core/logger.ts';

/** Boots a silent platform on `database` (SQLite file or PostgreSQL URL), runs `fn`, always closes it. */
export async function withPlatform(database: string, env: Record<string, string>, fn: (p: Platform) => Promise<BenchResult[]>): Promise<BenchResult[]> {
  const config = loadConfig({ ...env, MOTCUA_LOG_LEVEL: 'silent' }, { database });
  const platform = await createPlatform({ config, seedAdmin: false, log: createLogger('silent') });
  try {
    return await fn(platform);
  } finally {
    await platform.close();
  }
}
