// Direct database access for the benchmark: fresh PostgreSQL databases, and read-only queries
// (instance counts, state sizes) against the database a server is using.
import { createRequire } from 'node:module';
import pg from 'pg';

const require = createRequire(import.meta.url);

interface SqliteDb {
  prepare(sql: string): { all(...params: unknown[]): unknown[] };
  close(): void;
}
type SqliteCtor = new (file: string, options: { readonly: boolean; fileMustExist: boolean }) => SqliteDb;

export interface InstanceStats {
  byStatus: Record<string, number>;
  /** avg(length(state)) of running (waiting) instances; null when none is running. */
  avgStateChars: number | null;
}

const STATS_SQL = {
  status: 'SELECT status, COUNT(*) AS n FROM process_instances GROUP BY status',
  state: "SELECT AVG(LENGTH(state)) AS avg FROM process_instances WHERE status = 'running'",
};

function toStats(status: { status: string; n: unknown }[], state: { avg: unknown }[]): InstanceStats {
  const byStatus: Record<string, number> = {};
  for (const r of status) byStatus[r.status] = Number(r.n);
  const avg = state[0]?.avg;
  return { byStatus, avgStateChars: avg === null || avg === undefined ? null : Number(avg) };
}

export function sqliteStats(file: string): InstanceStats {
  const Database = require('better-sqlite3') as SqliteCtor;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return toStats(
      db.prepare(STATS_SQL.status).all() as { status: string; n: number }[],
      db.prepare(STATS_SQL.state).all() as { avg: number }[],
    );
  } finally {
    db.close();
  }
}

export async function pgStats(url: string): Promise<InstanceStats> {
  return withPg(url, async (c) => toStats((await c.query(STATS_SQL.status)).rows, (await c.query(STATS_SQL.state)).rows));
}

async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, statement_timeout: 60_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function pgUrlFor(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Is PostgreSQL reachable at the admin URL? Returns the reason when not. */
export async function pgProbe(adminUrl: string): Promise<string | null> {
  try {
    await withPg(adminUrl, (c) => c.query('SELECT 1'));
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Creates an empty database (dropping a leftover of the same name) and returns its URL. */
export async function createPgDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^bench_[a-z0-9_]+$/.test(name)) throw new Error(`refusing database name ${name}`);
  await withPg(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  return pgUrlFor(adminUrl, name);
}

export async function dropPgDatabase(adminUrl: string, name: string): Promise<void> {
  if (!/^bench_[a-z0-9_]+$/.test(name)) throw new Error(`refusing database name ${name}`);
  await withPg(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

export interface PgActivity {
  samples: number;
  /** Average number of our database's backends in each state at a sample. */
  active: number;
  waitingOnLock: number;
  idleInTransaction: number;
  /** The lock waits, by what the waiting backend was running (first 60 characters). */
  lockQueries: Record<string, number>;
}

/** Samples pg_stat_activity of one database every `everyMs` until stopped (from its own connection). */
export async function samplePgActivity(adminUrl: string, database: string, everyMs = 100): Promise<() => Promise<PgActivity>> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  const acc: PgActivity = { samples: 0, active: 0, waitingOnLock: 0, idleInTransaction: 0, lockQueries: {} };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await client.query<{ state: string | null; wait_event_type: string | null; query: string }>(
        'SELECT state, wait_event_type, query FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database],
      );
      acc.samples++;
      for (const r of rows) {
        if (r.state === 'active') acc.active++;
        if (r.state === 'idle in transaction') acc.idleInTransaction++;
        if (r.wait_event_type === 'Lock') {
          acc.waitingOnLock++;
          const q = r.query.replace(/\s+/g, ' ').slice(0, 60);
          acc.lockQueries[q] = (acc.lockQueries[q] ?? 0) + 1;
        }
      }
      await new Promise((res) => setTimeout(res, everyMs));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    await client.end();
    const n = Math.max(1, acc.samples);
    return { ...acc, active: acc.active / n, waitingOnLock: acc.waitingOnLock / n, idleInTransaction: acc.idleInTransaction / n };
  };
}
