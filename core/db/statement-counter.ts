/**
 * Counts every statement one database receives, by kind (SELECT, INSERT, BEGIN, COMMIT, …), for
 * benchmarks and tests (bench/statements.bench.ts).
 *
 * Two public hooks see all of them between them: knex's `query` event on MikroORM's knex instance
 * (`em.getKnex()`) fires for every statement MikroORM runs — entity queries, query builders,
 * `em.execute`, the BEGIN / COMMIT / SAVEPOINT / ROLLBACK of `em.transactional`, and the `sql(em)`
 * statements that take the ORM's path — whether in a transaction or not; and `observeFastPath`
 * (sql.ts) reports the `sql(em)` statements a dialect's fast path sends past knex. Nothing of the
 * library is replaced, and a statement reaches exactly one of the two.
 */
import type { EntityManager } from '@mikro-orm/knex';
import type { MikroORM } from '@mikro-orm/core';
import { observeFastPath } from './sql.ts';

export interface StatementCounts {
  total: number;
  /** By the statement's first keyword, upper-case: `SELECT`, `INSERT`, `BEGIN`, `SAVEPOINT`, `RELEASE`, … */
  byKind: Record<string, number>;
  /** Of `total`: statements `sql(em)` sent down the fast path. */
  fastPath: number;
}

export interface StatementCounter {
  /** The counts since the counter started or was last reset. */
  read(): StatementCounts;
  reset(): void;
  stop(): void;
}

/** The first keyword of a statement, upper-case, comments and a leading `(` skipped (`"BEGIN;"` → `BEGIN`). */
export function statementKind(query: string): string {
  const text = query.replace(/^(\s|--[^\n]*\n?|\/\*[\s\S]*?\*\/|\()*/, '');
  const word = /^[A-Za-z]+/.exec(text);
  return word ? word[0].toUpperCase() : '(other)';
}

/** Starts counting the statements `orm`'s database receives; `onStatement` sees each one as it is counted. */
export function countStatements(orm: MikroORM, onStatement?: (query: string, fastPath: boolean) => void): StatementCounter {
  let counts: StatementCounts = { total: 0, byKind: {}, fastPath: 0 };
  const add = (query: string, fast: boolean) => {
    const kind = statementKind(query);
    counts.total++;
    counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
    if (fast) counts.fastPath++;
    onStatement?.(query, fast);
  };
  const knex = (orm.em as EntityManager).getKnex();
  const onQuery = (q: { sql?: string }) => add(q.sql ?? '', false);
  knex.on('query', onQuery);
  const stopFast = observeFastPath(orm.em.getConnection(), (query) => add(query, true));
  return {
    read: () => ({ total: counts.total, byKind: { ...counts.byKind }, fastPath: counts.fastPath }),
    reset: () => {
      counts = { total: 0, byKind: {}, fastPath: 0 };
    },
    stop: () => {
      knex.off('query', onQuery);
      stopFast();
    },
  };
}
