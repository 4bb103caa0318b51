/**
 * Working time (DOMAIN §5), pure and table-driven: every function takes the rules of one
 * unit and instants, and answers instants or durations. Local time is the province's
 * (UTC+7, no daylight saving); a "day" is a local calendar day.
 *
 * Rules, each tested in working-time.test.ts:
 * 1. A day works when it is a make-up day, else when it is no holiday and its weekday is in
 *    the weekly pattern (Mon–Fri by default). A make-up Saturday is a full working day.
 * 2. Working periods default to 07:00–11:30 and 13:30–17:00 (8 h); an agency may set others.
 * 3. Receipt (`receive`): inside a period it stays; before opening it snaps to opening; during
 *    lunch to the afternoon opening (13:30); after closing, or on a non-working day, it rolls to
 *    the next working day's opening.
 * 4. Working hours count only time inside periods of working days. An amount that ends exactly
 *    at a period's end is due at that end (17:00), not at the next opening.
 * 5. One working day = 8 working hours (`HOURS_PER_WORKING_DAY`), so N working days from
 *    Monday 08:00 is Monday + N working days at 08:00, and half-days are natural.
 * 6. Calendar days count every day (same local time of day) from the receipt (rule 3); a due
 *    time that lands on a non-working day moves to the close of the next working day (Civil
 *    Code 2015 art. 148(5): the period ends at the end of the next working day).
 * 7. Same day (`sameDayDue`): received (after rule 3) before the cut-off (15:00) → due at the
 *    close (17:00) of that day; at or after the cut-off → the close of the next working day. The
 *    birth-bundle civil-status step (DOMAIN §7) is exactly this rule.
 * 8. `classify`: late when the finish is after the due instant; early when it falls on an
 *    earlier local day than the due day; otherwise on time.
 */

export const HOURS_PER_WORKING_DAY = 8;
export const LOCAL_OFFSET_MS = 7 * 3600_000;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Far enough to cross any run of non-working days; a calendar with no working day at all fails. */
const MAX_SCAN_DAYS = 3660;

/** A working period of a day, in minutes after local midnight: [start, end). */
export interface Period {
  start: number;
  end: number;
}

/**
 * The working schedule of one unit: which periods each local day works (none: the day does
 * not work) and its same-day cut-off. Built from the yearly tables by `rulesFrom` (rules.ts).
 */
export interface WorkingRules {
  /** Working periods of a local day (day number, see `dayOf`), in order; empty when it does not work. */
  periods(day: number): Period[];
  /** Same-day cut-off of a local day, minutes after local midnight. */
  cutoff(day: number): number;
}

export type DurationUnit = 'working_hours' | 'working_days' | 'calendar_days';
export type Timeliness = 'early' | 'on_time' | 'late';

/** Local day number (days since 1970-01-01 in UTC+7) of an instant. */
export const dayOf = (at: Date | number): number => Math.floor((+at + LOCAL_OFFSET_MS) / DAY_MS);
/** Minutes after local midnight of an instant (fractional). */
export const minuteOf = (at: Date | number): number => ((((+at + LOCAL_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS;
/** The instant of a local day at a minute. */
export const instantOf = (day: number, minute: number): number => day * DAY_MS + minute * MINUTE_MS - LOCAL_OFFSET_MS;
/** YYYY-MM-DD of a local day number. */
export const dateOfDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
/** Local day number of a YYYY-MM-DD date. */
export const dayOfDate = (date: string): number => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);

export const isWorkingDay = (rules: WorkingRules, day: number): boolean => rules.periods(day).length > 0;

/** Weekday (0 = Sunday) of a local day number. */
export const weekdayOf = (day: number): number => new Date(day * DAY_MS).getUTCDay();

/** The first working day at or after `day`. */
export function nextWorkingDay(rules: WorkingRules, day: number): number {
  for (let d = day, n = 0; n < MAX_SCAN_DAYS; d++, n++) if (isWorkingDay(rules, d)) return d;
  throw new Error('The calendar has no working day within ten years');
}

/** The close (end of the last working period) of a local day. */
export function closeOf(rules: WorkingRules, day: number): Date {
  const periods = rules.periods(day);
  if (periods.length === 0) throw new Error(`${dateOfDay(day)} is not a working day`);
  return new Date(instantOf(day, periods[periods.length - 1].end));
}

/** Rule 3: the instant a receipt counts from. */
export function receive(rules: WorkingRules, at: Date): Date {
  let day = dayOf(at);
  const minute = minuteOf(at);
  for (const p of rules.periods(day)) {
    if (minute < p.start) return new Date(instantOf(day, p.start));
    if (minute < p.end) return new Date(at.getTime());
  }
  day = nextWorkingDay(rules, day + 1);
  return new Date(instantOf(day, rules.periods(day)[0].start));
}

/** Rule 4: `start` + `ms` of working time. */
export function addWorkingTime(rules: WorkingRules, start: Date, ms: number): Date {
  if (!(ms >= 0)) throw new RangeError('A working duration must be zero or more');
  let at = receive(rules, start).getTime();
  let left = ms;
  for (let guard = 0; guard < MAX_SCAN_DAYS * 4; guard++) {
    const day = dayOf(at);
    const minute = minuteOf(at);
    const period = rules.periods(day).find((p) => minute >= p.start && minute < p.end)!;
    const room = instantOf(day, period.end) - at;
    if (left <= room) return new Date(at + left);
    left -= room;
    at = receive(rules, new Date(instantOf(day, period.end))).getTime();
  }
  throw new Error('The calendar has no working time within ten years');
}

/** Rules 4–6: `start` + an amount in a unit. */
export function addDuration(rules: WorkingRules, start: Date, amount: number, unit: DurationUnit): Date {
  if (!(Number.isFinite(amount) && amount >= 0)) throw new RangeError('A duration must be a finite number, zero or more');
  if (unit === 'working_hours') return addWorkingTime(rules, start, Math.round(amount * 3600_000));
  if (unit === 'working_days') return addWorkingTime(rules, start, Math.round(amount * HOURS_PER_WORKING_DAY * 3600_000));
  const due = start.getTime() + Math.round(amount * DAY_MS);
  return onWorkingDay(rules, new Date(due));
}

/** Rule 6: a due instant on a non-working day moves to the close of the next working day. */
export function onWorkingDay(rules: WorkingRules, due: Date): Date {
  const day = dayOf(due);
  return isWorkingDay(rules, day) ? due : closeOf(rules, nextWorkingDay(rules, day));
}

/** Working time (ms) between two instants; negative when `to` is before `from`. */
export function workingTimeBetween(rules: WorkingRules, from: Date, to: Date): number {
  if (to.getTime() < from.getTime()) return -workingTimeBetween(rules, to, from);
  let total = 0;
  const last = dayOf(to);
  for (let day = dayOf(from); day <= last; day++) {
    for (const p of rules.periods(day)) {
      const a = Math.max(instantOf(day, p.start), from.getTime());
      const b = Math.min(instantOf(day, p.end), to.getTime());
      if (b > a) total += b - a;
    }
  }
  return total;
}

/** Rule 7: due time of a same-day procedure (and of the birth bundle's civil-status step); a procedure may set its own cut-off. */
export function sameDayDue(rules: WorkingRules, receivedAt: Date, cutoff?: number): Date {
  const at = receive(rules, receivedAt);
  const day = dayOf(at);
  if (minuteOf(at) < (cutoff ?? rules.cutoff(day))) return closeOf(rules, day);
  return closeOf(rules, nextWorkingDay(rules, day + 1));
}

/** Rule 8: a finish against its due time. */
export function classify(finishedAt: Date, dueAt: Date): Timeliness {
  if (finishedAt.getTime() > dueAt.getTime()) return 'late';
  return dayOf(finishedAt) < dayOf(dueAt) ? 'early' : 'on_time';
}

/** "HH:MM" → minutes after midnight (24:00 allowed as an end). */
export function parseClock(text: string): number | null {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes <= 24 * 60 ? minutes : null;
}

export const formatClock = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
