import type { Calendar, WorkdayEnds } from './calendar.ts';

/**
 * How much time a step (or a dossier) has left, as one colour band with a text label, the same
 * rule everywhere (docs/api.md § Time bands):
 * - `overdue`  its due time has passed (due < now);
 * - `due_soon` not overdue, and at most 4 working hours left (`DUE_SOON_MINUTES`);
 * - `early`    more than half of its budget left: remaining working time × 2 > the working time
 *              from its start (the task's creation, the dossier's receipt) to its due time;
 * - `on_time`  otherwise.
 * Working time is counted by the unit's calendar (holidays, lunch breaks, its own hours), so a
 * weekend or a lunch break never eats into what is left. Nothing due: no band.
 */
export type Band = 'early' | 'on_time' | 'due_soon' | 'overdue';

export const BANDS = ['early', 'on_time', 'due_soon', 'overdue'] as const;
/** Due within this many working minutes: `due_soon`. */
export const DUE_SOON_MINUTES = 4 * 60;

export interface TimeLeft {
  /** Working minutes from now to the due time (rounded); negative once it has passed. */
  remainingWorkingMinutes: number | null;
  band: Band | null;
}

/** The time left of something that started at `start` and is due at `due`, in `unitId`'s working time. */
export function timeLeft(
  calendar: Pick<Calendar, 'workingTimeBetween'>,
  now: Date,
  start: Date | null,
  due: Date | null,
  unitId: string | null,
): TimeLeft {
  if (!due) return { remainingWorkingMinutes: null, band: null };
  const remaining = calendar.workingTimeBetween(now, due, { unitId });
  const remainingWorkingMinutes = Math.round(remaining / 60_000) || 0;
  if (due.getTime() < now.getTime()) return { remainingWorkingMinutes, band: 'overdue' };
  if (remaining <= DUE_SOON_MINUTES * 60_000) return { remainingWorkingMinutes, band: 'due_soon' };
  const budget = start ? calendar.workingTimeBetween(start, due, { unitId }) : 0;
  return { remainingWorkingMinutes, band: remaining * 2 > budget ? 'early' : 'on_time' };
}

/**
 * "Due before the end of today's working day" as one SQL condition on `due` (a timestamp
 * column), by the calendar of the unit at `path` (a materialised path column, or NULL: the
 * province's). One CASE arm per subtree whose own hours apply, nearest first; each arm compares
 * the column with that subtree's end of day: it only filters the rows the rest of the statement
 * reads, so it changes no plan.
 */
export function beforeWorkdayEnd(ends: WorkdayEnds, due: string, path: string): { sql: string; params: unknown[] } {
  if (!ends.byPath.length) return { sql: `${due} <= ?`, params: [ends.otherwise] };
  const params: unknown[] = [];
  const arms = ends.byPath.map((e) => {
    params.push(`${e.path}%`, e.end);
    return `WHEN ${path} LIKE ? THEN ${due} <= ?`;
  });
  params.push(ends.otherwise);
  return { sql: `(CASE ${arms.join(' ')} ELSE ${due} <= ? END)`, params };
}
