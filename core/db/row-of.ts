/**
 * A row as raw SQL reads it (`SELECT *`, snake_case columns), derived from the
 * entity so that a column added to the entity appears here: strings and numbers as they are,
 * references as their id, timestamps as `unknown` (SQLite returns text or numbers, PostgreSQL
 * a Date: read them with `toDate`), nullability kept.
 */
export type RowOf<E> = { -readonly [K in keyof E & string as SnakeCase<K>]: Column<E[K]> };
type SnakeCase<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeCase<T>}`
  : S;
type Column<T> = T extends Date
  ? unknown
  : T extends string
    ? string
    : T extends number
      ? number
      : T extends boolean
        ? boolean
        : T extends null
          ? null
          : T extends undefined
            ? never
            : T extends object
              ? string
              : T;
