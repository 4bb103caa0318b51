import type { OpenAPIHono } from '@hono/zod-openapi';
import { isDemoMode, type AppConfig } from './config.ts';
import { systemClock, type Clock } from './clock.ts';
import { migrate, openDatabase } from './db/database.ts';
import { createLogger, type Logger } from './logger.ts';
import { publicOrigin, publicOriginConfigured } from './http/public-origin.ts';
import { PermissionRegistry } from './org/roles.ts';
import { PluginHost } from './plugin-host/host.ts';
import { core } from './modules/index.ts';
import { declaredPorts } from './modules/compose.ts';
import type { AnyModule } from './modules/define-module.ts';
import type { Ports } from './modules/ports.ts';
import { dummyHash } from './auth/passwords.ts';
import type { PluginDefinition } from './plugin-host/define-plugin.ts';
import { createApp } from './http/app.ts';
import type { AppEnv } from './http/env.ts';
import { hasUsers, seedDemo, seedFirstAdmin } from './seed.ts';

declare module './modules/ports.ts' {
  interface Ports {
    /** The enabled plugins: their handlers, contributions and routes (core/plugin-host). */
    plugins: PluginHost;
  }
}

export interface Platform {
  app: OpenAPIHono<AppEnv>;
  /** Every port of this process: for the composition root's callers (the CLI, tests), never handed to a module whole. */
  services: Ports;
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
  /** Called once when the database has no users yet, just before it is seeded (serve --demo pins its clock here). */
  onNewDatabase?: () => void;
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
  const started: AnyModule[] = [];
  const ports: Partial<Ports> = { config, db, clock, log, permissions, plugins };
  const portsOf = (m: AnyModule, own = false) => declaredPorts(ports, m, own);
  try {
    const applied = await migrate(db);
    if (applied.length) log.info({ applied }, 'migrations applied');
    // Each module's ports, then its jobs, in dependency order (core/modules/index.ts).
    for (const m of core.modules) {
      const provided = ((await m.create?.(portsOf(m))) ?? {}) as Partial<Ports>;
      const missing = (m.provides ?? []).filter((name: keyof Ports) => !(name in provided));
      if (missing.length) throw new Error(`Core module "${m.id}" declares it provides ${missing.join(', ')} but did not build it`);
      Object.assign(ports, provided);
      started.push(m);
    }
    const services = ports as Ports;
    for (const m of core.modules) m.jobs?.(services.jobs, portsOf(m, true));
    const seeded: Platform['seeded'] = { demo: false };
    if (!(await hasUsers(db.em()))) {
      options.onNewDatabase?.();
      if (isDemoMode(config)) {
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
    const close = async () => {
      for (const m of [...started].reverse()) await m.stop?.(portsOf(m, true));
      await db.close();
    };
    return { app, services, seeded, close };
  } catch (err) {
    for (const m of [...started].reverse()) await m.stop?.(portsOf(m, true));
    await db.close();
    throw err;
  }
}
