import type { EntitySchema } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { z } from 'zod';
import type { NamedMigration } from '../db/migration.ts';
import type { AppEnv } from '../http/env.ts';
import type { Services } from '../context.ts';
import type { PermissionDefinition } from '../org/roles.ts';
import type { ErrorDefinition } from '../errors.ts';
import type { PluginEvents, PluginEventSubscriptions } from '../events/plugin-port.ts';

/** What a service-task handler receives: one external task of a running process (used by the engine). */
export interface ServiceTaskJob {
  topic: string;
  instanceId: string;
  activityId: string;
  businessKey: string | null;
  variables: Record<string, unknown>;
  /** Stable per job and attempt series: pass it to other systems as an idempotency key. */
  idempotencyKey: string;
}

export interface ServiceTaskResult {
  /** Variables to merge into the process. */
  variables?: Record<string, unknown>;
}

export type ServiceTaskHandler = (job: ServiceTaskJob, ctx: PluginContext) => Promise<ServiceTaskResult | void>;

/** A business fault a handler reports; routed to a matching BPMN error boundary event. */
export class BpmnBusinessError extends Error {
  constructor(
    readonly errorCode: string,
    message?: string,
  ) {
    super(message ?? errorCode);
    this.name = 'BpmnBusinessError';
  }
}

/** A Camunda-style element template the designer offers (https://docs.camunda.io element templates). */
export interface ElementTemplate {
  id: string;
  name: string;
  appliesTo: string[];
  properties: Record<string, unknown>[];
  [key: string]: unknown;
}

/** A printable document (handlebars) a plugin provides, e.g. a form or a report. */
export interface DocumentTemplate {
  id: string;
  title: { vi: string; en?: string };
  engine: 'handlebars';
  source: string;
}

export interface PluginUi {
  /** Custom-element tags the plugin defines; each must start with `<id>-`. */
  elements?: string[];
  /** Module (relative to the plugin folder) the runtime UI loads lazily. */
  entry?: string;
  navigation?: { label: { vi: string; en?: string }; path: string; permission: string }[];
}

export interface ExtensionPoint {
  description: string;
  /** Each contribution is validated against this schema at boot. */
  schema?: z.ZodType;
}

/** What a plugin sees of the platform: services, its own config, and contributions to its extension points. */
export interface PluginContext<Config = unknown> {
  id: string;
  config: Config;
  services: Services;
  /** A fresh entity manager (request- or job-scoped work should fork its own). */
  em(): EntityManager;
  /** Contributions made by other plugins to one of this plugin's extension points. */
  contributions<T = unknown>(point: string): { plugin: string; value: T }[];
  /** Domain events: subscribe (in the transaction, or after commit) and publish `<id>.…` events (docs/events.md). */
  events: PluginEvents;
}

export interface PluginDefinition<Config = unknown> {
  /** Lower-case letters and digits; namespaces tables, routes, topics, permissions, tags. */
  id: string;
  version: string;
  description?: string;
  /** Other plugins (or `core`) and the semver ranges this plugin works with. */
  requires?: Record<string, string>;
  config?: z.ZodType<Config>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  entities?: EntitySchema<any, any>[];
  migrations?: NamedMigration[];
  // `routes` and `setup` are methods, not function-typed properties: method parameters are
  // bivariant, so a PluginDefinition<MyConfig> still fits where a PluginDefinition[] is expected.
  /** Routes on a router mounted at `/api/<id>`; build them with `defineRoute`. */
  routes?(router: OpenAPIHono<AppEnv>, ctx: PluginContext<Config>): void;
  /** Service-task handlers by topic `<id>.<verb-noun>`. */
  handlers?: Record<string, ServiceTaskHandler>;
  elementTemplates?: ElementTemplate[];
  documents?: DocumentTemplate[];
  permissions?: PermissionDefinition[];
  errors?: Record<string, ErrorDefinition>;
  ui?: PluginUi;
  /** Points where other plugins may contribute, named `<id>.<point>`. */
  extensionPoints?: Record<string, ExtensionPoint>;
  /** Values contributed to other plugins' extension points, keyed by point name. */
  contributions?: Record<string, unknown[]>;
  /** Domain events the plugin subscribes to, by type: a handler run in the publishing transaction, or `{ afterCommit: true, handler }` (docs/events.md). */
  events?: PluginEventSubscriptions;
  /** Runs once at boot, after migrations, in dependency order. */
  setup?(ctx: PluginContext<Config>): void | Promise<void>;
}

/** Identity function that gives a plugin object its type; the host validates it at boot. */
export function definePlugin<Config = unknown>(plugin: PluginDefinition<Config>): PluginDefinition<Config> {
  return plugin;
}
