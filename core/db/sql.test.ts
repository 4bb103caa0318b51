import { describe, expect, it } from 'vitest';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { fastPathHarness } from '../../tests/support/fast-path.ts';
import { sql } from './sql.ts';

/** ADR 0012: the fast path is reached through `sql(em)` only; MikroORM's own objects are left as they are. */
describe('sql(em)', () => {
  const { db, inTx } = fastPathHarness((d) => d.fastPath ?? d.pgFastPath);
  const counts = () => ({ ...(db().fastPath ?? db().pgFastPath)!.counts });

  it('patches nothing of MikroORM’s: em.execute is the library’s own and passes no fast path', async () => {
    const connection = db().orm.em.getConnection();
    expect(Object.hasOwn(connection, 'execute')).toBe(false);
    expect(Object.hasOwn(db().em(), 'execute')).toBe(false);
    const before = counts();
    await db().em().execute('SELECT 1 AS one');
    await inTx((em) => em.execute('SELECT 1 AS one'));
    expect(counts()).toEqual(before);
    await inTx((em) => sql(em).get('SELECT 1 AS one'));
    expect(counts().fast).toBe(before.fast + 1);
  });

  it('converts a fast-path error as em.execute does, and the transaction rolls back', async () => {
    await sql(db().em()).run('CREATE TABLE sql_unique (k TEXT PRIMARY KEY)');
    const before = counts();
    await expect(
      inTx(async (em) => {
        await sql(em).run('INSERT INTO sql_unique (k) VALUES (?)', ['a']);
        await sql(em).run('INSERT INTO sql_unique (k) VALUES (?)', ['a']);
      }),
    ).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    expect(counts().fast).toBe(before.fast + 1);
    expect(Number((await sql(db().em()).get<{ n: number | string }>('SELECT COUNT(*) AS n FROM sql_unique'))!.n)).toBe(0);
  });
});
