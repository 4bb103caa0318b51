import type { AppConfig } from '../config.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import type { PermissionRegistry } from '../org/roles.ts';

/**
 * The services modules give one another ("ports"), by name. A module declares the ports it
 * `requires` and `provides` (define-module.ts) and receives exactly the ones it requires, typed
 * from this interface.
 *
 * This file names only the ports boot builds before any module (the system's). Each module adds
 * the ports it provides by augmenting this interface in its own `module.ts`
 * (`declare module '../modules/ports.ts' { interface Ports { audit: AuditLog } }`), so that no
 * module imports another module's wiring and `core/` has no import circle (ADR 0015).
 */
export interface Ports {
  config: AppConfig;
  db: Database;
  clock: Clock;
  log: Logger;
  /** Every permission of core and the plugins (core/org/roles.ts). */
  permissions: PermissionRegistry;
}

export type PortName = keyof Ports;

/** The ports boot builds itself, before any module is created (`plugins`: the plugin host, typed in boot.ts). */
export const SYSTEM_PORTS = ['config', 'db', 'clock', 'log', 'permissions', 'plugins'] as const satisfies readonly PortName[];
