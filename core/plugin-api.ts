/**
 * The public plugin API: the stable surface of core, and the ONLY core module a plugin
 * may import (`import { definePlugin, … } from '<repo>/core/plugin-api.ts'`).
 *
 * Everything here is a re-export. Changing or removing a name is a breaking change for
 * every plugin and needs a new major version of core (plugins say `requires: { core: '^0.1.0' }`).
 * Anything not listed is internal and may change without notice. See docs/plugin-guide.md.
 */

// The contract
export { definePlugin, BpmnBusinessError, acting } from './plugin-host/define-plugin.ts';
export type {
  PluginDefinition,
  PluginContext,
  PluginUi,
  ExtensionPoint,
  ElementTemplate,
  DocumentTemplate,
  ServiceTaskJob,
  ServiceTaskResult,
  ServiceTaskHandler,
  ServiceTaskDefinition,
  PluginAudit,
  PluginClock,
  PluginLog,
  PluginEngine,
  PluginMessage,
  PluginMessageResult,
  PluginJobs,
  PluginJob,
} from './plugin-host/define-plugin.ts';

// Persistence: entities, the plugin's scoped entity manager, dialect-portable migrations (no knex type)
export { defineEntity, p } from '@mikro-orm/core';
export type { InferEntity } from '@mikro-orm/core';
export type { PluginEntityManager, PluginEntityManager as EntityManager } from './plugin-host/scoped-em.ts';
export { definePortableMigration as defineMigration, portableTimestamp as timestamp } from './db/migration.ts';
export type { NamedMigration, SchemaBuilder, TableBuilder, ColumnBuilder } from './db/migration.ts';

// HTTP: routes, schemas, the acting identity
export { z } from '@hono/zod-openapi';
export type { OpenAPIHono } from '@hono/zod-openapi';
export { defineRoute } from './http/route.ts';
export type { RoutePermission, ErrorCode } from './http/route.ts';
export { json, jsonBody, IdParam, Problem } from './http/schemas.ts';
export type { PluginEnv, PluginEnv as AppEnv } from './plugin-host/define-plugin.ts';

// Domain events (docs/events.md)
export type { CoreEvents, CoreEventType, DomainEvent, EventType } from './events/catalogue.ts';
export type {
  PluginEvents,
  PluginEventHandler,
  PluginOutboxHandler,
  PluginSubscription,
  PluginEventSubscriptions,
} from './events/plugin-port.ts';
export type { Delivery } from './events/bus.ts';

// Errors, permissions, audit
export { AppError, defineErrors } from './errors.ts';
export type { ErrorDefinition } from './errors.ts';
export type { PermissionDefinition, Role } from './org/roles.ts';
export type { Acting } from './org/actor.ts';
export type { AuditEntry, AuditActor } from './audit/audit-log.ts';
