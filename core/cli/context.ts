import { pino } from 'pino';
import type { EntityManager } from '@mikro-orm/knex';
import { createPlatform, type Platform } from '../boot.ts';
import { loadConfig, type AppConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { cliActing, type Acting } from '../org/actor.ts';
import { loadPlugins } from '../plugin-host/loader.ts';
import type { PluginDefinition } from '../plugin-host/define-plugin.ts';
import type { Ports } from '../modules/ports.ts';

export interface CliSetup {
  config: AppConfig;
  plugins: PluginDefinition[];
}

/** Configuration from the environment (as the server reads it) and the enabled plugins. */
export async function cliSetup(overrides: Partial<AppConfig> = {}): Promise<CliSetup> {
  const config = loadConfig(process.env, overrides);
  return { config, plugins: await loadPlugins(config.plugins) };
}

/**
 * Administrative commands log warnings and errors to stderr only, so their stdout stays
 * the command's answer (scripts parse it).
 */
export function cliLogger(config: AppConfig): Logger {
  const level = config.logLevel === 'debug' ? 'debug' : config.logLevel === 'silent' ? 'silent' : 'warn';
  return pino({ level, base: { app: 'motcua' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: 2, sync: true }));
}

/**
 * Runs an administrative command against the configured database: migrations are applied,
 * nothing is seeded (neither demo data nor a first admin), the platform is closed afterwards.
 */
export async function withPlatform<T>(fn: (platform: Platform) => Promise<T>): Promise<T> {
  const { config, plugins } = await cliSetup();
  const platform = await createPlatform({ config, plugins, seedAdmin: false, log: cliLogger(config) });
  try {
    return await fn(platform);
  } finally {
    await platform.close();
  }
}

/** One transaction, audited as `cli:<os user>`. */
export function inTransaction<T>(fn: (svc: Ports, em: EntityManager, acting: Acting) => Promise<T>): Promise<T> {
  return withPlatform((platform) => {
    const svc = platform.services;
    return svc.db.em().transactional((em) => fn(svc, em, cliActing()));
  });
}
