/**
 * Raw SQL on SQLite without the ORM's per-query cost (reached through `sql(em)`, core/db/sql.ts).
 *
 * MikroORM runs `em.execute(sql, params)` by inlining every parameter into the SQL text and
 * handing it to knex, which prepares the statement afresh each time. On a task completion that
 * was about a third of the server's CPU (ADR 0012). SQLite has exactly one connection (knex's
 * pool holds one), so the statements can go straight to that connection as cached prepared
 * statements with bound parameters: inside a transaction (the connection is the transaction's),
 * and outside one while the connection is idle (no transaction open on it: better-sqlite3 runs a
 * statement synchronously, so nothing interleaves and it commits on its own). Outside a
 * transaction while another request's transaction is open, the statement takes the ORM's path,
 * which waits for the pool: it must not run inside that transaction. The results keep the
 * shapes MikroORM gives (rows for `all`, first row for `get`, `{ affectedRows, insertId }` for
 * `run`), and anything unusual (`??` identifiers, array or raw-SQL parameters) takes the ORM's path.
 */

import type { EntityManager } from '@mikro-orm/knex';
import type { FastPath, SqlMethod } from './sql.ts';

export interface SqliteStatement {
  reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}

export interface SqliteConnection {
  /** better-sqlite3: a transaction is open on this connection. */
  readonly inTransaction: boolean;
  pragma(s: string): unknown;
  prepare(sql: string): SqliteStatement;
}

/** Distinct statements kept per connection: the hot paths use a few dozen. */
const CACHE_SIZE = 500;

/** A parameter the driver binds exactly as MikroORM would have inlined it, or `undefined` when it cannot. */
function bindable(value: unknown): { ok: true; value: unknown } | { ok: false } {
  if (value === null || value === undefined) return { ok: true, value: null };
  if (value instanceof Date) return { ok: true, value: value.getTime() };
  if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || Buffer.isBuffer(value))
    return { ok: true, value };
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype && !('sql' in value))
    return { ok: true, value: JSON.stringify(value) };
  return { ok: false };
}

export class SqliteFastPath implements FastPath {
  private conn: SqliteConnection | null = null;
  private readonly statements = new Map<string, SqliteStatement>();
  /** Statements run through the fast path, and those that fell back to the ORM (for tests and benchmarks). */
  readonly counts = { fast: 0, orm: 0 };
  /** Off: every statement takes the ORM's path (MOTCUA_SQLITE_FAST_PATH=0; tests compare both). */
  enabled = true;

  /** Called by the pool for its (single) connection, again if the pool ever replaces it. */
  attach(conn: SqliteConnection): void {
    this.conn = conn;
    this.statements.clear();
  }

  /** The statement's result on the connection itself, or `undefined` for the ORM's path. */
  async tryExecute(
    em: EntityManager,
    query: string,
    params: readonly unknown[],
    method: SqlMethod,
  ): Promise<{ result: unknown } | undefined> {
    // In the em's transaction the single connection is that transaction's; outside any, only while it is idle.
    if (!this.conn || (!em.isInTransaction() && this.conn.inTransaction)) return undefined;
    return this.run(query, params, method);
  }

  private run(sql: string, params: readonly unknown[], method: SqlMethod): { result: unknown } | undefined {
    if (sql.includes('??') || sql.includes('\\?')) return undefined;
    const values: unknown[] = [];
    for (const p of params) {
      const b = bindable(p);
      if (!b.ok) return undefined;
      values.push(b.value);
    }
    const statement = this.prepare(sql);
    if (statement.reader) {
      const rows = statement.all(...values) as { id?: unknown }[];
      if (method === 'all') return { result: rows };
      if (method === 'get') return { result: rows[0] };
      return { result: { insertId: rows.at(-1)?.id ?? 0, affectedRows: rows.length, row: rows[0], rows } };
    }
    const info = statement.run(...values);
    if (method === 'run') return { result: { insertId: info.lastInsertRowid, affectedRows: info.changes } };
    return { result: method === 'get' ? undefined : info };
  }

  private prepare(sql: string): SqliteStatement {
    let statement = this.statements.get(sql);
    if (statement) {
      this.statements.delete(sql);
    } else {
      statement = this.conn!.prepare(sql);
      if (this.statements.size >= CACHE_SIZE) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(sql, statement);
    return statement;
  }
}
