import { describe, expect, it } from 'vitest';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { testDialect } from '../../tests/support/platform.ts';
import { fastPathHarness } from '../../tests/support/fast-path.ts';
import { sql } from './sql.ts';

/** ADR 0012: inside a transaction PostgreSQL statements skip knex and give the same results and errors. */
describe.runIf(testDialect() === 'postgresql')('PostgreSQL fast path', () => {
  const { db, inTx, viaOrm } = fastPathHarness((d) => d.pgFastPath);

  it('serves statements in a transaction; outside one they keep the ORM path', async () => {
    const path = db().pgFastPath!;
    const before = { ...path.counts };
    await sql(db().em()).all('SELECT 1 AS one');
    await inTx((em) => sql(em).all('SELECT 1 AS one'));
    expect(path.counts.fast).toBe(before.fast + 1);
    expect(path.counts.orm).toBe(before.orm + 1);
  });

  it('gives the ORM path’s results for all, get and run, with dates, booleans, JSON and quotes', async () => {
    await sql(db().em()).all('CREATE TABLE fast_path_probe (id SERIAL PRIMARY KEY, at TIMESTAMPTZ, flag BOOLEAN, doc TEXT, name TEXT)');
    const at = new Date('2026-11-29T08:00:00.123Z');
    const params = [at, true, { a: 1, q: 'why?' }, "O'Neil? 'x'"];
    const insert = 'INSERT INTO fast_path_probe (at, flag, doc, name) VALUES (?, ?, ?, ?) RETURNING id';
    const fast = await inTx((em) => sql(em).run(insert, params));
    const orm = await viaOrm(() => inTx((em) => sql(em).run(insert, params)));
    expect(fast).toEqual({ ...(orm as object), insertId: 1, row: { id: 1 }, rows: [{ id: 1 }] });
    const read = async (em: EntityManager) => [
      await sql(em).all('SELECT at, flag, doc, name FROM fast_path_probe ORDER BY id'),
      await sql(em).get('SELECT id FROM fast_path_probe WHERE name = ? ORDER BY id', ["O'Neil? 'x'"]),
      await sql(em).run('UPDATE fast_path_probe SET flag = ? WHERE at = ?', [true, at]),
    ];
    const [rowsFast, getFast, runFast] = await inTx(read);
    const [rowsOrm, getOrm, runOrm] = await viaOrm(() => inTx(read));
    expect(rowsFast).toEqual(rowsOrm);
    expect(rowsFast).toHaveLength(2);
    expect(new Date((rowsFast as { at: string }[])[0].at).getTime()).toBe(at.getTime());
    expect(getFast).toEqual(getOrm);
    expect(runFast).toEqual(runOrm);
  });

  it('raises the same converted error and rolls the transaction back', async () => {
    await sql(db().em()).all('CREATE TABLE fast_path_unique (k TEXT PRIMARY KEY)');
    const failing = () =>
      inTx(async (em) => {
        await sql(em).all('INSERT INTO fast_path_unique (k) VALUES (?)', ['a']);
        await sql(em).all('INSERT INTO fast_path_unique (k) VALUES (?)', ['a']);
      });
    await expect(failing()).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    await expect(viaOrm(failing)).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    expect(await sql(db().em()).all('SELECT COUNT(*)::int AS n FROM fast_path_unique')).toEqual([{ n: 0 }]);
  });
});
