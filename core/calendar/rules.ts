import { DEFAULT_CUTOFF, DEFAULT_HOURS, DEFAULT_WEEKLY, type CalendarYear, type UnitOverride } from './model.ts';
import { dateOfDay, parseClock, weekdayOf, type Period, type WorkingRules } from './working-time.ts';

/**
 * From the yearly tables (and a unit's override) to the rules working-time.ts counts with.
 * A day's year decides its table; a year without a table uses `fallback` (the proposed year
 * from the lunar converter, so a deadline crossing into an unannounced year still skips Tết).
 * The unit's override replaces the weekly pattern, periods or cut-off it sets, and adds its
 * own days off and working days (its working days win over its own and the province's days off).
 */

const toPeriods = (hours: { start: string; end: string }[]): Period[] =>
  hours.map((h) => ({ start: parseClock(h.start)!, end: parseClock(h.end)! }));

interface YearRules {
  weekly: Set<number>;
  periods: Period[];
  cutoff: number;
  holidays: Set<string>;
  makeUp: Set<string>;
}

function yearRules(y: CalendarYear | undefined, o: UnitOverride | null): YearRules {
  return {
    weekly: new Set(o?.weekly ?? y?.weekly ?? DEFAULT_WEEKLY),
    periods: toPeriods(o?.hours ?? y?.hours ?? DEFAULT_HOURS),
    cutoff: parseClock(o?.cutoff ?? y?.cutoff ?? DEFAULT_CUTOFF)!,
    holidays: new Set([...(y?.holidays ?? []), ...(o?.holidays ?? [])].map((d) => d.date)),
    makeUp: new Set([...(y?.makeUpDays ?? []), ...(o?.makeUpDays ?? [])].map((d) => d.date)),
  };
}

const NONE: Period[] = [];
/** Days of periods one rules object keeps (about 27 years), then starts again. */
const MEMO_DAYS = 10_000;

export function rulesFrom(years: (year: number) => CalendarYear | undefined, override: UnitOverride | null = null): WorkingRules {
  const byYear = new Map<number, YearRules>();
  const of = (day: number): YearRules => {
    const year = Number(dateOfDay(day).slice(0, 4));
    let r = byYear.get(year);
    if (!r) byYear.set(year, (r = yearRules(years(year), override)));
    return r;
  };
  const periodsOf = (day: number): Period[] => {
    const r = of(day);
    const date = dateOfDay(day);
    if (r.makeUp.has(date)) return r.periods;
    if (r.holidays.has(date)) return NONE;
    return r.weekly.has(weekdayOf(day)) ? r.periods : NONE;
  };
  // Rules are an immutable snapshot (a calendar edit builds new ones), so a day's periods are
  // kept: counting working time across a year-old appointment asks for every day in between,
  // and the inbox does it for each dossier of a page.
  const memo = new Map<number, Period[]>();
  return {
    periods(day) {
      let p = memo.get(day);
      if (p === undefined) {
        if (memo.size >= MEMO_DAYS) memo.clear();
        memo.set(day, (p = periodsOf(day)));
      }
      return p;
    },
    cutoff: (day) => of(day).cutoff,
  };
}

/** The override that applies to a unit: its own, else its nearest ancestor's (materialised path `/a/b/c/`). */
export function overrideFor(path: string | null, overrides: Map<string, UnitOverride>): { unitId: string; override: UnitOverride } | null {
  if (!path) return null;
  const ids = path.split('/').filter(Boolean);
  for (let i = ids.length - 1; i >= 0; i--) {
    const o = overrides.get(ids[i]);
    if (o) return { unitId: ids[i], override: o };
  }
  return null;
}
