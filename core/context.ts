import type { AppConfig } from './config.ts';
import type { Clock } from './clock.ts';
import type { Database } from './db/database.ts';
import type { Logger } from './logger.ts';
import type { PermissionRegistry } from './org/roles.ts';
import type { AuditLog } from './audit/audit-log.ts';
import type { PluginHost } from './plugin-host/host.ts';
import type { ProcessRuntime } from './engine/runtime.ts';
import type { Calendar } from './engine/calendar.ts';
import type { JobRunner } from './jobs/job-runner.ts';
import type { Catalogue } from './catalogue/service.ts';
import type { EventBus } from './events/bus.ts';

/** The long-lived services of one app process, built once at boot (core/boot.ts). */
export interface Services {
  config: AppConfig;
  db: Database;
  clock: Clock;
  log: Logger;
  permissions: PermissionRegistry;
  audit: AuditLog;
  plugins: PluginHost;
  engine: ProcessRuntime;
  /** Counts durations and deadlines: the working-time calendar (core/calendar, ADR 0008). */
  calendar: Calendar;
  /** Fires due jobs (timers); `serve` starts its polling, tests call `runDue()`. */
  jobs: JobRunner;
  /** The procedure catalogue: versioned procedures, search, import/export for packs. */
  catalogue: Catalogue;
  /** Domain events: in-transaction subscribers and the outbox for after-commit consumers (core/events, docs/events.md). */
  events: EventBus;
}
