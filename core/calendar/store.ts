import { raw, type EntityManager } from '@mikro-orm/knex';
import type { Ports } from '../modules/ports.ts';
import type { Acting } from '../org/actor.ts';
import { Unit } from '../org/entities.ts';
import { calendarYear, unitOverride, type CalendarDay, type CalendarYear, type UnitOverride } from './model.ts';
import { CalendarDay as DayRow, CalendarRevision, CalendarUnitOverride as OverrideRow, CalendarYear as YearRow } from './entities.ts';

/**
 * The calendar tables (migration 0007), through the entity manager. Every write runs in the
 * caller's transaction, bumps `calendar_revision` (so every app node's cache notices) and
 * appends its audit record. Rows are read outside the identity map and written with native
 * inserts and updates, so no managed entity is left for a later flush of the same transaction.
 */

const detached = { disableIdentityMap: true } as const;

function toYear(row: YearRow, days: DayRow[]): CalendarYear {
  const pick = (kind: DayRow['kind']): CalendarDay[] =>
    days
      .filter((d) => d.kind === kind)
      .map((d) => ({ date: d.date, name: d.name }))
      .sort((a, b) => a.date.localeCompare(b.date));
  return calendarYear.parse({
    year: row.year,
    status: row.status,
    weekly: JSON.parse(row.weekly),
    hours: JSON.parse(row.hours),
    cutoff: row.cutoff,
    holidays: pick('holiday'),
    makeUpDays: pick('makeup'),
    source: row.source ?? null,
  });
}

const toOverride = (r: OverrideRow): UnitOverride =>
  unitOverride.parse({
    weekly: r.weekly ? JSON.parse(r.weekly) : null,
    hours: r.hours ? JSON.parse(r.hours) : null,
    cutoff: r.cutoff ?? null,
    holidays: JSON.parse(r.holidays),
    makeUpDays: JSON.parse(r.makeUpDays),
  });

async function findYear(em: EntityManager, year: number): Promise<YearRow | null> {
  return em.findOne(YearRow, { year }, detached);
}

export async function readYear(em: EntityManager, year: number): Promise<CalendarYear | null> {
  const row = await findYear(em, year);
  if (!row) return null;
  return toYear(row, await em.find(DayRow, { year }, detached));
}

export async function listYears(em: EntityManager): Promise<{ year: number; status: string; holidays: number; makeUpDays: number }[]> {
  const years = await em.find(YearRow, {}, { ...detached, fields: ['year', 'status'], orderBy: { year: 'asc' } });
  const counts = await em
    .createQueryBuilder(DayRow)
    .select(['year', 'kind', raw('count(*) as n')])
    .groupBy(['year', 'kind'])
    .execute<{ year: number; kind: DayRow['kind']; n: number | string }[]>('all', false);
  const count = (year: number, kind: DayRow['kind']) => Number(counts.find((c) => Number(c.year) === year && c.kind === kind)?.n ?? 0);
  return years.map((y) => ({ year: y.year, status: y.status, holidays: count(y.year, 'holiday'), makeUpDays: count(y.year, 'makeup') }));
}

async function bumpRevision(em: EntityManager): Promise<void> {
  const updated = await em.nativeUpdate(CalendarRevision, { id: 1 }, { revision: raw('revision + 1') });
  if (updated === 0) await em.insert(CalendarRevision, { id: 1, revision: 1 });
}

/** Writes a whole year (insert or replace, days included) and audits it as `action`. */
export async function writeYear(
  em: EntityManager,
  svc: Pick<Ports, 'clock' | 'audit'>,
  acting: Acting,
  doc: CalendarYear,
  action: 'calendar.year_imported' | 'calendar.year_updated' | 'calendar.year_proposed' | 'calendar.year_confirmed',
): Promise<void> {
  const prev = await findYear(em, doc.year);
  const before = prev && toYear(prev, await em.find(DayRow, { year: doc.year }, detached));
  const now = svc.clock.now();
  const confirmed = doc.status === 'confirmed';
  const values = {
    status: doc.status,
    weekly: JSON.stringify(doc.weekly),
    hours: JSON.stringify(doc.hours),
    cutoff: doc.cutoff,
    source: doc.source ?? null,
    updatedAt: now,
    updatedBy: acting.actor.id,
  };
  if (prev) {
    const keep = confirmed && prev.confirmedAt;
    await em.nativeUpdate(
      YearRow,
      { year: doc.year },
      {
        ...values,
        revision: raw('revision + 1'),
        confirmedAt: keep ? prev.confirmedAt : confirmed ? now : null,
        confirmedBy: keep ? prev.confirmedBy : confirmed ? acting.actor.id : null,
      },
    );
    await em.nativeDelete(DayRow, { year: doc.year });
  } else {
    await em.insert(YearRow, {
      ...values,
      year: doc.year,
      revision: 1,
      confirmedAt: confirmed ? now : null,
      confirmedBy: confirmed ? acting.actor.id : null,
    });
  }
  const days = [
    ...doc.holidays.map((d) => ({ date: d.date, year: doc.year, kind: 'holiday' as const, name: d.name })),
    ...doc.makeUpDays.map((d) => ({ date: d.date, year: doc.year, kind: 'makeup' as const, name: d.name })),
  ];
  if (days.length) await em.insertMany(DayRow, days);
  await bumpRevision(em);
  await svc.audit.append(em, {
    ...acting,
    action,
    targetType: 'calendar_year',
    targetId: String(doc.year),
    summary: {
      status: before ? [before.status, doc.status] : doc.status,
      holidays: doc.holidays.map((d) => d.date),
      makeUpDays: doc.makeUpDays.map((d) => d.date),
      ...(before && {
        before: {
          holidays: before.holidays.map((d) => d.date),
          makeUpDays: before.makeUpDays.map((d) => d.date),
          hours: before.hours,
          cutoff: before.cutoff,
        },
      }),
      hours: doc.hours,
      cutoff: doc.cutoff,
    },
  });
}

export async function readOverride(em: EntityManager, unitId: string): Promise<UnitOverride | null> {
  const row = await em.findOne(OverrideRow, { unitId }, detached);
  return row ? toOverride(row) : null;
}

export async function writeOverride(
  em: EntityManager,
  svc: Pick<Ports, 'clock' | 'audit'>,
  acting: Acting,
  unitId: string,
  o: UnitOverride,
): Promise<void> {
  const before = await readOverride(em, unitId);
  const values = {
    weekly: o.weekly ? JSON.stringify(o.weekly) : null,
    hours: o.hours ? JSON.stringify(o.hours) : null,
    cutoff: o.cutoff,
    holidays: JSON.stringify(o.holidays),
    makeUpDays: JSON.stringify(o.makeUpDays),
    updatedAt: svc.clock.now(),
    updatedBy: acting.actor.id,
  };
  if (before) await em.nativeUpdate(OverrideRow, { unitId }, values);
  else await em.insert(OverrideRow, { ...values, unitId });
  await bumpRevision(em);
  await svc.audit.append(em, {
    ...acting,
    action: 'calendar.unit_override_set',
    targetType: 'unit',
    targetId: unitId,
    unitId,
    summary: { before, after: o },
  });
}

export async function deleteOverride(em: EntityManager, svc: Pick<Ports, 'audit'>, acting: Acting, unitId: string): Promise<boolean> {
  const before = await readOverride(em, unitId);
  if (!before) return false;
  await em.nativeDelete(OverrideRow, { unitId });
  await bumpRevision(em);
  await svc.audit.append(em, {
    ...acting,
    action: 'calendar.unit_override_removed',
    targetType: 'unit',
    targetId: unitId,
    unitId,
    summary: { before },
  });
  return true;
}

/** Everything the in-memory calendar needs. */
export interface CalendarSnapshot {
  revision: string;
  years: Map<number, CalendarYear>;
  overrides: Map<string, UnitOverride>;
  unitPaths: Map<string, string>;
}

/**
 * A cheap fingerprint of what the cache holds: the calendar revision, and the units table's
 * size and latest change (a moved unit changes which override applies).
 */
export async function revisionOf(em: EntityManager): Promise<string> {
  const rev = await em.findOne(CalendarRevision, { id: 1 }, detached);
  const [units] = await em
    .createQueryBuilder(Unit)
    .select([raw('count(*) as n'), raw('max(updated_at) as last')])
    .execute<{ n: number | string; last: unknown }[]>('all', false);
  const last = units.last instanceof Date ? units.last.toISOString() : String(units.last ?? '');
  return `${rev?.revision ?? 0}:${Number(units.n)}:${last}`;
}

export async function loadSnapshot(em: EntityManager): Promise<CalendarSnapshot> {
  const revision = await revisionOf(em);
  const dayRows = await em.find(DayRow, {}, detached);
  const years = new Map<number, CalendarYear>();
  for (const row of await em.find(YearRow, {}, detached))
    years.set(
      row.year,
      toYear(
        row,
        dayRows.filter((d) => d.year === row.year),
      ),
    );
  const overrides = new Map<string, UnitOverride>();
  for (const row of await em.find(OverrideRow, {}, detached)) overrides.set(row.unitId, toOverride(row));
  const unitPaths = new Map<string, string>();
  for (const u of await em.find(Unit, {}, { ...detached, fields: ['id', 'path'] })) unitPaths.set(u.id, u.path);
  return { revision, years, overrides, unitPaths };
}
