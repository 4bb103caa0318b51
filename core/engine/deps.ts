import type { AppConfig } from '../config.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { EventBus } from '../events/bus.ts';
import type { PluginHost } from '../plugin-host/host.ts';
import type { Calendar } from './calendar.ts';
import type { EngineCommands } from './types.ts';

/**
 * What the engine uses, and nothing else (issue 14, point 4): `new ProcessRuntime(deps)`.
 * Types come from their own modules, never from core/context.ts; the boot's services object
 * is a superset, so it can be passed as it is.
 */
export interface EngineDeps {
  config: Pick<AppConfig, 'bpmnMaxBytes' | 'messageTtlMs' | 'messageRetentionMs'>;
  db: Pick<Database, 'em' | 'dialect'>;
  clock: Clock;
  log: Logger;
  audit: AuditLog;
  /** Durations and deadlines (the working-time calendar, ADR 0008). */
  calendar: Calendar;
  /** Domain events published inside the command's transaction (core/events). */
  events: EventBus;
  /** Service-task handlers: which topics have one (deploy checks), and the plugin context a handler runs with. */
  plugins: Pick<PluginHost, 'handlers' | 'context'>;
}

/** What the engine's job kinds use besides: the runtime's commands (a job is a top-level command), never the runtime's module. */
export interface JobDeps extends EngineDeps {
  engine: EngineCommands;
}
