import type { AppConfig } from './config.ts';
import type { Clock } from './clock.ts';
import type { Database } from './db/database.ts';
import type { Logger } from './logger.ts';
import type { PermissionRegistry } from './org/roles.ts';
import type { AuditLog } from './audit/audit-log.ts';
import type { PluginHost } from './plugins/host.ts';

/** The long-lived services of one app process, built once at boot (core/boot.ts). */
export interface Services {
  config: AppConfig;
  db: Database;
  clock: Clock;
  log: Logger;
  permissions: PermissionRegistry;
  audit: AuditLog;
  plugins: PluginHost;
}
