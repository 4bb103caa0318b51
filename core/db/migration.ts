import { Migration } from '@mikro-orm/migrations';
import type { Knex } from '@mikro-orm/knex';
import type { Constructor } from '@mikro-orm/core';
import type { Dialect } from '../config.ts';

export interface MigrationContext {
  knex: Knex;
  dialect: Dialect;
}

/** A named migration as the migrator takes it. Names are `<module>_<NNNN>_<what>` and never change. */
export interface NamedMigration {
  name: string;
  class: Constructor<Migration>;
  /** Tables the migration creates, read from its builder calls (so owners need not list them). */
  tables?: string[];
}

type Up = (schema: Knex.SchemaBuilder, ctx: MigrationContext) => Knex.SchemaBuilder | void;

/**
 * The tables a migration creates, found by running its `up` against a recorder instead of
 * knex: `createTable(name)` is noted, every other call (columns, indexes, raw SQL) does nothing.
 */
export function tablesCreatedBy(up: Up): string[] {
  const created: string[] = [];
  const recorder: unknown = new Proxy(function recorder() {}, {
    get: (_target, prop) => {
      if (prop === 'createTable' || prop === 'createTableIfNotExists') {
        return (name: string) => {
          created.push(name);
          return recorder;
        };
      }
      if (prop === 'then') return undefined; // never a thenable
      return () => recorder;
    },
    apply: () => recorder,
  });
  up(recorder as Knex.SchemaBuilder, { knex: recorder as Knex, dialect: 'sqlite' });
  return created;
}

/**
 * Declares a dialect-portable migration with knex's schema builder, so one migration
 * serves SQLite and PostgreSQL alike. The builder's statements run in the migrator's transaction.
 */
export function defineMigration(name: string, up: Up): NamedMigration {
  class DefinedMigration extends Migration {
    override up(): void {
      const knex = this.getKnex();
      const dialect: Dialect = this.config.get('driver')?.name === 'PostgreSqlDriver' ? 'postgresql' : 'sqlite';
      const builder = up(knex.schema, { knex, dialect }) ?? knex.schema;
      for (const statement of builder.toSQL() as unknown as { sql: string }[]) {
        if (statement.sql) this.addSql(statement.sql);
      }
    }
  }
  Object.defineProperty(DefinedMigration, 'name', { value: name });
  return { name, class: DefinedMigration as unknown as NamedMigration['class'], tables: tablesCreatedBy(up) };
}

/** Helper for the recurring timestamp column: timestamptz on PostgreSQL, datetime on SQLite. */
export function timestamp(t: Knex.CreateTableBuilder, column: string) {
  return t.timestamp(column, { useTz: true, precision: 3 });
}

/*
 * The schema builder plugins write migrations with: our own small types, no knex type in them
 * (knex's types are not part of the plugin API; MikroORM 7 drops knex). At run time the calls go
 * to knex's schema builder, which accepts exactly these, so a migration written against the
 * narrow types produces the same SQL on SQLite and PostgreSQL as before.
 */

/** A column being declared: chain its modifiers. */
export interface ColumnBuilder {
  primary(): ColumnBuilder;
  notNullable(): ColumnBuilder;
  nullable(): ColumnBuilder;
  unique(): ColumnBuilder;
  index(): ColumnBuilder;
  defaultTo(value: string | number | boolean | null): ColumnBuilder;
}

/** The columns and keys of one table (`createTable` / `alterTable`). */
export interface TableBuilder {
  string(name: string, length?: number): ColumnBuilder;
  text(name: string): ColumnBuilder;
  integer(name: string): ColumnBuilder;
  bigInteger(name: string): ColumnBuilder;
  boolean(name: string): ColumnBuilder;
  decimal(name: string, precision?: number, scale?: number): ColumnBuilder;
  date(name: string): ColumnBuilder;
  timestamp(name: string, options: { useTz: true; precision: 3 }): ColumnBuilder;
  primary(columns: string[]): TableBuilder;
  unique(columns: string[]): TableBuilder;
  index(columns: string[]): TableBuilder;
  dropColumn(name: string): TableBuilder;
}

/** What a plugin migration may do: create, alter and drop its own tables (`<id>_…`, checked at boot). */
export interface SchemaBuilder {
  createTable(name: string, build: (t: TableBuilder) => void): SchemaBuilder;
  alterTable(name: string, build: (t: TableBuilder) => void): SchemaBuilder;
  dropTable(name: string): SchemaBuilder;
}

export type PortableUp = (schema: SchemaBuilder, ctx: { dialect: Dialect }) => SchemaBuilder | void;

/** `defineMigration` of the plugin API: the same migration, typed with the builder above (no raw SQL, no knex). */
export function definePortableMigration(name: string, up: PortableUp): NamedMigration {
  return defineMigration(
    name,
    (schema, { dialect }) => up(schema as unknown as SchemaBuilder, { dialect }) as unknown as Knex.SchemaBuilder,
  );
}

/** The recurring timestamp column of the plugin API: timestamptz on PostgreSQL, datetime on SQLite. */
export function portableTimestamp(t: TableBuilder, column: string): ColumnBuilder {
  return t.timestamp(column, { useTz: true, precision: 3 });
}
