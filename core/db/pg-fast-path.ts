/**
 * Raw SQL inside a transaction on PostgreSQL without knex's per-query machinery (reached through
 * `sql(em)`, core/db/sql.ts).
 *
 * MikroORM runs `em.execute(sql, params)` by inlining every parameter into the SQL text
 * (`platform.formatQuery`) and handing it to knex, whose runner, transaction-client wrapper and
 * query events cost more than the round trip's own work. Inside a transaction the statement can
 * go straight to the transaction's connection: the very SQL text MikroORM would have sent (same
 * formatting, same simple-query protocol, same result shapes), so the two paths cannot differ in
 * what the database sees. Errors still reach the driver's exception converter (MikroORM
 * converts them one level up). Anything unusual — no transaction, a finished one, `??`
 * identifiers, knex builders — takes the ORM's path. ADR 0012.
 */

import type { EntityManager } from '@mikro-orm/knex';
import type { FastPath, SqlMethod } from './sql.ts';

interface PgResult {
  rows: Record<string, unknown>[];
  rowCount: number | null;
}

interface PgConnection {
  query(text: string): Promise<PgResult | PgResult[]>;
}

interface KnexTransaction {
  isCompleted?(): boolean;
  client?: { acquireConnection?(): Promise<PgConnection> };
}

/** MikroORM's PostgreSqlConnection.transformRawResult, for one result. */
function shape(res: PgResult, method: SqlMethod): unknown {
  if (method === 'get') return res.rows[0];
  if (method === 'all') return res.rows;
  return { affectedRows: res.rowCount, insertId: res.rows[0] ? res.rows[0].id : 0, row: res.rows[0], rows: res.rows };
}

export class PgFastPath implements FastPath {
  /** Statements run through the fast path, and those that fell back to the ORM (for tests and benchmarks). */
  readonly counts = { fast: 0, orm: 0 };
  /** Off: every statement takes the ORM's path (MOTCUA_PG_FAST_PATH=0; tests compare both). */
  enabled = true;

  /** The statement's result from the em's transaction's own pg client, or `undefined` for the ORM's path. */
  async tryExecute(
    em: EntityManager,
    query: string,
    params: readonly unknown[],
    method: SqlMethod,
  ): Promise<{ result: unknown } | undefined> {
    const trx = em.getTransactionContext<KnexTransaction>();
    if (!trx?.client?.acquireConnection || trx.isCompleted?.() || query.includes('??') || query.includes('\\?')) return undefined;
    const conn = await trx.client.acquireConnection();
    const res = await conn.query(params.length ? em.getPlatform().formatQuery(query, params as unknown[]) : query);
    return { result: Array.isArray(res) ? res.map((r) => shape(r, method)) : shape(res, method) };
  }
}
