import type { EntityManager } from '@mikro-orm/knex';
import type { Ports } from '../modules/ports.ts';
import type { Acting } from '../org/actor.ts';
import { calendarYear, unitOverride, type CalendarDay, type CalendarYear, type UnitOverride } from './model.ts';
import { sql } from '../db/sql.ts';

/**
 * The calendar tables (migration 0007). Every write runs in the caller's transaction, bumps
 * `calendar_revision` (so every app node's cache notices) and appends its audit record.
 */

interface YearRow {
  year: number;
  status: string;
  weekly: string;
  hours: string;
  cutoff: string;
  source: string | null;
  revision: number;
  updated_at: unknown;
  confirmed_at: unknown;
}

interface DayRow {
  date: string;
  year: number;
  kind: 'holiday' | 'makeup';
  name: string;
}

interface OverrideRow {
  unit_id: string;
  weekly: string | null;
  hours: string | null;
  cutoff: string | null;
  holidays: string;
  make_up_days: string;
}

function toYear(row: YearRow, days: DayRow[]): CalendarYear {
  const pick = (kind: DayRow['kind']): CalendarDay[] =>
    days
      .filter((d) => d.kind === kind)
      .map((d) => ({ date: d.date, name: d.name }))
      .sort((a, b) => a.date.localeCompare(b.date));
  return calendarYear.parse({
    year: Number(row.year),
    status: row.status,
    weekly: JSON.parse(row.weekly),
    hours: JSON.parse(row.hours),
    cutoff: row.cutoff,
    holidays: pick('holiday'),
    makeUpDays: pick('makeup'),
    source: row.source,
  });
}

const toOverride = (r: OverrideRow): UnitOverride =>
  unitOverride.parse({
    weekly: r.weekly ? JSON.parse(r.weekly) : null,
    hours: r.hours ? JSON.parse(r.hours) : null,
    cutoff: r.cutoff,
    holidays: JSON.parse(r.holidays),
    makeUpDays: JSON.parse(r.make_up_days),
  });

export async function readYear(em: EntityManager, year: number): Promise<CalendarYear | null> {
  const [row] = await sql(em).all<YearRow>('SELECT * FROM calendar_years WHERE year = ?', [year]);
  if (!row) return null;
  const days = await sql(em).all<DayRow>('SELECT * FROM calendar_days WHERE year = ?', [year]);
  return toYear(row, days);
}

export async function listYears(em: EntityManager): Promise<{ year: number; status: string; holidays: number; makeUpDays: number }[]> {
  const rows = await sql(em).all<{
    year: number;
    status: string;
    holidays: number | string;
    make_up: number | string;
  }>(`SELECT y.year, y.status,
       (SELECT COUNT(*) FROM calendar_days d WHERE d.year = y.year AND d.kind = 'holiday') AS holidays,
       (SELECT COUNT(*) FROM calendar_days d WHERE d.year = y.year AND d.kind = 'makeup') AS make_up
     FROM calendar_years y ORDER BY y.year`);
  return rows.map((r) => ({ year: Number(r.year), status: r.status, holidays: Number(r.holidays), makeUpDays: Number(r.make_up) }));
}

async function bumpRevision(em: EntityManager): Promise<void> {
  const res = await sql(em).run('UPDATE calendar_revision SET revision = revision + 1 WHERE id = 1', []);
  if (res.affectedRows === 0) await sql(em).run('INSERT INTO calendar_revision (id, revision) VALUES (1, 1)', []);
}

/** Writes a whole year (insert or replace, days included) and audits it as `action`. */
export async function writeYear(
  em: EntityManager,
  svc: Pick<Ports, 'clock' | 'audit'>,
  acting: Acting,
  doc: CalendarYear,
  action: 'calendar.year_imported' | 'calendar.year_updated' | 'calendar.year_proposed' | 'calendar.year_confirmed',
): Promise<void> {
  const before = await readYear(em, doc.year);
  const now = svc.clock.now();
  const confirmed = doc.status === 'confirmed';
  const values = [doc.status, JSON.stringify(doc.weekly), JSON.stringify(doc.hours), doc.cutoff, doc.source ?? null, now, acting.actor.id];
  if (before) {
    const [prev] = await sql(em).all<{ confirmed_at: unknown; confirmed_by: string | null }>(
      'SELECT confirmed_at, confirmed_by FROM calendar_years WHERE year = ?',
      [doc.year],
    );
    const keep = confirmed && prev.confirmed_at;
    await sql(em).run(
      `UPDATE calendar_years SET status = ?, weekly = ?, hours = ?, cutoff = ?, source = ?, updated_at = ?, updated_by = ?, revision = revision + 1,
         confirmed_at = ?, confirmed_by = ? WHERE year = ?`,
      [
        ...values,
        keep ? prev.confirmed_at : confirmed ? now : null,
        keep ? prev.confirmed_by : confirmed ? acting.actor.id : null,
        doc.year,
      ],
    );
    await sql(em).run('DELETE FROM calendar_days WHERE year = ?', [doc.year]);
  } else {
    await sql(em).run(
      `INSERT INTO calendar_years (status, weekly, hours, cutoff, source, updated_at, updated_by, revision, confirmed_at, confirmed_by, year)
       VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
      [...values, confirmed ? now : null, confirmed ? acting.actor.id : null, doc.year],
    );
  }
  for (const [kind, list] of [
    ['holiday', doc.holidays],
    ['makeup', doc.makeUpDays],
  ] as const) {
    for (const d of list)
      await sql(em).run('INSERT INTO calendar_days (date, year, kind, name) VALUES (?, ?, ?, ?)', [d.date, doc.year, kind, d.name]);
  }
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
  const [row] = await sql(em).all<OverrideRow>('SELECT * FROM calendar_unit_overrides WHERE unit_id = ?', [unitId]);
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
  const values = [
    o.weekly ? JSON.stringify(o.weekly) : null,
    o.hours ? JSON.stringify(o.hours) : null,
    o.cutoff,
    JSON.stringify(o.holidays),
    JSON.stringify(o.makeUpDays),
    svc.clock.now(),
    acting.actor.id,
    unitId,
  ];
  if (before) {
    await sql(em).run(
      'UPDATE calendar_unit_overrides SET weekly = ?, hours = ?, cutoff = ?, holidays = ?, make_up_days = ?, updated_at = ?, updated_by = ? WHERE unit_id = ?',
      values,
    );
  } else {
    await sql(em).run(
      'INSERT INTO calendar_unit_overrides (weekly, hours, cutoff, holidays, make_up_days, updated_at, updated_by, unit_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      values,
    );
  }
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
  await sql(em).run('DELETE FROM calendar_unit_overrides WHERE unit_id = ?', [unitId]);
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
  const [r] = await sql(em).all<{ rev: number | null; n: number | string; last: unknown }>(
    'SELECT (SELECT revision FROM calendar_revision WHERE id = 1) AS rev, (SELECT COUNT(*) FROM units) AS n, (SELECT MAX(updated_at) FROM units) AS last',
  );
  const last = r.last instanceof Date ? r.last.toISOString() : String(r.last ?? '');
  return `${r.rev ?? 0}:${Number(r.n)}:${last}`;
}

export async function loadSnapshot(em: EntityManager): Promise<CalendarSnapshot> {
  const revision = await revisionOf(em);
  const yearRows = await sql(em).all<YearRow>('SELECT * FROM calendar_years');
  const dayRows = await sql(em).all<DayRow>('SELECT * FROM calendar_days');
  const years = new Map<number, CalendarYear>();
  for (const row of yearRows)
    years.set(
      Number(row.year),
      toYear(
        row,
        dayRows.filter((d) => Number(d.year) === Number(row.year)),
      ),
    );
  const overrides = new Map<string, UnitOverride>();
  for (const row of await sql(em).all<OverrideRow>('SELECT * FROM calendar_unit_overrides')) overrides.set(row.unit_id, toOverride(row));
  const unitPaths = new Map<string, string>();
  for (const u of await sql(em).all<{ id: string; path: string }>('SELECT id, path FROM units')) unitPaths.set(u.id, u.path);
  return { revision, years, overrides, unitPaths };
}
