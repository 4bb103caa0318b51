import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppConfig } from './config.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Services } from './context.ts';
import { migrate, openDatabase } from './db/database.ts';
import { createLogger, type Logger } from './logger.ts';
import { publicOrigin, publicOriginConfigured } from './http/public-origin.ts';
import { PermissionRegistry } from './org/roles.ts';
import { PluginHost } from './plugin-host/host.ts';
import { core } from './modules/index.ts';
import type { ModuleDefinition } from './modules/define-module.ts';
import { dummyHash } from './auth/passwords.ts';
import type { PluginDefinition } from './plugin-host/define-plugin.ts';
import { createApp } from './http/app.ts';
import type { AppEnv } from './http/env.ts';
import { hasUsers, seedDemo, seedFirstAdmin } from './seed.ts';

export interface Platform {
  app: OpenAPIHono<AppEnv>;
  services: Services;
  /** What first start did: demo data, or the first admin (with a password to print once). */
  seeded: { demo: boolean; firstAdmin?: { username: string; generatedPassword?: string } };
  close(): Promise<void>;
}

export interface PlatformOptions {
  config: AppConfig;
  plugins?: PluginDefinition[];
  clock?: Clock;
  log?: Logger;
  /** Create the first admin on an empty non-demo database (default true). */
  seedAdmin?: boolean;
}

/**
 * Assembles one app process: plugins are validated before the database is touched, then
 * migrations (core first, plugins in dependency order), seeding, plugin setup, HTTP.
 */
export async function createPlatform(options: PlatformOptions): Promise<Platform> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger(config.logLevel);
  if (config.production && !publicOriginConfigured(config)) {
    log.warn(
      { publicOrigin: publicOrigin(config) },
      'MOTCUA_PUBLIC_URL is not set: links and printed addresses will name the listen address, and browsers that send only an Origin header (no Sec-Fetch-Site) will be refused as cross-site. Set it to the address people use, e.g. https://motcua.bacninh.gov.vn',
    );
  }
  const plugins = PluginHost.resolve(options.plugins ?? [], config.version, config.pluginConfig, core);
  const permissions = new PermissionRegistry();
  for (const { def, owner } of core.permissions) permissions.add(def, owner);
  plugins.registerPermissions(permissions);
  const db = await openDatabase(config, {
    entities: [...core.entities, ...plugins.entities()],
    migrations: [...core.migrations, ...plugins.migrations()],
  });
  const started: ModuleDefinition[] = [];
  let services: Services | undefined;
  try {
    const applied = await migrate(db);
    if (applied.length) log.info({ applied }, 'migrations applied');
    services = { config, db, clock, log, permissions, plugins } as Services;
    // Each module's services, then its jobs, in dependency order (core/modules/index.ts).
    for (const m of core.modules) {
      const provided = (await m.create?.(services)) ?? {};
      const missing = (m.provides ?? []).filter((name) => !(name in provided));
      if (missing.length) throw new Error(`Core module "${m.id}" declares it provides ${missing.join(', ')} but did not build it`);
      Object.assign(services, provided);
      started.push(m);
    }
    for (const m of core.modules) m.jobs?.(services.jobs, services);
    const seeded: Platform['seeded'] = { demo: false };
    if (!(await hasUsers(db.em()))) {
      const demoAllowed = config.demo && config.dialect === 'sqlite' && !config.production;
      if (demoAllowed) {
        await seedDemo(services);
        seeded.demo = true;
      } else if (options.seedAdmin !== false) {
        seeded.firstAdmin = await seedFirstAdmin(services);
      }
    }
    await plugins.setup(services);
    const app = createApp(services, core.modules);
    // Made now, so that the first login for an unknown name does not pay for it (and stand out).
    await dummyHash();
    const running = services;
    const close = async () => {
      for (const m of [...started].reverse()) await m.stop?.(running);
      await db.close();
    };
    return { app, services, seeded, close };
  } catch (err) {
    for (const m of [...started].reverse()) await m.stop?.(services!);
    await db.close();
    throw err;
  }
}
