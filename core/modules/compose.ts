import type { EntitySchema } from '@mikro-orm/core';
import { AppError } from '../errors.ts';
import type { NamedMigration } from '../db/migration.ts';
import { createRouter } from '../http/router.ts';
import type { PermissionDefinition } from '../org/roles.ts';
import type { ModuleDefinition } from './define-module.ts';

/** Tables MikroORM's migrator keeps for itself. */
const MIGRATOR_TABLES = ['schema_migrations'];

export interface ComposedModules {
  /** In dependency order: every module after the ones it requires (ties keep the list's order). */
  modules: ModuleDefinition[];
  /** Every module's migrations, in the order of their names (`core_NNNN_…`). */
  migrations: NamedMigration[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  entities: EntitySchema<any, any>[];
  permissions: { def: PermissionDefinition; owner: string }[];
  /** Tables the modules create (from their migrations), and the migrator's own. */
  tables: string[];
  /** First path segments under /api that the modules' routes use, and the modules' ids. */
  routeBases: string[];
}

function fail(message: string): never {
  throw new AppError('plugin.invalid', message);
}

/** Orders modules so that each comes after those it requires; a missing or circular requirement stops the boot. */
function order(modules: ModuleDefinition[]): ModuleDefinition[] {
  const byId = new Map<string, ModuleDefinition>();
  for (const m of modules) {
    if (byId.has(m.id)) fail(`Two core modules have the id "${m.id}"`);
    byId.set(m.id, m);
  }
  const done = new Set<string>();
  const out: ModuleDefinition[] = [];
  const visit = (m: ModuleDefinition, path: string[]) => {
    if (done.has(m.id)) return;
    if (path.includes(m.id)) fail(`Core modules require each other in a circle: ${[...path, m.id].join(' → ')}`);
    for (const r of m.requires ?? []) {
      const dep = byId.get(r);
      if (!dep) fail(`Core module "${m.id}" requires "${r}", which is not in the module list`);
      visit(dep, [...path, m.id]);
    }
    done.add(m.id);
    out.push(m);
  };
  for (const m of modules) visit(m, []);
  return out;
}

/** The first segment under /api of every route the modules register, found on a scratch router. */
function routeBasesOf(modules: ModuleDefinition[]): string[] {
  const router = createRouter();
  for (const m of modules) m.routes?.(router);
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
export function composeModules(list: ModuleDefinition[]): ComposedModules {
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
  };
}
