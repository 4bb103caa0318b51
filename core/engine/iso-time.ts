/**
 * ISO 8601 durations, instants and repeating intervals as BPMN timers use them
 * (`timeDuration`, `timeDate`, `timeCycle`). Calendar parts (years, months, weeks, days) count
 * in the province's local time (UTC+7, no daylight saving), clock parts in elapsed time.
 */

export interface IsoDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** A repeating interval: `R3/P1D`, `R/PT4H`, `R2/2026-03-03T08:00:00+07:00/P1D`. */
export interface IsoCycle {
  /** Number of occurrences; -1 for unbounded (`R` or `R-1`). */
  repeat: number;
  start: Date | null;
  duration: IsoDuration;
}

const PROVINCE_OFFSET_MS = 7 * 3600_000;
const DURATION =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

export function parseDuration(value: string): IsoDuration | null {
  const v = value.trim();
  const m = DURATION.exec(v);
  if (!m || v === 'P' || v.endsWith('T')) return null;
  const [, y, mo, w, d, h, mi, s] = m.map((x) => Number((x ?? '0').replace(',', '.')));
  return { years: y, months: mo, weeks: w, days: d, hours: h, minutes: mi, seconds: s };
}

/** `start` + the duration: calendar parts on the local calendar, clock parts in elapsed time. */
export function addDuration(start: Date, d: IsoDuration): Date {
  const local = new Date(start.getTime() + PROVINCE_OFFSET_MS);
  const day = local.getUTCDate();
  local.setUTCDate(1);
  local.setUTCFullYear(local.getUTCFullYear() + d.years, local.getUTCMonth() + d.months);
  // 31 January + P1M is the last day of February, not 3 March.
  const lastDay = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 0)).getUTCDate();
  local.setUTCDate(Math.min(day, lastDay) + d.weeks * 7 + d.days);
  return new Date(local.getTime() - PROVINCE_OFFSET_MS + Math.round(((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000));
}

/** An ISO date or date-time; without an offset it is the province's local time. */
export function parseInstant(value: string): Date | null {
  const v = value.trim();
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(v);
  if (!m) return null;
  const [, date, time, zone] = m;
  const offset = zone ? (zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`) : '+07:00';
  const at = new Date(`${date}T${time ?? '00:00:00'}${offset}`);
  if (Number.isNaN(at.getTime())) return null;
  // Reject impossible dates such as 2027-02-30 (Date would roll them over).
  const [yy, mm, dd] = date.split('-').map(Number);
  const check = new Date(Date.UTC(yy, mm - 1, dd));
  if (check.getUTCMonth() !== mm - 1 || check.getUTCDate() !== dd) return null;
  return at;
}

export function parseCycle(value: string): IsoCycle | null {
  const parts = value.trim().split('/');
  let repeat = 1;
  if (/^R(-1|\d*)$/.test(parts[0])) {
    const n = parts.shift()!.slice(1);
    repeat = n === '' || n === '-1' ? -1 : Number(n);
    if (repeat === 0) return null;
  }
  if (parts.length === 1) {
    const duration = parseDuration(parts[0]);
    return duration ? { repeat, start: null, duration } : null;
  }
  if (parts.length === 2) {
    const start = parseInstant(parts[0]);
    const duration = parseDuration(parts[1]);
    return start && duration ? { repeat, start, duration } : null;
  }
  return null;
}

/**
 * The next occurrence of a cycle after `after` (strictly). Without a start date the first
 * occurrence is one period after `after`; with one, occurrences are start, start + period, …
 * The caller counts repetitions (the engine does for intermediate and boundary events).
 */
export function nextOccurrence(cycle: IsoCycle, after: Date): Date | null {
  if (!cycle.start) return addDuration(after, cycle.duration);
  const d = cycle.duration;
  let k = 0;
  if (cycle.start.getTime() <= after.getTime() && !d.years && !d.months) {
    // Weeks, days and clock parts have a fixed length here (no daylight saving): jump directly.
    const period = addDuration(cycle.start, d).getTime() - cycle.start.getTime();
    if (period <= 0) return null;
    k = Math.floor((after.getTime() - cycle.start.getTime()) / period);
  }
  for (; ; k++) {
    if (cycle.repeat > 0 && k >= cycle.repeat) return null;
    const at = k === 0 ? cycle.start : repeatAdd(cycle.start, d, k);
    if (at.getTime() > after.getTime()) return at;
  }
}

function repeatAdd(start: Date, d: IsoDuration, k: number): Date {
  return addDuration(start, {
    years: d.years * k,
    months: d.months * k,
    weeks: d.weeks * k,
    days: d.days * k,
    hours: d.hours * k,
    minutes: d.minutes * k,
    seconds: d.seconds * k,
  });
}
