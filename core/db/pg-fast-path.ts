/**
 * Raw SQL inside a transaction on PostgreSQL without knex's per-query machinery.
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

type Execute = (
  query: unknown,
  params?: unknown[],
  method?: 'all' | 'get' | 'run',
  ctx?: unknown,
  loggerContext?: unknown,
) => Promise<unknown>;

interface OrmConnection {
  execute: Execute;
  getPlatform(): { formatQuery(sql: string, params: readonly unknown[]): string };
}

/** MikroORM's PostgreSqlConnection.transformRawResult, for one result. */
function shape(res: PgResult, method: 'all' | 'get' | 'run'): unknown {
  if (method === 'get') return res.rows[0];
  if (method === 'all') return res.rows;
  return { affectedRows: res.rowCount, insertId: res.rows[0] ? res.rows[0].id : 0, row: res.rows[0], rows: res.rows };
}

export class PgFastPath {
  /** Statements run through the fast path, and those that fell back to the ORM (for tests and benchmarks). */
  readonly counts = { fast: 0, orm: 0 };
  /** Off: every statement takes the ORM's path (MOTCUA_PG_FAST_PATH=0; tests compare both). */
  enabled = true;

  install(connection: OrmConnection): void {
    const orm = connection.execute.bind(connection);
    const platform = connection.getPlatform();
    connection.execute = async (query, params = [], method = 'all', ctx, loggerContext) => {
      const trx = ctx as KnexTransaction | undefined;
      if (
        this.enabled &&
        trx?.client?.acquireConnection &&
        !trx.isCompleted?.() &&
        typeof query === 'string' &&
        !query.includes('??') &&
        !query.includes('\\?')
      ) {
        const conn = await trx.client.acquireConnection();
        this.counts.fast++;
        const res = await conn.query(params.length ? platform.formatQuery(query, params) : query);
        return Array.isArray(res) ? res.map((r) => shape(r, method)) : shape(res, method);
      }
      this.counts.orm++;
      return orm(query, params, method, ctx, loggerContext);
    };
  }
}
