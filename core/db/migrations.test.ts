import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialect, type TestDatabase } from '../../tests/support/platform.ts';
import { core } from '../modules/index.ts';

const { entities: coreEntities, migrations: coreMigrations } = core;

const CORE_NAMES = coreMigrations.map((m) => m.name);
import { migrate, openDatabase, type Database } from './database.ts';

const dialect = testDialect();
const coreTables = [
  'units',
  'unit_name_history',
  'users',
  'role_assignments',
  'sessions',
  'api_tokens',
  'audit_log',
  'audit_heads',
  'settings',
];

const opened: Database[] = [];
const created: TestDatabase[] = [];

afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
  for (const t of created.splice(0)) await t.drop();
});

/** A fresh, empty database of the dialect under test (created inside the test, never in a hook). */
async function emptyDatabase(): Promise<TestDatabase> {
  const t = await createTestDatabase(dialect);
  created.push(t);
  return t;
}

async function open(t: TestDatabase): Promise<Database> {
  const db = await openDatabase(
    { dialect: t.dialect, database: t.database, logLevel: 'silent' },
    { entities: coreEntities, migrations: coreMigrations },
  );
  opened.push(db);
  return db;
}

async function tableNames(db: Database): Promise<string[]> {
  const rows =
    db.dialect === 'postgresql'
      ? await db
          .em()
          .execute<{ name: string }[]>(
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
          )
      : await db.em().execute<{ name: string }[]>("SELECT name FROM sqlite_master WHERE type = 'table'");
  return rows.map((r) => r.name);
}

async function appliedMigrations(db: Database): Promise<string[]> {
  const rows = await db.em().execute<{ name: string }[]>('SELECT name FROM schema_migrations ORDER BY id');
  return rows.map((r) => r.name);
}

describe(`migrations (${dialect})`, () => {
  it('create every core table on an empty database and record every core migration in order', async () => {
    const db = await open(await emptyDatabase());
    expect(await migrate(db)).toEqual(CORE_NAMES);
    const tables = await tableNames(db);
    for (const table of coreTables) expect(tables, table).toContain(table);
    expect(tables).toContain('schema_migrations');
    expect(await appliedMigrations(db)).toEqual(CORE_NAMES);
  });

  it('apply nothing the second time, also from a new connection', async () => {
    const t = await emptyDatabase();
    const first = await open(t);
    expect(await migrate(first)).toEqual(CORE_NAMES);
    expect(await migrate(first)).toEqual([]);
    await first.close();
    opened.splice(opened.indexOf(first), 1);
    const again = await open(t);
    expect(await migrate(again)).toEqual([]);
    expect(await appliedMigrations(again)).toEqual(CORE_NAMES);
  });

  it.runIf(dialect === 'sqlite')('open SQLite in WAL mode with synchronous FULL and foreign keys on', async () => {
    const db = await open(await emptyDatabase());
    await migrate(db);
    const [journal] = await db.em().execute<{ journal_mode: string }[]>('PRAGMA journal_mode');
    const [sync] = await db.em().execute<{ synchronous: number }[]>('PRAGMA synchronous');
    const [fk] = await db.em().execute<{ foreign_keys: number }[]>('PRAGMA foreign_keys');
    expect(journal.journal_mode).toBe('wal');
    expect(Number(sync.synchronous)).toBe(2);
    expect(Number(fk.foreign_keys)).toBe(1);
  });

  it.runIf(dialect === 'postgresql')('let two nodes migrate at once: both succeed, the migration runs once (advisory lock)', async () => {
    const t = await emptyDatabase();
    const [a, b] = await Promise.all([open(t), open(t)]);
    const results = await Promise.all([migrate(a), migrate(b)]);
    expect(results.flat()).toEqual(CORE_NAMES);
    expect(await appliedMigrations(a)).toEqual(CORE_NAMES);
    const tables = await tableNames(b);
    for (const table of coreTables) expect(tables, table).toContain(table);
  });
});
