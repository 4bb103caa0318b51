import type { EntityManager as CoreEntityManager } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../errors.ts';
import { sql } from '../db/sql.ts';

/**
 * The entity manager a plugin gets (`ctx.em()`): MikroORM's entity manager limited to the
 * entities the plugin declared, plus `sql` for statements on its own tables. No knex type.
 */
export interface PluginEntityManager extends Omit<CoreEntityManager, 'transactional' | 'fork'> {
  /** One transaction; `fn` gets the transaction's (scoped) entity manager: use only that one inside. */
  transactional<T>(fn: (em: PluginEntityManager) => Promise<T>): Promise<T>;
  fork(): PluginEntityManager;
  /**
   * One SQL statement on the plugin's own tables (`<id>_…`), with `?` placeholders. Every table
   * named after FROM, JOIN, INTO, UPDATE or TABLE must carry the plugin's prefix.
   */
  sql<T = Record<string, unknown>>(query: string, params?: unknown[]): Promise<T[]>;
}

export interface Scope {
  id: string;
  /** Class names of the entities the plugin declared. */
  entities: Set<string>;
}

/** Methods whose first argument names an entity: checked against the plugin's own. */
const BY_ENTITY = new Set([
  'find',
  'findOne',
  'findOneOrFail',
  'findAll',
  'findAndCount',
  'findByCursor',
  'count',
  'create',
  'insert',
  'insertMany',
  'upsert',
  'upsertMany',
  'nativeUpdate',
  'nativeDelete',
  'getReference',
  'merge',
  'createQueryBuilder',
  'qb',
  'stream',
]);
/** Methods whose first argument is an entity (or several): checked by the entity's class. */
const BY_INSTANCE = new Set(['persist', 'persistAndFlush', 'remove', 'removeAndFlush', 'refresh', 'refreshOrFail', 'populate', 'assign']);
/** Ways around the scope: raw connections, drivers, repositories (they hold the unscoped entity manager). */
const REFUSED = new Set([
  'execute',
  'getConnection',
  'getDriver',
  'getKnex',
  'getPlatform',
  'getRepository',
  'getTransactionContext',
  'setTransactionContext',
]);

const raw = new WeakMap<object, EntityManager>();

/** The underlying entity manager of a plugin's one (core ports write audit, events, messages through it). */
export function unscoped(em: PluginEntityManager | EntityManager): EntityManager {
  return raw.get(em) ?? (em as EntityManager);
}

function entityName(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'function') return arg.name;
  const meta = (arg as { meta?: { className?: string } } | null)?.meta;
  if (meta?.className) return meta.className;
  return undefined;
}

function instanceName(arg: unknown): string | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const meta = (arg as { __meta?: { className?: string } }).__meta;
  return meta?.className ?? (arg as object).constructor?.name;
}

function outOfScope(scope: Scope, what: string): never {
  throw new AppError(
    'plugin.out_of_scope',
    `Plugin "${scope.id}" may use only its own entities and tables (${[...scope.entities].join(', ') || 'none declared'}), not ${what}`,
  );
}

/** Table names a statement touches, after FROM / JOIN / INTO / UPDATE / TABLE (comma lists too). String literals are ignored. */
export function tablesOf(sql: string): string[] {
  const text = sql.replace(/'(?:[^']|'')*'/g, "''");
  const out: string[] = [];
  const ident = String.raw`(?:"[^"]+"|\x60[^\x60]+\x60|[A-Za-z_][\w$]*)(?:\.(?:"[^"]+"|[A-Za-z_][\w$]*))?`;
  const re = new RegExp(
    String.raw`\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+(${ident}(?:\s+(?:AS\s+)?(?!ON\b|WHERE\b|SET\b|USING\b|VALUES\b|SELECT\b|LEFT\b|INNER\b|JOIN\b|ORDER\b|GROUP\b|LIMIT\b|RETURNING\b|DEFAULT\b)[A-Za-z_]\w*)?(?:\s*,\s*${ident}(?:\s+(?:AS\s+)?[A-Za-z_]\w*)?)*)`,
    'gi',
  );
  for (const m of text.matchAll(re)) {
    for (const part of m[1].split(',')) {
      const name = part.trim().split(/\s+/)[0];
      if (name && !/^set$/i.test(name)) out.push(name.replace(/["\x60]/g, '')); // `DO UPDATE SET` of an upsert
    }
  }
  return out;
}

function checkSql(scope: Scope, query: string): void {
  const stripped = query.trim().replace(/;\s*$/, '');
  if (stripped.includes(';')) outOfScope(scope, 'several statements in one call');
  for (const table of tablesOf(stripped)) {
    if (table.startsWith('(')) continue;
    if (!table.toLowerCase().startsWith(`${scope.id}_`) || table.includes('.')) outOfScope(scope, `table "${table}"`);
  }
}

/** Wraps `em` so that only the plugin's entities and tables are reachable (see PluginEntityManager). */
export function scopeEm(em: EntityManager, scope: Scope): PluginEntityManager {
  const known = raw.get(em);
  if (known) return em as unknown as PluginEntityManager;
  const proxy: PluginEntityManager = new Proxy(em, {
    get(target, prop, receiver) {
      if (prop === 'sql') {
        return async (query: string, params: unknown[] = []) => {
          checkSql(scope, query);
          return sql(target).all(query, params);
        };
      }
      if (prop === 'transactional') {
        return <T>(fn: (tx: PluginEntityManager) => Promise<T>) => target.transactional((tx) => fn(scopeEm(tx as EntityManager, scope)));
      }
      if (prop === 'fork') return () => scopeEm(target.fork(), scope);
      if (typeof prop === 'string' && REFUSED.has(prop)) {
        return () => outOfScope(scope, `em.${prop}() (use em.sql() for statements on your own tables)`);
      }
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      if (BY_ENTITY.has(prop)) {
        return (...args: unknown[]) => {
          const name = entityName(args[0]);
          if (!name || !scope.entities.has(name)) outOfScope(scope, `entity ${name ?? String(args[0])}`);
          return value.apply(target, args);
        };
      }
      if (BY_INSTANCE.has(prop)) {
        return (...args: unknown[]) => {
          const first = args[0];
          for (const entity of Array.isArray(first) ? first : first === undefined ? [] : [first]) {
            const name = instanceName(entity);
            if (name && !scope.entities.has(name)) outOfScope(scope, `entity ${name}`);
          }
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  }) as unknown as PluginEntityManager;
  raw.set(proxy, em);
  return proxy;
}
