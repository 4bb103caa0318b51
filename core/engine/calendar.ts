import { AppError } from '../errors.ts';
import { addDuration, parseDuration } from './iso-time.ts';

/** Whom a duration is counted for, and how. */
export interface CalendarContext {
  /** The unit whose working hours apply (its own override or its nearest ancestor's). */
  unitId: string | null;
  /**
   * Count in working time: days are working days (8 working hours each), weeks five working
   * days, hours and minutes working time; years and months stay calendar months (a due time on
   * a non-working day moves to the next working day's close). Default: elapsed calendar time.
   */
  workingTime?: boolean;
}

/** A time limit as the catalogue states it (value + unit), or a same-day procedure. */
export type TimeLimit =
  | { value: number; unit: 'working_hours' | 'working_days' | 'calendar_days' }
  | { sameDay: true; /** The procedure's own cut-off "HH:MM" (default: the unit's, 15:00). */ cutoff?: string };

export type Timeliness = 'early' | 'on_time' | 'late';

/** The end of today's working day per subtree of units (`Calendar.workdayEnds`). */
export interface WorkdayEnds {
  /** Unit subtrees (materialised paths `/a/b/`) with their own working hours, longest path first: the first that holds a unit applies. */
  byPath: { path: string; end: Date }[];
  /** For every other unit, and tasks of no unit: the province's. */
  otherwise: Date;
}

/**
 * How long a duration lasts from a start instant. The engine asks it for every timer
 * `timeDuration` (working time when the timer says `motcua:workingTime="true"`), for user
 * task due dates (`camunda:dueDate` durations and `motcua:budgetHours`, both in working time),
 * passing the unit the instance or task belongs to. Synchronous: implementations keep what
 * they need in memory. boot.ts installs the working-time calendar (core/calendar); the rules
 * of each operation are in core/calendar/working-time.ts.
 */
export interface Calendar {
  addDuration(start: Date, isoDuration: string, context: CalendarContext): Date;
  /** `start` + working hours of the unit (a step budget). */
  addWorkingHours(start: Date, hours: number, context: { unitId: string | null }): Date;
  /** The due time of a limit received at `receivedAt` (receipt after hours counts from the next working morning). */
  dueAt(receivedAt: Date, limit: TimeLimit, context: { unitId: string | null }): Date;
  /** Working time between two instants, in milliseconds (negative when `to` is earlier). */
  workingTimeBetween(from: Date, to: Date, context: { unitId: string | null }): number;
  /** A finish against its due time: late after it, early on an earlier day, else on time. */
  classify(finishedAt: Date, dueAt: Date): Timeliness;
  /**
   * The end of the working day that `at` falls on (Vietnam date) for the unit: the close of its
   * last working period that day. A day that is not a working day for the unit has no working
   * time to be due in: its 00:00 (nothing of that day is still ahead).
   */
  workdayEnd(at: Date, context: { unitId: string | null }): Date;
  /**
   * `workdayEnd` for every unit at once, for a query: the units whose own working hours apply
   * (their override reaches their subtree), nearest first (longest path first), and the province's.
   */
  workdayEnds(at: Date): WorkdayEnds;
  /** Called after a transaction that edited the calendar committed: reload what is cached. */
  changed?(): Promise<void>;
}

function parse(isoDuration: string) {
  const d = parseDuration(isoDuration);
  if (!d) throw new AppError('process.engine_error', `Not an ISO 8601 duration: "${isoDuration}"`);
  return d;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const OFFSET_MS = 7 * HOUR_MS;

/** Plain calendar time: every hour of every day counts; no holidays, no working hours. */
export const plainCalendar: Calendar = {
  addDuration(start, isoDuration) {
    return addDuration(start, parse(isoDuration));
  },
  addWorkingHours(start, hours) {
    return new Date(start.getTime() + Math.round(hours * HOUR_MS));
  },
  dueAt(receivedAt, limit) {
    if ('sameDay' in limit) return new Date((Math.floor((receivedAt.getTime() + OFFSET_MS) / DAY_MS) + 1) * DAY_MS - OFFSET_MS);
    const perUnit = limit.unit === 'working_hours' ? HOUR_MS : limit.unit === 'working_days' ? 8 * HOUR_MS : DAY_MS;
    return new Date(receivedAt.getTime() + Math.round(limit.value * perUnit));
  },
  workingTimeBetween(from, to) {
    return to.getTime() - from.getTime();
  },
  classify(finishedAt, dueAt) {
    if (finishedAt.getTime() > dueAt.getTime()) return 'late';
    const day = (d: Date) => Math.floor((d.getTime() + OFFSET_MS) / DAY_MS);
    return day(finishedAt) < day(dueAt) ? 'early' : 'on_time';
  },
  workdayEnd(at) {
    return new Date((Math.floor((at.getTime() + OFFSET_MS) / DAY_MS) + 1) * DAY_MS - OFFSET_MS);
  },
  workdayEnds(at) {
    return { byPath: [], otherwise: this.workdayEnd(at, { unitId: null }) };
  },
};
