import semver from 'semver';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { AppError, registerErrorCodes } from '../errors.ts';
import type { NamedMigration } from '../db/migration.ts';
import type { Ports } from '../modules/ports.ts';
import type { AppEnv } from '../http/env.ts';
import type { PermissionRegistry } from '../org/roles.ts';
import type { EntityManager } from '@mikro-orm/knex';
import type {
  DocumentTemplate,
  ElementTemplate,
  ExtensionPoint,
  PluginContext,
  PluginDefinition,
  PluginEnv,
  ServiceTaskDefinition,
  ServiceTaskHandler,
} from './define-plugin.ts';
import { HandlerRegistry } from './handler-registry.ts';
import { pluginEvents, subscribeDeclared } from '../events/plugin-port.ts';
import { scopeEm, unscoped, type Scope } from './scoped-em.ts';
import { elementTemplateOf } from './element-templates.ts';
import { insertJob } from '../jobs/jobs.ts';
import { mountPluginSystemRoutes } from './system-routes.ts';

/** Read APIs core provides to plugins (`uses: ['catalogue.procedures']`). */
const CORE_READS: Record<string, (services: PluginPorts) => unknown> = {
  'catalogue.procedures': (svc) => ({
    /** The procedure with this code (published versions only), or null. */
    get: (code: string) => svc.catalogue.get(svc.db.em(), code),
    /** The version in force on a date (`YYYY-MM-DD`), or null. */
    effectiveOn: (code: string, date: string) => svc.catalogue.effectiveOn(svc.db.em(), code, date),
  }),
};

/** What core owns, derived from its modules (core/modules): a plugin may not take these names. */
export interface CoreNames {
  /** First path segments under /api that core's routes use, and core's module ids. */
  routeBases: string[];
  tables: string[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  entities: { meta: { className: string } }[];
  /** Points where plugins contribute to core (`portal.sender`), declared by core modules. */
  extensionPoints?: Record<string, ExtensionPoint>;
}

const ID_PATTERN = /^[a-z][a-z0-9]{1,31}$/;

interface LoadedPlugin {
  def: PluginDefinition;
  config: unknown;
}

function fail(code: 'plugin.conflict' | 'plugin.invalid' | 'plugin.missing_dependency', message: string): never {
  throw new AppError(code, message);
}

/**
 * Validates the enabled plugins against each other and against core, orders them by their
 * `requires`, and hands their parts to the platform. Any clash stops the boot with a
 * message naming both owners.
 */
/** The ports the plugin host builds plugins' contexts from (given at `setup`). */
export type PluginPorts = Pick<Ports, 'db' | 'clock' | 'log' | 'audit' | 'events' | 'jobs' | 'engine' | 'catalogue'>;

/** Stands in for the ports before `setup`: a plugin's context made earlier (tests) reads only its config and contributions. */
const NOT_SET_UP = new Proxy({} as PluginPorts, {
  get(_t, name) {
    throw new Error(`The plugin host was asked for "${String(name)}" before its setup`);
  },
});

export class PluginHost {
  /** Given at `setup` (boot, once every module's ports exist). */
  private ports: PluginPorts | null = null;
  readonly plugins: LoadedPlugin[];
  readonly handlers = new HandlerRegistry();
  /** Validated contributions by extension point, in plugin order. */
  private readonly contributed = new Map<string, { plugin: string; value: unknown }[]>();
  /** Templates generated from handlers declared with zod schemas. */
  private readonly generatedTemplates: ElementTemplate[] = [];
  /** Read APIs by name: the providing plugin, and the API once built. */
  private readonly reads = new Map<string, { owner: string; build: (ctx: PluginContext) => unknown; api?: unknown }>();
  private readonly scopes = new Map<string, Scope>();

  private constructor(
    plugins: LoadedPlugin[],
    private readonly core: CoreNames,
  ) {
    this.plugins = plugins;
  }

  static resolve(defs: PluginDefinition[], coreVersion: string, pluginConfig: Record<string, unknown>, core: CoreNames): PluginHost {
    const byId = new Map<string, PluginDefinition>();
    for (const def of defs) {
      if (!def || typeof def !== 'object' || typeof def.id !== 'string')
        fail('plugin.invalid', 'A plugin module must export a definePlugin({...}) object as default');
      if (!ID_PATTERN.test(def.id))
        fail('plugin.invalid', `Plugin id "${def.id}" must be 2–32 lower-case letters or digits, starting with a letter`);
      if (!semver.valid(def.version)) fail('plugin.invalid', `Plugin "${def.id}": version "${def.version}" is not semver`);
      const other = byId.get(def.id);
      if (other) fail('plugin.conflict', `Two plugins have the id "${def.id}" (versions ${other.version} and ${def.version})`);
      if (def.id === 'plugins') fail('plugin.conflict', 'Plugin id "plugins" is taken: core serves /api/plugins and /plugins');
      if (core.routeBases.includes(def.id)) fail('plugin.conflict', `Plugin "${def.id}" would mount at /api/${def.id}, which core owns`);
      byId.set(def.id, def);
    }
    const ordered = PluginHost.order(byId, coreVersion);
    const loaded = ordered.map((def) => ({ def, config: PluginHost.parseConfig(def, pluginConfig[def.id]) }));
    const host = new PluginHost(loaded, core);
    host.checkNamespaces();
    for (const { def } of loaded) {
      for (const [topic, declared] of Object.entries(def.handlers ?? {}))
        host.handlers.register(topic, host.handlerOf(topic, declared), def.id);
      for (const name of Object.keys(def.provides ?? {})) {
        if (!name.startsWith(`${def.id}.`)) fail('plugin.invalid', `Plugin "${def.id}": read API "${name}" must start with "${def.id}."`);
        host.reads.set(name, { owner: def.id, build: def.provides![name] as (ctx: PluginContext) => unknown });
      }
      host.scopes.set(def.id, { id: def.id, entities: new Set((def.entities ?? []).map((e) => e.meta.className)) });
      if (def.errors) {
        for (const code of Object.keys(def.errors)) {
          if (!code.startsWith(`${def.id}.`))
            fail('plugin.invalid', `Plugin "${def.id}": error code "${code}" must start with "${def.id}."`);
        }
        registerErrorCodes(def.errors);
      }
    }
    host.checkContributions();
    // After every registration, so that a topic two plugins claim is reported as that clash, naming both.
    for (const { topic, owner } of host.handlers.topics()) {
      if (!topic.startsWith(`${owner}.`))
        fail('plugin.invalid', `Plugin "${owner}": handler topic "${topic}" must start with its id: "${owner}.<verb-noun>"`);
    }
    for (const { def } of loaded) {
      for (const name of def.uses ?? []) {
        const provider = host.reads.get(name)?.owner;
        if (!provider && !(name in CORE_READS))
          fail(
            'plugin.missing_dependency',
            `Plugin "${def.id}" uses read API "${name}", which neither core nor an enabled plugin provides`,
          );
        if (provider && provider !== def.id && !(provider in (def.requires ?? {})))
          fail('plugin.missing_dependency', `Plugin "${def.id}" uses "${name}" of plugin "${provider}": add "${provider}" to its requires`);
      }
    }
    return host;
  }

  /** A declared handler as the engine calls it: with zod `input`, variables are checked first and a template is generated. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private handlerOf(topic: string, declared: ServiceTaskHandler | ServiceTaskDefinition<any, any>): ServiceTaskHandler {
    if (typeof declared === 'function') return declared;
    if (!declared || typeof declared.handler !== 'function' || !declared.input)
      fail('plugin.invalid', `Handler "${topic}" must be a function or { name, input, output?, handler }`);
    this.generatedTemplates.push(elementTemplateOf(topic, declared));
    return async (job, ctx) => {
      const parsed = declared.input.safeParse(job.variables);
      if (!parsed.success) {
        const fields = parsed.error.issues
          .map((i: { path: PropertyKey[]; message: string }) => `${i.path.join('.') || '(variables)'} ${i.message}`)
          .join('; ');
        throw new AppError('request.invalid', `${topic} got invalid input: ${fields}`);
      }
      return declared.handler({ ...job, variables: parsed.data }, ctx);
    };
  }

  private static parseConfig(def: PluginDefinition, raw: unknown): unknown {
    if (!def.config) return raw ?? {};
    const parsed = def.config.safeParse(raw ?? {});
    if (!parsed.success) {
      fail(
        'plugin.invalid',
        `Plugin "${def.id}" configuration: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`,
      );
    }
    return parsed.data;
  }

  /** Topological order by `requires`; checks versions and cycles. */
  private static order(byId: Map<string, PluginDefinition>, coreVersion: string): PluginDefinition[] {
    const out: PluginDefinition[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (def: PluginDefinition, chain: string[]) => {
      if (state.get(def.id) === 'done') return;
      if (state.get(def.id) === 'visiting')
        fail('plugin.invalid', `Plugins require each other in a cycle: ${[...chain, def.id].join(' → ')}`);
      state.set(def.id, 'visiting');
      for (const [dep, range] of Object.entries(def.requires ?? {})) {
        if (!semver.validRange(range)) fail('plugin.invalid', `Plugin "${def.id}" requires ${dep} "${range}", which is not a semver range`);
        if (dep === 'core') {
          if (!semver.satisfies(coreVersion, range, { includePrerelease: true })) {
            fail('plugin.missing_dependency', `Plugin "${def.id}" requires core ${range}, but this is motcua ${coreVersion}`);
          }
          continue;
        }
        const required = byId.get(dep);
        if (!required) fail('plugin.missing_dependency', `Plugin "${def.id}" requires plugin "${dep}" (${range}), which is not enabled`);
        if (!semver.satisfies(required.version, range, { includePrerelease: true })) {
          fail('plugin.missing_dependency', `Plugin "${def.id}" requires "${dep}" ${range}, but ${dep} ${required.version} is enabled`);
        }
        visit(required, [...chain, def.id]);
      }
      state.set(def.id, 'done');
      out.push(def);
    };
    for (const def of byId.values()) visit(def, []);
    return out;
  }

  private checkNamespaces(): void {
    const tables = new Map<string, string>(this.core.tables.map((t) => [t, 'core']));
    // MikroORM keys entities by name: a second `User` would replace core's (it refuses, naming neither owner).
    const entityNames = new Map<string, string>(this.core.entities.map((e) => [e.meta.className, 'core']));
    const tags = new Map<string, string>();
    const points = new Map<string, string>();
    const migrations = new Map<string, string>();
    for (const { def } of this.plugins) {
      const prefix = `${def.id}_`;
      const coreClash = this.core.tables.find((t) => t.startsWith(prefix));
      if (coreClash) fail('plugin.conflict', `Plugin "${def.id}" table prefix "${prefix}" clashes with core's table "${coreClash}"`);
      for (const entity of def.entities ?? []) {
        const table = entity.meta.tableName ?? entity.meta.collection ?? entity.meta.className;
        if (!table?.startsWith(prefix))
          fail('plugin.invalid', `Plugin "${def.id}": table "${table}" of entity ${entity.meta.className} must start with "${prefix}"`);
        const owner = tables.get(table);
        if (owner) fail('plugin.conflict', `Table "${table}" is claimed by both "${owner}" and "${def.id}"`);
        tables.set(table, def.id);
        const nameOwner = entityNames.get(entity.meta.className);
        if (nameOwner) fail('plugin.conflict', `Entity name "${entity.meta.className}" is used by both "${nameOwner}" and "${def.id}"`);
        entityNames.set(entity.meta.className, def.id);
      }
      for (const m of def.migrations ?? []) {
        if (!m.name.startsWith(prefix)) fail('plugin.invalid', `Plugin "${def.id}": migration "${m.name}" must be named "${prefix}NNNN_…"`);
        const foreign = (m.tables ?? []).find((t) => !t.startsWith(prefix));
        if (foreign)
          fail('plugin.invalid', `Plugin "${def.id}": migration "${m.name}" creates table "${foreign}", which must start with "${prefix}"`);
        const owner = migrations.get(m.name);
        if (owner) fail('plugin.conflict', `Migration "${m.name}" is declared twice by "${owner}" and "${def.id}"`);
        migrations.set(m.name, def.id);
      }
      for (const p of def.permissions ?? []) {
        if (!p.name.startsWith(`${def.id}.`))
          fail('plugin.invalid', `Plugin "${def.id}": permission "${p.name}" must start with "${def.id}."`);
      }
      for (const tag of def.ui?.elements ?? []) {
        if (!tag.startsWith(`${def.id}-`)) fail('plugin.invalid', `Plugin "${def.id}": element <${tag}> must start with "${def.id}-"`);
        const owner = tags.get(tag);
        if (owner)
          fail(
            'plugin.conflict',
            owner === def.id
              ? `Plugin "${def.id}" declares element <${tag}> twice`
              : `Element <${tag}> is defined by both "${owner}" and "${def.id}"`,
          );
        tags.set(tag, def.id);
      }
      for (const name of Object.keys(def.extensionPoints ?? {})) {
        if (!name.startsWith(`${def.id}.`))
          fail('plugin.invalid', `Plugin "${def.id}": extension point "${name}" must start with "${def.id}."`);
        if (this.core.extensionPoints?.[name])
          fail('plugin.conflict', `Extension point "${name}" is core's: plugin "${def.id}" may not offer it`);
        points.set(name, def.id);
      }
      for (const t of def.elementTemplates ?? []) {
        if (!t.id.startsWith(`${def.id}.`))
          fail('plugin.invalid', `Plugin "${def.id}": element template "${t.id}" must start with "${def.id}."`);
      }
      for (const d of def.documents ?? []) {
        if (!d.id.startsWith(`${def.id}.`)) fail('plugin.invalid', `Plugin "${def.id}": document "${d.id}" must start with "${def.id}."`);
      }
      for (const r of def.ui?.routes ?? []) {
        if (r.path !== `/${def.id}` && !r.path.startsWith(`/${def.id}/`))
          fail('plugin.invalid', `Plugin "${def.id}": UI route "${r.path}" must be "/${def.id}" or start with "/${def.id}/"`);
        if (!tags.has(r.element) || tags.get(r.element) !== def.id)
          fail('plugin.invalid', `Plugin "${def.id}": UI route "${r.path}" renders <${r.element}>, which is not one of its ui.elements`);
      }
      if (def.ui?.entry && !def.ui.assets)
        fail('plugin.invalid', `Plugin "${def.id}": ui.entry needs ui.assets, the folder it is served from`);
    }
  }

  private checkContributions(): void {
    const points = new Map<string, { owner: string; def: NonNullable<PluginDefinition['extensionPoints']>[string] }>();
    for (const [name, p] of Object.entries(this.core.extensionPoints ?? {})) points.set(name, { owner: 'core', def: p });
    for (const { def } of this.plugins)
      for (const [name, p] of Object.entries(def.extensionPoints ?? {})) points.set(name, { owner: def.id, def: p });
    for (const { def } of this.plugins) {
      for (const [point, values] of Object.entries(def.contributions ?? {})) {
        const target = points.get(point);
        if (!target)
          fail(
            'plugin.missing_dependency',
            `Plugin "${def.id}" contributes to "${point}", but neither core nor an enabled plugin offers that extension point`,
          );
        const list = this.contributed.get(point) ?? [];
        for (const value of values) {
          const parsed = target.def.schema?.safeParse(value);
          if (parsed && !parsed.success) {
            fail(
              'plugin.invalid',
              `Plugin "${def.id}": contribution to "${point}" is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
            );
          }
          // The parsed value: the point's schema defaults and transforms apply.
          list.push({ plugin: def.id, value: parsed ? parsed.data : value });
        }
        this.contributed.set(point, list);
      }
    }
  }

  /** Contributions to an extension point (core's, e.g. `portal.sender`, or a plugin's), in plugin order, as parsed. */
  contributionsTo<T = unknown>(point: string): { plugin: string; value: T }[] {
    return (this.contributed.get(point) ?? []).map((c) => ({ plugin: c.plugin, value: c.value as T }));
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  entities(): any[] {
    return this.plugins.flatMap((p) => p.def.entities ?? []);
  }

  /** Plugin migrations in dependency order (core's run before these). */
  migrations(): NamedMigration[] {
    return this.plugins.flatMap((p) => p.def.migrations ?? []);
  }

  registerPermissions(registry: PermissionRegistry): void {
    for (const { def } of this.plugins) for (const p of def.permissions ?? []) registry.add(p, def.id);
  }

  /**
   * The plugin's ports (docs/plugin-guide.md). `em`, when given, is the transaction the plugin
   * works in (a synchronous service task's command): `ctx.em()` is that one, scoped.
   */
  context(id: string, em?: EntityManager): PluginContext {
    const services = this.ports ?? NOT_SET_UP;
    const loaded = this.plugins.find((p) => p.def.id === id);
    if (!loaded) throw new AppError('plugin.missing_dependency', `Plugin "${id}" is not enabled`);
    const scope = this.scopes.get(id)!;
    const own = (name: string, what: string) => {
      if (!name.startsWith(`${id}.`))
        throw new AppError('plugin.out_of_scope', `Plugin "${id}": ${what} "${name}" must start with "${id}."`);
    };
    const sender = { id: null, name: `plugin:${id}` };
    const ctx: PluginContext = {
      id,
      config: loaded.config,
      em: () => scopeEm(em ?? services.db.em(), scope),
      audit: { append: (tx, entry) => services.audit.append(unscoped(tx), entry) },
      clock: { now: () => services.clock.now() },
      log: {
        info: (obj, msg) => services.log.info({ plugin: id, ...obj }, msg),
        warn: (obj, msg) => services.log.warn({ plugin: id, ...obj }, msg),
        error: (obj, msg) => services.log.error({ plugin: id, ...obj }, msg),
      },
      engine: {
        async publishMessage(tx, message) {
          const result = await services.engine.publishMessage(
            unscoped(tx),
            { actor: sender, requestId: null },
            {
              name: message.name,
              origin: 'api',
              correlationKey: message.correlationKey ?? null,
              variables: message.variables ?? {},
              messageId: message.messageId ?? null,
              scope: null,
              unit: { id: null, path: null },
            },
          );
          return { messageId: result.messageId, status: result.status, instanceId: result.instanceId };
        },
      },
      jobs: {
        register: (kind, handler, options) => {
          own(kind, 'job kind');
          services.jobs.register(
            kind,
            async (tx, job) => {
              await handler(scopeEm(tx, scope), { id: job.id, kind: job.kind, attempts: job.attempts, payload: job.payload });
              return 'done';
            },
            options?.maxAttempts ? { maxAttempts: () => options.maxAttempts! } : {},
          );
        },
        schedule: (tx, kind, job) => {
          own(kind, 'job kind');
          return insertJob(unscoped(tx), { kind, dueAt: job.dueAt, payload: job.payload ?? {} }, services.clock.now());
        },
        every: (name, everyMs, run) => {
          own(name, 'chore');
          services.jobs.every(name, everyMs, run);
        },
      },
      read: <T>(name: string): T => {
        if (!(loaded.def.uses ?? []).includes(name))
          throw new AppError('plugin.missing_dependency', `Plugin "${id}" reads "${name}" without naming it in its uses`);
        const core = CORE_READS[name];
        if (core) return core(services) as T;
        const entry = this.reads.get(name)!;
        entry.api ??= entry.build(this.context(entry.owner));
        return entry.api as T;
      },
      contributions: <T>(point: string) => (this.contributed.get(point) ?? []).map((c) => ({ plugin: c.plugin, value: c.value as T })),
      events: undefined as never,
    };
    if (this.ports)
      ctx.events = pluginEvents(
        services.events,
        () => ctx,
        (tx) => scopeEm(tx, scope),
      );
    return ctx;
  }

  mountRoutes(app: OpenAPIHono<AppEnv>, makeRouter: () => OpenAPIHono<AppEnv>): void {
    for (const { def } of this.plugins) {
      if (!def.routes) continue;
      const router = makeRouter();
      // The same router; its type hides `c.var.services` from the plugin (PluginEnv).
      def.routes(router as unknown as OpenAPIHono<PluginEnv>, this.context(def.id) as PluginContext<never>);
      app.route(`/api/${def.id}`, router);
    }
    mountPluginSystemRoutes(app, this, makeRouter);
  }

  /** UI contributions of every plugin: its menu entries, screens, entry module and served folder. */
  uiContributions() {
    return this.plugins.filter((p) => p.def.ui).map(({ def }) => ({ id: def.id, ui: def.ui! }));
  }

  /** Receives the ports plugins are given, then runs each plugin's setup in dependency order. */
  async setup(ports: PluginPorts): Promise<void> {
    this.ports = ports;
    for (const { def } of this.plugins) {
      const ctx = this.context(def.id);
      subscribeDeclared(ctx.events, def.events); // before setup: its own subscriptions come after them
      await def.setup?.(ctx as PluginContext<never>);
    }
  }

  info(): { id: string; version: string }[] {
    return this.plugins.map((p) => ({ id: p.def.id, version: p.def.version }));
  }

  /** Templates the plugins wrote, then those generated from handlers declared with zod schemas (a written one wins). */
  elementTemplates(): ElementTemplate[] {
    const written = this.plugins.flatMap((p) => p.def.elementTemplates ?? []);
    const ids = new Set(written.map((t) => t.id));
    return [...written, ...this.generatedTemplates.filter((t) => !ids.has(t.id))];
  }

  documents(): DocumentTemplate[] {
    return this.plugins.flatMap((p) => p.def.documents ?? []);
  }
}
