// Bulk loading of generated rows for the dossiers benchmark (issue 15, Benchmark): a million
// dossiers with their words and name pairs must load within one benchmark command.
//
// Profiling the old load (400 rows per multi-row INSERT through the platform's connection) showed
// the time in the database, not in generating rows: maintaining a dozen secondary B-trees on
// random keys row by row, and one durable commit per 400 dossiers. So, as a restore does:
// - the secondary indexes of the loaded tables are read from the database's own catalogue
//   (sqlite_master; pg_index and pg_constraint on PostgreSQL), dropped, and recreated from those
//   very definitions after the load (sorted builds), then ANALYZE; nothing is hand-copied from
//   the migrations, so the indexes searched are exactly the migrated ones;
// - PostgreSQL: the load's own connection, one `INSERT … SELECT * FROM unnest($1::type[], …)`
//   per batch (column types from pg_attribute), `synchronous_commit = off`; primary keys,
//   unique and foreign-key constraints of (and onto) the loaded tables are dropped and added back
//   afterwards, which checks every one of them over the loaded rows;
// - SQLite: the load's own connection to the file, `synchronous = OFF`, a 1 GiB page cache, large
//   transactions, statements prepared once. Foreign keys stay checked while loading (the
//   primary-key indexes of a rowid table cannot be dropped; they are the parents' lookups).
// The platform's own connections see the rows once committed; its settings are not touched.
import { createRequire } from 'node:module';
import pg from 'pg';
import type { Platform } from '../../core/boot.ts';

const require = createRequire(import.meta.url);

export interface BulkLoader {
  /** Writes rows of `table` (values in `columns` order, Date and boolean as the platform binds them). */
  insert(table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void>;
}

export interface BulkReport {
  /** Seconds generating and inserting (indexes dropped), then rebuilding indexes and constraints, then ANALYZE. */
  insertSeconds: number;
  indexSeconds: number;
  analyzeSeconds: number;
  /** Indexes and constraints dropped and recreated. */
  rebuilt: number;
}

const since = (t0: number) => (performance.now() - t0) / 1000;

/** Runs `fill` with the secondary indexes of `tables` dropped, then recreates them and analyses. */
export async function bulkLoad(p: Platform, tables: readonly string[], fill: (load: BulkLoader) => Promise<void>): Promise<BulkReport> {
  const { config } = p.services;
  return config.dialect === 'postgresql' ? pgLoad(config.database, tables, fill) : sqliteLoad(config.database, tables, fill);
}

/** The catalogue after the rebuild must read exactly as before the load: nothing lost or changed. */
function sameCatalogue(before: readonly object[], after: readonly object[]): void {
  const [b, a] = [JSON.stringify(before), JSON.stringify(after)];
  if (a !== b) throw new Error(`bulk load: indexes differ after the rebuild\nbefore: ${b}\nafter:  ${a}`);
}

// ── SQLite ───────────────────────────────────────────────────────────────────────────────

interface SqliteStatement {
  run(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
interface SqliteDb {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  pragma(s: string): unknown;
  close(): void;
}
type SqliteCtor = new (file: string, options: { fileMustExist: boolean }) => SqliteDb;

/** better-sqlite3's limit of bound parameters per statement (SQLITE_MAX_VARIABLE_NUMBER) is 32,766. */
const SQLITE_PARAMS = 32_000;
/** Rows per transaction: few commits, a bounded WAL. */
const SQLITE_COMMIT_ROWS = 200_000;

/** As the platform's SQLite fast path binds (core/db/sqlite-fast-path.ts): Date as epoch ms, boolean as 0/1. */
const sqliteValue = (v: unknown) => (v instanceof Date ? v.getTime() : typeof v === 'boolean' ? (v ? 1 : 0) : v);

async function sqliteLoad(file: string, tables: readonly string[], fill: (load: BulkLoader) => Promise<void>): Promise<BulkReport> {
  const Database = require('better-sqlite3') as SqliteCtor;
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1048576');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const catalogue = () =>
      db
        .prepare(
          `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${tables.map(() => '?').join(', ')}) ORDER BY name`,
        )
        .all(...tables) as { name: string; sql: string }[];
    const indexes = catalogue();
    db.exec('BEGIN');
    for (const ix of indexes) db.exec(`DROP INDEX "${ix.name}"`);
    db.exec('COMMIT');

    const t0 = performance.now();
    const statements = new Map<string, SqliteStatement>();
    let pending = 0;
    db.exec('BEGIN');
    await fill({
      // eslint-disable-next-line @typescript-eslint/require-await
      async insert(table, columns, rows) {
        const per = Math.max(1, Math.floor(SQLITE_PARAMS / columns.length));
        for (let at = 0; at < rows.length; at += per) {
          const chunk = rows.slice(at, at + per);
          const key = `${table}(${columns.join(',')})×${chunk.length}`;
          let st = statements.get(key);
          if (!st) {
            const row = `(${columns.map(() => '?').join(', ')})`;
            st = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => row).join(', ')}`);
            statements.set(key, st);
          }
          const params: unknown[] = [];
          for (const r of chunk) for (const v of r) params.push(sqliteValue(v));
          st.run(...params);
        }
        pending += rows.length;
        if (pending >= SQLITE_COMMIT_ROWS) {
          db.exec('COMMIT');
          db.exec('BEGIN');
          pending = 0;
        }
      },
    });
    db.exec('COMMIT');
    const insertSeconds = since(t0);

    const t1 = performance.now();
    db.exec('BEGIN');
    for (const ix of indexes) db.exec(ix.sql);
    db.exec('COMMIT');
    sameCatalogue(indexes, catalogue());
    const indexSeconds = since(t1);
    const t2 = performance.now();
    db.exec('ANALYZE');
    return { insertSeconds, indexSeconds, analyzeSeconds: since(t2), rebuilt: indexes.length };
  } finally {
    db.close();
  }
}

// ── PostgreSQL ───────────────────────────────────────────────────────────────────────────

async function pgLoad(url: string, tables: readonly string[], fill: (load: BulkLoader) => Promise<void>): Promise<BulkReport> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SET synchronous_commit = off');
    await client.query("SET maintenance_work_mem = '256MB'");
    const regclasses = [...tables];
    // Plain indexes: those no constraint of their table owns.
    const plainIndexes = async () =>
      (
        await client.query<{ name: string; def: string }>(
          `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
           FROM pg_index i
          WHERE i.indrelid = ANY($1::regclass[])
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid)
          ORDER BY 1`,
          [regclasses],
        )
      ).rows;
    // Primary keys, unique and foreign keys of the tables, and foreign keys onto them from elsewhere.
    const allConstraints = async () =>
      (
        await client.query<{ tbl: string; name: string; kind: string; def: string }>(
          `SELECT conrelid::regclass::text AS tbl, quote_ident(conname) AS name, contype AS kind, pg_get_constraintdef(oid) AS def
           FROM pg_constraint
          WHERE (conrelid = ANY($1::regclass[]) AND contype IN ('p', 'u', 'f'))
             OR (contype = 'f' AND confrelid = ANY($1::regclass[]))
          ORDER BY 1, 2`,
          [regclasses],
        )
      ).rows;
    const indexes = await plainIndexes();
    const constraints = await allConstraints();
    const foreign = constraints.filter((c) => c.kind === 'f');
    const keys = constraints.filter((c) => c.kind !== 'f');
    await client.query('BEGIN');
    for (const c of foreign) await client.query(`ALTER TABLE ${c.tbl} DROP CONSTRAINT ${c.name}`);
    for (const c of keys) await client.query(`ALTER TABLE ${c.tbl} DROP CONSTRAINT ${c.name}`);
    for (const ix of indexes) await client.query(`DROP INDEX ${ix.name}`);
    await client.query('COMMIT');

    const types = new Map<string, Map<string, string>>();
    const typesOf = async (table: string) => {
      let t = types.get(table);
      if (!t) {
        const { rows } = await client.query<{ name: string; type: string }>(
          'SELECT attname AS name, format_type(atttypid, NULL) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped',
          [table],
        );
        types.set(table, (t = new Map(rows.map((r) => [r.name, r.type]))));
      }
      return t;
    };
    const t0 = performance.now();
    await fill({
      async insert(table, columns, rows) {
        if (!rows.length) return;
        const t = await typesOf(table);
        const casts = columns.map((c, i) => {
          const type = t.get(c);
          if (!type) throw new Error(`bulk load: ${table} has no column ${c}`);
          return `$${i + 1}::${type}[]`;
        });
        const arrays = columns.map((_, i) => rows.map((r) => r[i]));
        await client.query(`INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${casts.join(', ')})`, arrays);
      },
    });
    const insertSeconds = since(t0);

    const t1 = performance.now();
    await client.query('BEGIN');
    for (const c of keys) await client.query(`ALTER TABLE ${c.tbl} ADD CONSTRAINT ${c.name} ${c.def}`);
    for (const ix of indexes) await client.query(ix.def);
    for (const c of foreign) await client.query(`ALTER TABLE ${c.tbl} ADD CONSTRAINT ${c.name} ${c.def}`);
    await client.query('COMMIT');
    sameCatalogue(indexes, await plainIndexes());
    sameCatalogue(constraints, await allConstraints());
    const indexSeconds = since(t1);
    const t2 = performance.now();
    // VACUUM too: rows that arrive over two years are vacuumed by autovacuum long before a search
    // reads them; a bulk load's are not yet, and without the visibility map every index-only scan
    // (the name pairs' count, the inbox's task index) would visit the heap.
    await client.query(`VACUUM (ANALYZE) ${tables.join(', ')}`);
    return { insertSeconds, indexSeconds, analyzeSeconds: since(t2), rebuilt: indexes.length + constraints.length };
  } finally {
    await client.end();
  }
}
