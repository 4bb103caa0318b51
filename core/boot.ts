import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppConfig } from './config.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Services } from './context.ts';
import { migrate, openDatabase } from './db/database.ts';
import { coreEntities, coreMigrations } from './db/core-schema.ts';
import { createLogger, type Logger } from './logger.ts';
import { publicOrigin, publicOriginConfigured } from './http/public-origin.ts';
import { PermissionRegistry } from './org/roles.ts';
import { AuditLog } from './audit/audit-log.ts';
import { PluginHost } from './plugin-host/host.ts';
import { ProcessRuntime } from './engine/runtime.ts';
import { WorkingCalendar } from './calendar/working-calendar.ts';
import { registerTimerJobs } from './engine/timer-jobs.ts';
import { registerServiceJobs } from './engine/service-tasks.ts';
import { registerMessagePurge } from './engine/message-purge.ts';
import { registerLoginThrottlePurge } from './auth/login-throttle.ts';
import { dummyHash } from './auth/passwords.ts';
import { registerCallJobs } from './engine/call-activities.ts';
import { JobRunner } from './jobs/job-runner.ts';
import { Catalogue } from './catalogue/service.ts';
import { EventBus } from './events/bus.ts';
import { registerOutbox } from './events/register.ts';
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
  const plugins = PluginHost.resolve(options.plugins ?? [], config.version, config.pluginConfig);
  const permissions = new PermissionRegistry();
  plugins.registerPermissions(permissions);
  const db = await openDatabase(config, {
    entities: [...coreEntities, ...plugins.entities()],
    migrations: [...coreMigrations, ...plugins.migrations()],
  });
  try {
    const applied = await migrate(db);
    if (applied.length) log.info({ applied }, 'migrations applied');
    const services = { config, db, clock, log, permissions, audit: new AuditLog(clock, db.dialect, config.auditChains), plugins } as Services;
    services.events = new EventBus(clock);
    const calendar = await WorkingCalendar.load(db, log);
    services.calendar = calendar;
    services.engine = new ProcessRuntime(services);
    services.catalogue = new Catalogue(services);
    services.jobs = new JobRunner({ db, clock, log }, { pollMs: config.jobPollMs });
    registerTimerJobs(services.jobs, services);
    registerServiceJobs(services.jobs, services);
    registerMessagePurge(services.jobs, services);
    registerLoginThrottlePurge(services.jobs, services);
    registerCallJobs(services.jobs, services);
    registerOutbox(services.jobs, services);
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
    const app = createApp(services);
    // Made now, so that the first login for an unknown name does not pay for it (and stand out).
    await dummyHash();
    const close = async () => {
      calendar.stop();
      await services.jobs.stop();
      await db.close();
    };
    return { app, services, seeded, close };
  } catch (err) {
    await db.close();
    throw err;
  }
}
