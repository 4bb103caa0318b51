import { readdirSync, readFileSync } from 'node:fs';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import type { Calendar, CalendarContext, TimeLimit, Timeliness, WorkdayEnds } from '../engine/calendar.ts';
import { AppError } from '../errors.ts';
import { addDuration as addCalendarParts, parseDuration } from '../engine/iso-time.ts';
import { calendarYear, type CalendarYear } from './model.ts';
import { proposeYear } from './propose.ts';
import { overrideFor, rulesFrom } from './rules.ts';
import { loadSnapshot, revisionOf, type CalendarSnapshot } from './store.ts';
import {
  addDuration as addLimit,
  addWorkingTime,
  classify,
  closeOf,
  dayOf,
  HOURS_PER_WORKING_DAY,
  instantOf,
  isWorkingDay,
  onWorkingDay,
  parseClock,
  receive,
  sameDayDue,
  workingTimeBetween,
  type WorkingRules,
} from './working-time.ts';

/** The years shipped with the platform (core/calendar/data/<year>.json), as announced. */
export const shippedYears: ReadonlyMap<number, CalendarYear> = (() => {
  const dir = new URL('./data/', import.meta.url);
  const out = new Map<number, CalendarYear>();
  for (const file of readdirSync(dir)
    .filter((f) => /^\d{4}\.json$/.test(f))
    .sort()) {
    const doc = calendarYear.parse(JSON.parse(readFileSync(new URL(file, dir), 'utf8')));
    out.set(doc.year, doc);
  }
  return out;
})();

/** Where a year's table comes from: edited or imported (stored), shipped with the platform, or proposed by the lunar converter. */
export type YearOrigin = 'stored' | 'shipped' | 'computed';

const HOUR_MS = 3600_000;

/**
 * The working-time calendar the engine counts with (the `calendar` port). It keeps the small
 * calendar tables and the units' paths in memory, so the engine's synchronous calls never touch
 * the database. Freshness:
 * - on the node that edits, the route calls `changed()` after the commit: reloaded at once;
 * - every node polls `calendar_revision` (and the units' count and latest change) every
 *   `pollMs` (default 10 s) and reloads when it moved, so with several nodes on one
 *   PostgreSQL an edit reaches the others within that time (ADR 0008).
 * A year with no stored table uses the shipped one, else a proposal from the lunar converter.
 */
export class WorkingCalendar implements Calendar {
  private snap: CalendarSnapshot;
  private rules = new Map<string, WorkingRules>();
  private readonly computed = new Map<number, CalendarYear>();
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<unknown> | null = null;

  private constructor(
    private readonly db: Database,
    private readonly log: Logger,
    snap: CalendarSnapshot,
  ) {
    this.snap = snap;
  }

  static async load(db: Database, log: Logger, options: { pollMs?: number } = {}): Promise<WorkingCalendar> {
    const cal = new WorkingCalendar(db, log, await loadSnapshot(db.em()));
    const pollMs = options.pollMs ?? 10_000;
    if (pollMs > 0) {
      cal.timer = setInterval(() => void cal.poll(), pollMs);
      cal.timer.unref();
    }
    return cal;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The revision the cache holds. */
  get revision(): string {
    return this.snap.revision;
  }

  async changed(): Promise<void> {
    this.install(await loadSnapshot(this.db.em()));
  }

  /** Reloads when another node (or a unit move) changed what the cache holds. */
  async poll(): Promise<boolean> {
    try {
      if ((await revisionOf(this.db.em())) === this.snap.revision) return false;
      await this.changed();
      return true;
    } catch (err) {
      this.log.warn({ err }, 'calendar refresh failed; counting with the cached calendar');
      return false;
    }
  }

  private refreshSoon(): void {
    if (this.refreshing || !this.timer) return;
    this.refreshing = this.poll().finally(() => (this.refreshing = null));
  }

  private install(snap: CalendarSnapshot): void {
    this.snap = snap;
    this.rules = new Map();
  }

  /** The table of a year and where it comes from. */
  year(year: number): { calendar: CalendarYear; origin: YearOrigin } {
    const stored = this.snap.years.get(year);
    if (stored) return { calendar: stored, origin: 'stored' };
    const shipped = shippedYears.get(year);
    if (shipped) return { calendar: shipped, origin: 'shipped' };
    let c = this.computed.get(year);
    if (!c) this.computed.set(year, (c = proposeYear(year)));
    return { calendar: c, origin: 'computed' };
  }

  /** The working rules of a unit (province rules when null or unknown). */
  rulesFor(unitId: string | null): WorkingRules {
    const key = unitId ?? '';
    let r = this.rules.get(key);
    if (!r) {
      const path = unitId ? (this.snap.unitPaths.get(unitId) ?? null) : null;
      // A unit created since the last load: count with the province's rules now, reload soon.
      if (unitId && path === null) {
        this.refreshSoon();
        return rulesFrom((y) => this.year(y).calendar, null);
      }
      const found = overrideFor(path, this.snap.overrides);
      r = rulesFrom((y) => this.year(y).calendar, found?.override ?? null);
      this.rules.set(key, r);
    }
    return r;
  }

  /** The unit whose override applies to a unit (itself or its nearest ancestor), if any. */
  overrideOwner(unitId: string): string | null {
    return overrideFor(this.snap.unitPaths.get(unitId) ?? null, this.snap.overrides)?.unitId ?? null;
  }

  addDuration(start: Date, isoDuration: string, context: CalendarContext): Date {
    const d = parseDuration(isoDuration);
    if (!d) throw new AppError('process.engine_error', `Not an ISO 8601 duration: "${isoDuration}"`);
    if (!context.workingTime) return addCalendarParts(start, d);
    const rules = this.rulesFor(context.unitId);
    let at = start;
    if (d.years || d.months)
      at = onWorkingDay(
        rules,
        addCalendarParts(start, { years: d.years, months: d.months, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 }),
      );
    const hours = (d.weeks * 5 + d.days) * HOURS_PER_WORKING_DAY + d.hours + d.minutes / 60 + d.seconds / 3600;
    return addWorkingTime(rules, at, Math.round(hours * HOUR_MS));
  }

  addWorkingHours(start: Date, hours: number, context: { unitId: string | null }): Date {
    return addWorkingTime(this.rulesFor(context.unitId), start, Math.round(hours * HOUR_MS));
  }

  dueAt(receivedAt: Date, limit: TimeLimit, context: { unitId: string | null }): Date {
    const rules = this.rulesFor(context.unitId);
    if ('sameDay' in limit) {
      const cutoff = limit.cutoff === undefined ? undefined : parseClock(limit.cutoff);
      if (cutoff === null) throw new AppError('request.invalid', `Not a cut-off time HH:MM: "${limit.cutoff}"`);
      return sameDayDue(rules, receivedAt, cutoff);
    }
    // Calendar days count from the receipt as normalised (rule 3), like working time does.
    return addLimit(rules, limit.unit === 'calendar_days' ? receive(rules, receivedAt) : receivedAt, limit.value, limit.unit);
  }

  workingTimeBetween(from: Date, to: Date, context: { unitId: string | null }): number {
    return workingTimeBetween(this.rulesFor(context.unitId), from, to);
  }

  classify(finishedAt: Date, dueAt: Date): Timeliness {
    return classify(finishedAt, dueAt);
  }

  workdayEnd(at: Date, context: { unitId: string | null }): Date {
    const rules = this.rulesFor(context.unitId);
    const day = dayOf(at);
    return isWorkingDay(rules, day) ? closeOf(rules, day) : new Date(instantOf(day, 0));
  }

  workdayEnds(at: Date): WorkdayEnds {
    const byPath = [...this.snap.overrides.keys()]
      .map((unitId) => ({ unitId, path: this.snap.unitPaths.get(unitId) }))
      .filter((u): u is { unitId: string; path: string } => !!u.path)
      .sort((a, b) => b.path.length - a.path.length || (a.path < b.path ? -1 : 1))
      .map((u) => ({ path: u.path, end: this.workdayEnd(at, { unitId: u.unitId }) }));
    return { byPath, otherwise: this.workdayEnd(at, { unitId: null }) };
  }
}
