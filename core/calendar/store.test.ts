import { describe, expect, it } from 'vitest';
import { useTestPlatform } from '../../tests/support/platform.ts';
import type { Acting } from '../org/actor.ts';
import { Unit } from '../org/entities.ts';
import { CalendarYear as YearRow } from './entities.ts';
import { calendarYear } from './model.ts';
import { deleteOverride, listYears, loadSnapshot, readOverride, readYear, revisionOf, writeOverride, writeYear } from './store.ts';

const ctx = useTestPlatform();
const acting: Acting = { actor: { id: null, name: 'test' }, requestId: null };
const year = (status: 'confirmed' | 'proposed', holidays: string[], makeUpDays: string[] = []) =>
  calendarYear.parse({
    year: 2035,
    status,
    holidays: holidays.map((date) => ({ date, name: `nghỉ ${date}` })),
    makeUpDays: makeUpDays.map((date) => ({ date, name: `làm bù ${date}` })),
  });

describe('calendar store', () => {
  it('writes a year with its days, keeps the first confirmation on a confirmed edit, and lists its day counts', async () => {
    const { db, clock } = ctx.t.platform.services;
    const svc = ctx.t.platform.services;
    const write = (doc: ReturnType<typeof year>, action: 'calendar.year_imported' | 'calendar.year_updated') =>
      db.em().transactional((em) => writeYear(em, svc, acting, doc, action));
    const row = () => db.em().findOneOrFail(YearRow, { year: 2035 });

    const firstAt = clock.now();
    await write(year('confirmed', ['2035-01-01', '2035-09-03'], ['2035-01-06']), 'calendar.year_imported');
    expect((await row()).confirmedAt?.getTime()).toBe(firstAt.getTime());
    expect((await row()).revision).toBe(1);

    ctx.t.clock.advance(3600_000);
    await write(year('confirmed', ['2035-01-01'], ['2035-01-06', '2035-02-10']), 'calendar.year_updated');
    const edited = await row();
    expect(edited.confirmedAt?.getTime()).toBe(firstAt.getTime());
    expect(edited.updatedAt.getTime()).toBe(firstAt.getTime() + 3600_000);
    expect(edited.revision).toBe(2);
    expect(await readYear(db.em(), 2035)).toMatchObject({
      status: 'confirmed',
      holidays: [{ date: '2035-01-01', name: 'nghỉ 2035-01-01' }],
      makeUpDays: [
        { date: '2035-01-06', name: 'làm bù 2035-01-06' },
        { date: '2035-02-10', name: 'làm bù 2035-02-10' },
      ],
    });
    expect((await listYears(db.em())).find((y) => y.year === 2035)).toEqual({
      year: 2035,
      status: 'confirmed',
      holidays: 1,
      makeUpDays: 2,
    });

    await write(year('proposed', []), 'calendar.year_updated');
    expect((await row()).confirmedAt ?? null).toBeNull();
    expect((await listYears(db.em())).find((y) => y.year === 2035)).toEqual({ year: 2035, status: 'proposed', holidays: 0, makeUpDays: 0 });
    expect((await loadSnapshot(db.em())).years.get(2035)).toMatchObject({ status: 'proposed', holidays: [], makeUpDays: [] });
  });

  it('sets, replaces and removes a unit override, each moving the revision', async () => {
    const svc = ctx.t.platform.services;
    const { db } = svc;
    const unit = await db.em().findOneOrFail(Unit, { code: 'DEMO.STP' });
    const r0 = await revisionOf(db.em());
    await db
      .em()
      .transactional((em) =>
        writeOverride(em, svc, acting, unit.id, { weekly: null, hours: null, cutoff: '16:00', holidays: [], makeUpDays: [] }),
      );
    const r1 = await revisionOf(db.em());
    expect(r1).not.toBe(r0);
    await db.em().transactional((em) =>
      writeOverride(em, svc, acting, unit.id, {
        weekly: [1, 2, 3, 4, 5, 6],
        hours: null,
        cutoff: null,
        holidays: [{ date: '2035-03-03', name: 'nghỉ' }],
        makeUpDays: [],
      }),
    );
    expect(await readOverride(db.em(), unit.id)).toEqual({
      weekly: [1, 2, 3, 4, 5, 6],
      hours: null,
      cutoff: null,
      holidays: [{ date: '2035-03-03', name: 'nghỉ' }],
      makeUpDays: [],
    });
    expect((await loadSnapshot(db.em())).overrides.get(unit.id)?.weekly).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await revisionOf(db.em())).not.toBe(r1);
    expect(await db.em().transactional((em) => deleteOverride(em, svc, acting, unit.id))).toBe(true);
    expect(await readOverride(db.em(), unit.id)).toBeNull();
    expect(await db.em().transactional((em) => deleteOverride(em, svc, acting, unit.id))).toBe(false);
  });
});
