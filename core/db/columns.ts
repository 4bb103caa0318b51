import { p, type EntitySchema } from '@mikro-orm/core';

/**
 * Column builders that match what `defineMigration` creates (core/db/migration.ts), so an
 * entity states its table exactly as its migration does and tests/orm-schema.test.ts can
 * check that MikroORM's metadata and the migrated schema agree on both dialects.
 */
export const col = {
  /** `t.string(name, length)`: varchar(length) on PostgreSQL, text on SQLite. */
  string: (length: number) => p.string().length(length),
  /** A 36-character id (UUID). */
  id: () => p.string().length(36),
  /** `timestamp(t, name)`: timestamptz(3) on PostgreSQL, datetime on SQLite. */
  timestamp: () => p.datetime(3),
  text: () => p.text(),
  integer: () => p.integer(),
};

/**
 * A scalar column that `references()` another table in its migration: a many-to-one mapped to
 * the referenced primary key, so the property stays the plain id (`unitId: string`) while
 * MikroORM knows the foreign key. The target is named, not imported, so entity files of
 * different modules never import each other. `onDelete` as in the migration (default NO ACTION).
 */
export function reference(target: string, column: string, onDelete: 'no action' | 'cascade' = 'no action') {
  return p
    .manyToOne(target as unknown as EntitySchema)
    .mapToPk()
    .fieldName(column)
    .index(false) // the migration indexes a reference only where it says so
    .updateRule('no action')
    .deleteRule(onDelete) as unknown as ReturnType<typeof col.id>;
}

/** As `reference`, for an integer key (calendar_days.year → calendar_years.year). */
export function integerReference(target: string, column: string) {
  return p
    .manyToOne(target as unknown as EntitySchema)
    .mapToPk()
    .fieldName(column)
    .index(false)
    .updateRule('no action')
    .deleteRule('no action') as unknown as ReturnType<typeof col.integer>;
}
