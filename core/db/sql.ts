/**
 * Raw SQL in core: `sql(em).all<Row>(query, params)`, `.get<Row>()`, `.run()` (ADR 0012).
 *
 * Every raw statement in core goes through here, so the dialect's fast path is taken where it can
 * be (SQLite: cached prepared statements on the single connection; PostgreSQL: the transaction's
 * own pg client) and MikroORM's public `em.execute` everywhere else. The fast path is found
 * through public APIs only: `em.getConnection()` names the database (`openDatabase` registers
 * its fast path for that connection here), `em.getTransactionContext()` gives the transaction's
 * knex client, and errors go through `em.getDriver().convertException` as `em.execute`'s do.
 * No library object is patched: `em.execute` itself stays MikroORM's and always takes its path.
 */
import type { EntityManager } from '@mikro-orm/knex';

export type SqlMethod = 'all' | 'get' | 'run';

/** What a `run` gives, on both dialects (MikroORM's shape of `em.execute(…, 'run')`). */
export interface RunResult {
  affectedRows: number;
  insertId: number | bigint | string;
}

/** A dialect's fast path: the statement's result, or `undefined` when it must take the ORM's path. */
export interface FastPath {
  /** Statements run through the fast path, and those that fell back to the ORM (for tests and benchmarks). */
  readonly counts: { fast: number; orm: number };
  enabled: boolean;
  tryExecute(em: EntityManager, query: string, params: readonly unknown[], method: SqlMethod): Promise<{ result: unknown } | undefined>;
}

const paths = new WeakMap<object, FastPath>();
/** Who is told of each statement a fast path ran, by fast path (statement-counter.ts). */
const observers = new WeakMap<FastPath, Set<(query: string) => void>>();

/** Called by `openDatabase`: statements on this ORM connection may take `path`. */
export function registerFastPath(connection: object, path: FastPath): void {
  paths.set(connection, path);
}

/**
 * Calls `listener` with the SQL of every statement `sql(em)` sends down the fast path registered
 * for `connection` (those bypass knex, so its `query` event never sees them; statements that take
 * the ORM's path do reach it). Returns the function that stops it.
 */
export function observeFastPath(connection: object, listener: (query: string) => void): () => void {
  const path = paths.get(connection);
  if (!path) return () => {};
  let set = observers.get(path);
  if (!set) observers.set(path, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

async function execute(em: EntityManager, query: string, params: readonly unknown[], method: SqlMethod): Promise<unknown> {
  const path = paths.get(em.getConnection());
  if (path?.enabled) {
    let fast: { result: unknown } | undefined;
    try {
      fast = await path.tryExecute(em, query, params, method);
    } catch (e) {
      throw em.getDriver().convertException(e as Error);
    }
    if (fast) {
      path.counts.fast++;
      const told = observers.get(path);
      if (told) for (const listener of told) listener(query);
      return fast.result;
    }
  }
  if (path) path.counts.orm++;
  return em.execute(query, params as unknown[], method);
}

export interface SqlExecutor {
  /** All rows. */
  all<T = Record<string, unknown>>(query: string, params?: readonly unknown[]): Promise<T[]>;
  /** The first row, or `undefined`. */
  get<T = Record<string, unknown>>(query: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** A write: rows affected and the insert id. */
  run(query: string, params?: readonly unknown[]): Promise<RunResult>;
}

/** Raw SQL on `em` (inside its transaction when it has one). */
export function sql(em: EntityManager): SqlExecutor {
  return {
    all: <T>(query: string, params: readonly unknown[] = []) => execute(em, query, params, 'all') as Promise<T[]>,
    get: <T>(query: string, params: readonly unknown[] = []) => execute(em, query, params, 'get') as Promise<T | undefined>,
    run: (query: string, params: readonly unknown[] = []) => execute(em, query, params, 'run') as Promise<RunResult>,
  };
}
