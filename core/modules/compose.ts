import type { EntitySchema } from '@mikro-orm/core';
import { AppError } from '../errors.ts';
import type { NamedMigration } from '../db/migration.ts';
import { createRouter } from '../http/router.ts';
import type { PermissionDefinition } from '../org/roles.ts';
import type { AnyModule } from './define-module.ts';
import type { ExtensionPoint } from '../plugin-host/define-plugin.ts';
import { SYSTEM_PORTS, type Ports } from './ports.ts';

/** Tables MikroORM's migrator keeps for itself. */
const MIGRATOR_TABLES = ['schema_migrations'];

export interface ComposedModules {
  /** In dependency order: every module after the ones it requires (ties keep the list's order). */
  modules: AnyModule[];
  /** Every module's migrations, in the order of their names (`core_NNNN_…`). */
  migrations: NamedMigration[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  entities: EntitySchema<any, any>[];
  permissions: { def: PermissionDefinition; owner: string }[];
  /** Tables the modules create (from their migrations), and the migrator's own. */
  tables: string[];
  /** First path segments under /api that the modules' routes use, and the modules' ids. */
  routeBases: string[];
  /** Core's extension points (plugins contribute to them), by name. */
  extensionPoints: Record<string, ExtensionPoint>;
}

function fail(message: string): never {
  throw new AppError('plugin.invalid', message);
}

/** Which module provides each port (`boot` for the system's). Two providers of one port stop the boot. */
export function providers(modules: AnyModule[]): Map<string, string> {
  const by = new Map<string, string>(SYSTEM_PORTS.map((p) => [p, 'boot']));
  for (const m of modules)
    for (const p of m.provides ?? []) {
      const other = by.get(p);
      if (other) fail(`Core modules "${other}" and "${m.id}" both provide "${p}"`);
      by.set(p, m.id);
    }
  return by;
}

/**
 * Orders modules so that each comes after the modules providing the ports it requires (ties keep
 * the list's order); a port nobody provides, or a circle of requirements, stops the boot.
 */
function order(modules: AnyModule[]): AnyModule[] {
  const byId = new Map<string, AnyModule>();
  for (const m of modules) {
    if (byId.has(m.id)) fail(`Two core modules have the id "${m.id}"`);
    byId.set(m.id, m);
  }
  const provider = providers(modules);
  const done = new Set<string>();
  const out: AnyModule[] = [];
  const visit = (m: AnyModule, path: string[]) => {
    if (done.has(m.id)) return;
    if (path.includes(m.id)) fail(`Core modules require each other in a circle: ${[...path, m.id].join(' → ')}`);
    for (const port of m.requires ?? []) {
      const from = provider.get(port);
      if (!from) fail(`Core module "${m.id}" requires "${port}", which no module provides`);
      if (from !== 'boot' && from !== m.id) visit(byId.get(from)!, [...path, m.id]);
    }
    done.add(m.id);
    out.push(m);
  };
  for (const m of modules) visit(m, []);
  return out;
}

/** Stands in for the ports while routes are registered on a scratch router: a handler must not run there. */
const NO_PORTS = new Proxy(
  {},
  {
    get(_target, name) {
      throw new Error(`A route registration used the port "${String(name)}" while registering: use ports inside handlers only`);
    },
  },
);

/** The first segment under /api of every route the modules register, found on a scratch router. */
function routeBasesOf(modules: AnyModule[]): string[] {
  const router = createRouter();
  for (const m of modules) m.routes?.(router, NO_PORTS);
  const bases = new Set<string>();
  for (const r of router.routes) {
    const match = /^\/api\/([^/]+)/.exec(r.path);
    if (match) bases.add(match[1]);
  }
  return [...bases];
}

/**
 * Validates and orders the core modules and derives what core owns from their declarations,
 * so that nothing is listed by hand: tables (for plugins' prefixes), route bases (for plugins'
 * ids), migrations and entities (for the database), permissions (for the registry).
 */
export function composeModules(list: AnyModule[]): ComposedModules {
  const modules = order(list);
  const migrations = modules.flatMap((m) => m.migrations ?? []).sort((a, b) => a.name.localeCompare(b.name));
  const seen = new Set<string>();
  for (const m of migrations) {
    if (seen.has(m.name)) fail(`Migration "${m.name}" is declared twice`);
    seen.add(m.name);
  }
  return {
    modules,
    migrations,
    entities: modules.flatMap((m) => m.entities ?? []),
    permissions: modules.flatMap((m) => (m.permissions ?? []).map((def) => ({ def, owner: m.id }))),
    tables: [...MIGRATOR_TABLES, ...migrations.flatMap((m) => m.tables ?? [])],
    routeBases: [...new Set([...modules.map((m) => m.id), ...routeBasesOf(modules)])],
    extensionPoints: Object.assign({}, ...modules.map((m) => m.extensionPoints ?? {})) as Record<string, ExtensionPoint>,
  };
}

/**
 * The ports a module declared, picked from those built so far: what it `requires`, and with
 * `own` what it `provides` too (for its jobs, routes and stop). Nothing else reaches a module.
 */
export function declaredPorts(all: Partial<Ports>, m: AnyModule, own: boolean): Ports {
  const names = [...(m.requires ?? []), ...(own ? (m.provides ?? []) : [])] as (keyof Ports)[];
  return Object.fromEntries(names.map((n) => [n, all[n]])) as unknown as Ports;
}
