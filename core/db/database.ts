import { MikroORM, type EntitySchema, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import type { EntityManager } from '@mikro-orm/knex';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AppConfig, Dialect } from '../config.ts';
import type { NamedMigration } from './migration.ts';
import { SqliteFastPath, type SqliteConnection } from './sqlite-fast-path.ts';
import { PgFastPath } from './pg-fast-path.ts';
import { registerFastPath } from './sql.ts';

export interface DatabaseModules {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  entities: EntitySchema<any, any>[];
  /** In the order they must run: core first, then each plugin's in dependency order. */
  migrations: NamedMigration[];
}

export interface Database {
  orm: MikroORM;
  dialect: Dialect;
  /** A fresh, request-scoped entity manager. */
  em(): EntityManager;
  close(): Promise<void>;
  /** SQLite only: raw SQL through `sql(em)` as cached prepared statements (sqlite-fast-path.ts). */
  fastPath?: SqliteFastPath;
  /** PostgreSQL only: raw SQL through `sql(em)` in transactions straight to the transaction's connection (pg-fast-path.ts). */
  pgFastPath?: PgFastPath;
}

const MIGRATION_LOCK_KEY = 7_100_000_001; // pg advisory lock id held while migrating

export async function openDatabase(
  config: Pick<AppConfig, 'dialect' | 'database' | 'logLevel'>,
  modules: DatabaseModules,
): Promise<Database> {
  const common: Partial<Options> = {
    entities: modules.entities,
    extensions: [Migrator],
    debug: config.logLevel === 'debug',
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: false },
    migrations: {
      migrationsList: modules.migrations,
      tableName: 'schema_migrations',
      transactional: true,
      allOrNothing: true,
      silent: true,
      snapshot: false,
    },
  };
  let orm: MikroORM;
  let fastPath: SqliteFastPath | undefined;
  let pgFastPath: PgFastPath | undefined;
  if (config.dialect === 'postgresql') {
    const { PostgreSqlDriver } = await import('@mikro-orm/postgresql');
    // ensureDatabase off: a mistyped DATABASE_URL must fail, not create an empty database and
    // seed a new first admin into it. Operators create the database (README: `createdb motcua`).
    orm = await MikroORM.init({
      ...common,
      driver: PostgreSqlDriver,
      clientUrl: config.database,
      pool: { min: 0, max: 10 },
      ensureDatabase: false,
    } as Options);
  } else {
    const { BetterSqliteDriver } = await import('@mikro-orm/better-sqlite');
    if (config.database !== ':memory:') mkdirSync(dirname(config.database), { recursive: true });
    fastPath = new SqliteFastPath();
    const attach = fastPath;
    orm = await MikroORM.init({
      ...common,
      driver: BetterSqliteDriver,
      dbName: config.database,
      pool: {
        afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) {
          attach.attach(conn);
          // Losing a committed dossier is not acceptable: WAL for concurrency, FULL for durability.
          conn.pragma('journal_mode = WAL');
          conn.pragma('synchronous = FULL');
          conn.pragma('foreign_keys = ON');
          conn.pragma('busy_timeout = 5000');
          done(null, conn);
        },
      },
    } as Options);
  }
  if (fastPath) fastPath.enabled = process.env.MOTCUA_SQLITE_FAST_PATH !== '0';
  if (config.dialect === 'postgresql') {
    pgFastPath = new PgFastPath();
    pgFastPath.enabled = process.env.MOTCUA_PG_FAST_PATH !== '0';
  }
  // `sql(em)` finds the fast path by the em's connection; nothing of MikroORM's is replaced.
  const path = fastPath ?? pgFastPath;
  if (path) registerFastPath(orm.em.getConnection(), path);
  return {
    orm,
    fastPath,
    pgFastPath,
    dialect: config.dialect,
    em: () => orm.em.fork() as EntityManager,
    close: () => orm.close(true),
  };
}

/** Applies pending migrations. On PostgreSQL an advisory lock lets several nodes start at once. */
export async function migrate(db: Database): Promise<string[]> {
  const migrator = db.orm.getMigrator();
  if (db.dialect !== 'postgresql') {
    return (await migrator.up()).map((m) => m.name);
  }
  const knex = (db.orm.em as EntityManager).getKnex();
  const conn = await knex.client.acquireConnection();
  let locked = false;
  try {
    await conn.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    locked = true;
    // Pending migrations are read only now, under the lock: a node that waited sees what the other applied.
    return (await migrator.up()).map((m) => m.name);
  } finally {
    try {
      if (locked) await conn.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    } finally {
      await knex.client.releaseConnection(conn);
    }
  }
}
