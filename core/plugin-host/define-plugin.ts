import type { EntitySchema } from '@mikro-orm/core';
import type { Context } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { z } from 'zod';
import type { NamedMigration } from '../db/migration.ts';
import type { Principal } from '../http/env.ts';
import type { Authz } from '../org/authz.ts';
import type { AuditEntry } from '../audit/audit-log.ts';
import type { Acting } from '../org/actor.ts';
import type { PluginEntityManager } from './scoped-em.ts';
import type { PermissionDefinition } from '../org/roles.ts';
import type { ErrorDefinition } from '../errors.ts';
import type { Delivery } from '../events/bus.ts';
import type { CoreEvents, DomainEvent, EventType } from '../events/catalogue.ts';

/**
 * What a plugin's route handler finds in `c.var`: the request id, the caller and their
 * authorisation, never the platform's services (a plugin reaches those through its ports).
 */
export interface PluginEnv {
  Variables: {
    requestId: string;
    principal: Principal | null;
    authz: Authz;
    sessionExpired: boolean;
  };
}

/** The acting identity of a request (actor and request id), for audit records and events. */
export function acting(c: Context<PluginEnv>): Acting {
  const user = c.var.principal?.user;
  return { actor: { id: user?.id ?? null, name: user?.username ?? 'anonymous' }, requestId: c.var.requestId };
}

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

/**
 * A handler declared with its variables: `input` is checked before the handler runs
 * (`request.invalid` otherwise) and, with `output`, yields the Camunda element template the
 * designer offers for the topic (`GET /api/plugins/element-templates`).
 */
export interface ServiceTaskDefinition<In extends z.ZodObject = z.ZodObject, Out extends z.ZodObject = z.ZodObject> {
  /** What the designer shows; Vietnamese first. */
  name: string;
  description?: string;
  /** Input parameters; `.describe()` gives each its label. */
  input: In;
  /** Variables the handler returns; each becomes an output parameter of the template. */
  output?: Out;
  handler(job: ServiceTaskJob & { variables: z.infer<In> }, ctx: PluginContext): Promise<{ variables?: z.infer<Out> } | void>;
}

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
  /**
   * The folder whose files the app serves at `/plugins/<id>/ui/…` (e.g. `new URL('./ui/', import.meta.url)`):
   * browser-ready modules, styles and images only; nothing outside it is reachable.
   */
  assets?: URL;
  /** Module (relative to `assets`) the runtime UI loads lazily: served at `/plugins/<id>/ui/<entry>`. */
  entry?: string;
  /** Menu entries, shown to users who hold `permission` somewhere (`GET /api/plugins/ui`). */
  navigation?: { label: { vi: string; en?: string }; path: string; permission: string }[];
  /** Screens: a runtime path (`/<id>/…`) and the custom element that renders it. */
  routes?: { path: string; element: string }[];
}

/** `ctx.audit`: appends a record in the transaction of `em` (ADR 0003). */
export interface PluginAudit {
  append(em: PluginEntityManager, entry: AuditEntry): Promise<void>;
}

/** `ctx.clock`: the platform's time (tests move it); never `new Date()`. */
export interface PluginClock {
  now(): Date;
}

export interface PluginLog {
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
}

/** A BPMN message a plugin sends, as `POST /api/messages` does: only to `motcua:external` receivers. */
export interface PluginMessage {
  name: string;
  correlationKey?: string | null;
  variables?: Record<string, unknown>;
  /** Idempotency key: a repeated id changes nothing. */
  messageId?: string | null;
}

export interface PluginMessageResult {
  messageId: string;
  status: 'correlated' | 'started' | 'buffered' | 'duplicate';
  instanceId: string | null;
}

/** `ctx.engine`: what a plugin may ask of the process engine. */
export interface PluginEngine {
  /** Sends a message inside the transaction of `em`; the sender recorded is `plugin:<id>`. */
  publishMessage(em: PluginEntityManager, message: PluginMessage): Promise<PluginMessageResult>;
}

/** One job of a plugin's kind, as its handler gets it. */
export interface PluginJob {
  id: string;
  kind: string;
  attempts: number;
  payload: Record<string, unknown>;
}

/** `ctx.jobs`: job kinds (`<id>.<kind>`) run by the job runner, and recurring chores. */
export interface PluginJobs {
  /** Call in `setup`. The handler runs in the job's transaction; throwing retries it with backoff. */
  register(kind: string, handler: (em: PluginEntityManager, job: PluginJob) => Promise<void>, options?: { maxAttempts?: number }): void;
  /** Adds a job of one of the plugin's kinds, due at `dueAt`, in the transaction of `em`. */
  schedule(em: PluginEntityManager, kind: string, job: { dueAt: Date; payload?: Record<string, unknown> }): Promise<string>;
  /** Idempotent housekeeping every `everyMs` (every node runs it); named `<id>.<name>`. */
  every(name: string, everyMs: number, run: () => Promise<void>): void;
}

export interface ExtensionPoint {
  description: string;
  /** Each contribution is validated against this schema at boot. */
  schema?: z.ZodType;
}

/** What a plugin sees of the platform: narrow ports, its own config, and contributions to its extension points. */
export interface PluginContext<Config = unknown> {
  id: string;
  config: Config;
  /**
   * An entity manager limited to the plugin's own entities and tables (`plugin.out_of_scope`
   * otherwise). In a synchronous service task it is the command's transaction.
   */
  em(): PluginEntityManager;
  audit: PluginAudit;
  clock: PluginClock;
  log: PluginLog;
  engine: PluginEngine;
  jobs: PluginJobs;
  /** A read API another plugin (or core) provides, named in this plugin's `uses`. */
  read<T = unknown>(name: string): T;
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
  routes?(router: OpenAPIHono<PluginEnv>, ctx: PluginContext<Config>): void;
  /** Service-task handlers by topic `<id>.<verb-noun>`: a function, or one declared with zod `input`/`output` (an element template follows). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handlers?: Record<string, ServiceTaskHandler | ServiceTaskDefinition<any, any>>;
  /** Read APIs this plugin offers others, by name `<id>.<name>`: built once at boot from its context. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  provides?: Record<string, (ctx: PluginContext<any>) => unknown>;
  /** Read APIs of other plugins or core this plugin reads (`ctx.read(name)`); checked at boot. */
  uses?: string[];
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

// Domain events as plugins see them (the port itself: core/events/plugin-port.ts).

/** An in-transaction handler of a plugin: the publishing transaction's `em` (scoped to the plugin's tables), and the plugin's context. */
export type PluginEventHandler<K extends EventType = EventType> = (
  event: DomainEvent<K>,
  tx: { em: PluginEntityManager; ctx: PluginContext },
) => void | Promise<void>;

/** An after-commit (outbox) consumer of a plugin: called after the commit, at least once. */
export type PluginOutboxHandler<K extends EventType = EventType> = (
  event: DomainEvent<K>,
  delivery: Delivery & { ctx: PluginContext },
) => void | Promise<void>;

export type PluginSubscription<K extends EventType = EventType> =
  PluginEventHandler<K> | { afterCommit: true; name?: string; handler: PluginOutboxHandler<K> };

/**
 * `events` of a PluginDefinition: a handler per event type (core events typed), or
 * `{ afterCommit: true, handler }` for an outbox consumer.
 */
export type PluginEventSubscriptions = { [K in keyof CoreEvents]?: PluginSubscription<K> } & {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [type: string]: PluginSubscription<any> | undefined;
};

/** `ctx.events`: what a plugin may do with domain events. */
export interface PluginEvents {
  subscribe<K extends EventType>(type: K, handler: PluginEventHandler<K>): void;
  subscribe<K extends EventType>(type: K, handler: PluginOutboxHandler<K>, options: { afterCommit: true; name?: string }): void;
  /** Publishes one of the plugin's own events (`<id>.<entity>.<past-verb>`) inside the transaction of `em`. */
  publish(em: PluginEntityManager, type: string, payload: Record<string, unknown>, acting?: Acting | null): Promise<void>;
}
