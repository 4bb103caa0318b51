// Every table the migrations create has an entity, and MikroORM's metadata matches the
// migrated schema (issue 14, point 6): the schema generator finds nothing to change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseSchema, SchemaComparator, type EntityManager } from '@mikro-orm/knex';
import { migrate, openDatabase, type Database } from '../core/db/database.ts';
import { core } from '../core/modules/index.ts';
import { engineEntities } from '../core/engine/entities.ts';
import { createTestDatabase, type TestDatabase } from './support/platform.ts';

let tdb: TestDatabase;
let db: Database;
// engine/module.ts registers the engine's entities once it is rewired; counted here either way.
const entities = [...new Set([...core.entities, ...engineEntities])];

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = await openDatabase({ dialect: tdb.dialect, database: tdb.database, logLevel: 'silent' }, { entities, migrations: core.migrations });
  await migrate(db);
}, 60_000);

afterAll(async () => {
  await db?.close();
  await tdb?.drop();
});

/**
 * The migrated schema as MikroORM reads it, with what SQLite reports differently from what it
 * means set right (PostgreSQL needs none of this):
 * - knex writes a text primary key without NOT NULL, and SQLite's introspection then reports the
 *   column nullable (SQLite's legacy rule lets a non-integer primary key hold NULL; no code of
 *   ours ever writes one, and an entity cannot declare a nullable primary key);
 * - knex quotes numeric defaults (`default '1'`), which INTEGER affinity stores as the number 1,
 *   and writes a boolean's default as '0' or '1';
 * - MikroORM's SQLite introspection keys foreign keys by column, while its comparator looks them
 *   up by constraint name, so every foreign key would look dropped and re-added.
 */
async function migratedSchema(em: EntityManager): Promise<DatabaseSchema> {
  const schema = await DatabaseSchema.create(em.getConnection(), em.getPlatform(), db.orm.config);
  if (db.dialect !== 'sqlite') return schema;
  for (const table of schema.getTables()) {
    const pk = table.getPrimaryKey()?.columnNames ?? [];
    for (const column of table.getColumns()) {
      if (pk.includes(column.name)) column.nullable = false;
      if (typeof column.default === 'string' && /^'-?\d+'$/.test(column.default)) column.default = column.default.slice(1, -1);
      if (/bool/i.test(column.type) && (column.default === '0' || column.default === '1')) column.default = String(column.default === '1');
    }
    const fks = table.getForeignKeys();
    for (const [key, fk] of Object.entries(fks)) {
      delete fks[key];
      fks[fk.constraintName] = fk;
    }
  }
  return schema;
}

describe('entities and migrations', () => {
  it('every table a core migration creates has exactly one entity', () => {
    const tables = core.tables.filter((t) => t !== 'schema_migrations');
    const mapped = entities.map((e) => e.meta.tableName ?? e.meta.collection);
    expect([...mapped].sort()).toEqual([...tables].sort());
  });

  it("MikroORM's metadata matches the migrated schema: the schema generator has nothing to change", async () => {
    const em = db.orm.em as unknown as EntityManager;
    const generator = db.orm.getSchemaGenerator() as unknown as { getTargetSchema(): DatabaseSchema };
    const diff = new SchemaComparator(em.getPlatform()).compare(await migratedSchema(em), generator.getTargetSchema());
    // The jobs module comes before the engine (the engine requires it), so its entity keeps
    // the two foreign keys into the engine's tables as plain columns (core/jobs/entities.ts).
    const jobs = diff.changedTables.jobs ?? diff.changedTables['public.jobs'];
    expect(Object.keys(jobs?.removedForeignKeys ?? {}).sort()).toEqual(['jobs_definition_id_foreign', 'jobs_instance_id_foreign']);
    if (jobs) jobs.removedForeignKeys = {};
    const changes = Object.entries(diff.changedTables)
      .filter(
        ([, t]) =>
          t !== jobs ||
          Object.keys(t.changedColumns).length + Object.keys(t.addedIndexes).length + Object.keys(t.removedIndexes).length > 0,
      )
      .map(([name, t]) => ({
        name,
        columns: [...Object.keys(t.addedColumns), ...Object.keys(t.removedColumns), ...Object.keys(t.changedColumns)],
        indexes: [...Object.keys(t.addedIndexes), ...Object.keys(t.removedIndexes), ...Object.keys(t.changedIndexes)],
        foreignKeys: [...Object.keys(t.addedForeignKeys), ...Object.keys(t.removedForeignKeys), ...Object.keys(t.changedForeignKeys)],
        checks: [...Object.keys(t.addedChecks), ...Object.keys(t.removedChecks), ...Object.keys(t.changedChecks)],
      }));
    expect(changes).toEqual([]);
    expect(Object.keys(diff.newTables)).toEqual([]);
    expect(Object.keys(diff.removedTables)).toEqual([]);
    if (db.dialect === 'postgresql') {
      const sql = (await db.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false })).trim().split(/;\s*/).filter(Boolean);
      expect(sql).toEqual([
        'alter table "jobs" drop constraint "jobs_definition_id_foreign"',
        'alter table "jobs" drop constraint "jobs_instance_id_foreign"',
      ]);
    }
  });
});
