import { describe, expect, it } from 'vitest';
import { testDialect } from '../../tests/support/platform.ts';
import { fastPathHarness } from '../../tests/support/fast-path.ts';
import { sql } from './sql.ts';

/** ADR 0012: SQLite statements skip the ORM and give the same results; never inside another request's transaction. */
describe.runIf(testDialect() === 'sqlite')('SQLite fast path', () => {
  const { db, inTx, viaOrm } = fastPathHarness((d) => d.fastPath);

  it('is installed, and serves statements in a transaction and outside one', async () => {
    const path = db().fastPath!;
    expect(path).toBeDefined();
    const before = { ...path.counts };
    await sql(db().em()).all('SELECT 1 AS one');
    await inTx((em) => sql(em).all('SELECT 1 AS one'));
    await viaOrm(() => sql(db().em()).all('SELECT 1 AS one'));
    expect(path.counts.fast).toBe(before.fast + 2);
    expect(path.counts.orm).toBe(before.orm + 1);
  });

  it('sends a statement outside any transaction to the ORM while another request’s transaction is open, so it is not rolled back with it', async () => {
    await sql(db().em()).all('CREATE TABLE fast_path_isolation (id INTEGER PRIMARY KEY, who TEXT)');
    const path = db().fastPath!;
    let inside!: () => void;
    const opened = new Promise<void>((r) => (inside = r));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const tx = inTx(async (em) => {
      await sql(em).all("INSERT INTO fast_path_isolation (who) VALUES ('tx')");
      inside();
      await held;
      throw new Error('undo');
    });
    await opened;
    const before = path.counts.orm;
    const outside = sql(db().em()).run("INSERT INTO fast_path_isolation (who) VALUES ('outside')", []);
    await new Promise((r) => setTimeout(r, 20));
    expect(path.counts.orm).toBe(before + 1);
    release();
    await expect(tx).rejects.toThrow('undo');
    await outside;
    expect(await sql(db().em()).all('SELECT who FROM fast_path_isolation')).toEqual([{ who: 'outside' }]);
  });

  it('gives the ORM path’s results for all, get and run, and binds dates, booleans and objects as the ORM inlines them', async () => {
    await sql(db().em()).all('CREATE TABLE fast_path_probe (id INTEGER PRIMARY KEY, at INTEGER, flag INTEGER, doc TEXT, name TEXT)');
    const at = new Date('2026-11-29T08:00:00Z');
    const inserted = await inTx((em) =>
      sql(em).run('INSERT INTO fast_path_probe (at, flag, doc, name) VALUES (?, ?, ?, ?)', [at, true, { a: 1 }, "O'Neil"]),
    );
    const orm = await viaOrm(() =>
      sql(db().em()).run('INSERT INTO fast_path_probe (at, flag, doc, name) VALUES (?, ?, ?, ?)', [at, true, { a: 1 }, "O'Neil"]),
    );
    expect(Object.keys(inserted).sort()).toEqual(Object.keys(orm).sort());
    expect(inserted).toMatchObject({ affectedRows: 1, insertId: 1 });
    const rows = await viaOrm(() => sql(db().em()).all('SELECT at, flag, doc, name FROM fast_path_probe ORDER BY id'));
    expect(rows[0]).toEqual(rows[1]);
    expect(rows[0]).toEqual({ at: at.getTime(), flag: 1, doc: '{"a":1}', name: "O'Neil" });
    const fast = await inTx(async (em) => ({
      all: await sql(em).all('SELECT id FROM fast_path_probe WHERE name = ? ORDER BY id', ["O'Neil"]),
      get: await sql(em).get('SELECT id FROM fast_path_probe WHERE id = ?', [2]),
      run: await sql(em).run('UPDATE fast_path_probe SET flag = ? WHERE at = ?', [false, at]),
    }));
    expect(fast).toEqual({ all: [{ id: 1 }, { id: 2 }], get: { id: 2 }, run: { affectedRows: 2, insertId: 2 } });
  });

  it('leaves IN lists with an array parameter to the ORM, and rolls back with the transaction', async () => {
    const path = db().fastPath!;
    const before = path.counts.orm;
    await expect(
      inTx(async (em) => {
        expect(await sql(em).all('SELECT id FROM fast_path_probe WHERE id IN (?) ORDER BY id', [[1, 2]])).toEqual([{ id: 1 }, { id: 2 }]);
        await sql(em).all('DELETE FROM fast_path_probe');
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(path.counts.orm).toBeGreaterThan(before);
    expect(await sql(db().em()).all('SELECT COUNT(*) AS n FROM fast_path_probe')).toEqual([{ n: 2 }]);
  });
});
