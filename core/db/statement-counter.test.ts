import { describe, expect, it } from 'vitest';
import { fastPathHarness } from '../../tests/support/fast-path.ts';
import { CalendarRevision } from '../calendar/entities.ts';
import { sql } from './sql.ts';
import { countStatements, statementKind } from './statement-counter.ts';

/** Every statement the database receives is counted once: the ORM's, the fast path's, BEGIN and COMMIT. */
describe('countStatements', () => {
  const { db, inTx, viaOrm } = fastPathHarness((d) => d.fastPath ?? d.pgFastPath);

  it('names a statement by its first keyword', () => {
    expect(statementKind('BEGIN;')).toBe('BEGIN');
    expect(statementKind('  select 1')).toBe('SELECT');
    expect(statementKind('/* c */ (SELECT 1) UNION (SELECT 2)')).toBe('SELECT');
    expect(statementKind('release savepoint trx2')).toBe('RELEASE');
    expect(statementKind('')).toBe('(other)');
  });

  it('counts a transaction’s BEGIN and COMMIT, its fast-path and its ORM statements, each once', async () => {
    const counter = countStatements(db().orm);
    try {
      await inTx(async (em) => {
        await sql(em).get('SELECT 1 AS one');
        await em.insert(CalendarRevision, { id: 901, revision: 1 });
        await em.nativeUpdate(CalendarRevision, { id: 901 }, { revision: 2 });
        await em.findOne(CalendarRevision, { id: 901 }, { disableIdentityMap: true });
      });
      const c = counter.read();
      expect(c.byKind).toEqual({ BEGIN: 1, SELECT: 2, INSERT: 1, UPDATE: 1, COMMIT: 1 });
      expect(c.total).toBe(6);
      expect(c.fastPath).toBe(1);
    } finally {
      counter.stop();
    }
  });

  it('counts a nested transaction’s savepoint, statements outside a transaction, and a sql(em) statement that takes the ORM’s path', async () => {
    const counter = countStatements(db().orm);
    try {
      await inTx((em) => em.transactional((inner) => sql(inner).run('DELETE FROM calendar_revision WHERE id = ?', [901])));
      await sql(db().em()).get('SELECT 2 AS two');
      await viaOrm(() => inTx((em) => sql(em).get('SELECT 3 AS three')));
      const c = counter.read();
      expect(c.byKind).toEqual({ BEGIN: 2, SAVEPOINT: 1, DELETE: 1, RELEASE: 1, COMMIT: 2, SELECT: 2 });
      // The outside read takes SQLite's fast path (an idle connection) and PostgreSQL's ORM path.
      expect(c.fastPath).toBe(db().dialect === 'sqlite' ? 2 : 1);
      counter.reset();
      expect(counter.read()).toEqual({ total: 0, byKind: {}, fastPath: 0 });
    } finally {
      counter.stop();
    }
    await sql(db().em()).get('SELECT 4 AS four');
    expect(counter.read().total).toBe(0);
  });
});
