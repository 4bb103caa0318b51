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
