import { z } from 'zod';
import { parseClock } from './working-time.ts';

/**
 * The calendar as data: one document per year (the province's table, shipped in
 * core/calendar/data/<year>.json, imported, edited by admins) and per-unit overrides.
 */

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d);
  }, 'a real calendar date');
const clock = z.string().refine((v) => parseClock(v) !== null, 'a time HH:MM (00:00–24:00)');

export const calendarDay = z.object({ date: isoDate, name: z.string().trim().min(1).max(200) }).strict();

export const workingPeriod = z.object({ start: clock, end: clock }).strict();

/** Periods in order, each non-empty, not overlapping. */
export const workingHours = z
  .array(workingPeriod)
  .min(1)
  .max(6)
  .refine(
    (ps) =>
      ps.every((p, i) => parseClock(p.start)! < parseClock(p.end)! && (i === 0 || parseClock(ps[i - 1].end)! <= parseClock(p.start)!)),
    'working periods must be in order, each ending after it starts, not overlapping',
  );

export const weeklyPattern = z
  .array(z.number().int().min(0).max(6))
  .max(7)
  .refine((w) => new Set(w).size === w.length, 'a weekday appears twice')
  .describe('Working weekdays: 0 = Sunday … 6 = Saturday');

export const DEFAULT_WEEKLY = [1, 2, 3, 4, 5];
export const DEFAULT_HOURS = [
  { start: '07:00', end: '11:30' },
  { start: '13:30', end: '17:00' },
];
export const DEFAULT_CUTOFF = '15:00';

/** The years a calendar table may be kept for; deadlines are counted for receipts within them. */
export const CALENDAR_YEARS = { first: 1990, last: 2200 } as const;

export const yearStatus = z.enum(['confirmed', 'proposed']);

export const calendarYear = z
  .object({
    year: z.number().int().min(CALENDAR_YEARS.first).max(CALENDAR_YEARS.last),
    status: yearStatus.default('confirmed'),
    weekly: weeklyPattern.default(DEFAULT_WEEKLY),
    hours: workingHours.default(DEFAULT_HOURS),
    cutoff: clock.default(DEFAULT_CUTOFF),
    holidays: z.array(calendarDay).max(100).default([]),
    makeUpDays: z.array(calendarDay).max(50).default([]),
    /** Where the dates come from (the decision or notice), or how they were proposed. */
    source: z.string().max(1000).nullable().default(null),
  })
  .strict()
  .superRefine((y, ctx) => {
    const seen = new Set<string>();
    for (const [list, key] of [
      [y.holidays, 'holidays'],
      [y.makeUpDays, 'makeUpDays'],
    ] as const) {
      list.forEach((d, i) => {
        if (!d.date.startsWith(`${y.year}-`))
          ctx.addIssue({ code: 'custom', path: [key, i, 'date'], message: `${d.date} is not in ${y.year}` });
        if (seen.has(d.date)) ctx.addIssue({ code: 'custom', path: [key, i, 'date'], message: `${d.date} is listed twice` });
        seen.add(d.date);
      });
    }
  });

export type CalendarYear = z.output<typeof calendarYear>;
export type CalendarYearInput = z.input<typeof calendarYear>;
export type CalendarDay = z.output<typeof calendarDay>;

/** A unit's departures from the province calendar; fields left null follow the province. */
export const unitOverride = z
  .object({
    weekly: weeklyPattern.nullable().default(null),
    hours: workingHours.nullable().default(null),
    cutoff: clock.nullable().default(null),
    /** Extra days off of this unit (a local holiday). */
    holidays: z.array(calendarDay).max(100).default([]),
    /** Extra working days of this unit. */
    makeUpDays: z.array(calendarDay).max(50).default([]),
  })
  .strict();

export type UnitOverride = z.output<typeof unitOverride>;
export type UnitOverrideInput = z.input<typeof unitOverride>;
