import { describe, expect, it } from 'vitest';
import { addDuration, nextOccurrence, parseCycle, parseDuration, parseInstant } from './iso-time.ts';
import { plainCalendar } from './calendar.ts';
import { timerDueAt } from './timers.ts';

const at = (iso: string) => new Date(iso);

describe('ISO 8601 timer values', () => {
  it('adds durations on the local calendar (UTC+7): months clamp to the month end', () => {
    const d = (s: string) => parseDuration(s)!;
    expect(addDuration(at('2026-03-02T01:00:00Z'), d('P60D')).toISOString()).toBe('2026-05-01T01:00:00.000Z');
    expect(addDuration(at('2026-03-02T01:00:00Z'), d('PT4H30M')).toISOString()).toBe('2026-03-02T05:30:00.000Z');
    // 31 January 10:00 local (03:00Z) + 1 month = 28 February, same time
    expect(addDuration(at('2026-01-31T03:00:00Z'), d('P1M')).toISOString()).toBe('2026-02-28T03:00:00.000Z');
    // 31 January 20:00Z is already 1 February local: + 1 month = 1 March local
    expect(addDuration(at('2026-01-31T20:00:00Z'), d('P1M')).toISOString()).toBe('2026-02-28T20:00:00.000Z');
    expect(addDuration(at('2026-03-02T01:00:00Z'), d('P1W')).toISOString()).toBe('2026-03-09T01:00:00.000Z');
    expect(parseDuration('PT0.5S')).toMatchObject({ seconds: 0.5 });
    for (const bad of ['P', 'PT', '1D', 'P1DT', 'P1H', '${x}']) expect(parseDuration(bad), bad).toBeNull();
  });

  it('reads instants: without an offset they are local time', () => {
    expect(parseInstant('2031-06-01T08:00:00+07:00')!.toISOString()).toBe('2031-06-01T01:00:00.000Z');
    expect(parseInstant('2031-06-01T08:00:00')!.toISOString()).toBe('2031-06-01T01:00:00.000Z');
    expect(parseInstant('2031-06-01')!.toISOString()).toBe('2031-05-31T17:00:00.000Z');
    expect(parseInstant('2031-06-01T01:00Z')!.toISOString()).toBe('2031-06-01T01:00:00.000Z');
    expect(parseInstant('2027-02-30T00:00:00Z')).toBeNull();
    expect(parseInstant('tomorrow')).toBeNull();
  });

  it('reads cycles and finds their next occurrence', () => {
    expect(parseCycle('R3/P1D')).toMatchObject({ repeat: 3, start: null });
    expect(parseCycle('R/PT1H')).toMatchObject({ repeat: -1 });
    expect(parseCycle('R-1/PT1H')).toMatchObject({ repeat: -1 });
    expect(parseCycle('R0/PT1H')).toBeNull();
    expect(parseCycle('R2/P1D/2026-01-01')).toBeNull();
    const now = at('2026-03-02T01:00:00Z');
    expect(nextOccurrence(parseCycle('R2/PT4H')!, now)!.toISOString()).toBe('2026-03-02T05:00:00.000Z');
    const daily = parseCycle('R3/2026-03-01T08:00:00+07:00/P1D')!;
    // Occurrences 1, 2 and 3 March at 08:00 local; now is exactly the second: the next is the third
    expect(nextOccurrence(daily, now)!.toISOString()).toBe('2026-03-03T01:00:00.000Z');
    expect(nextOccurrence(daily, at('2026-03-01T00:00:00Z'))!.toISOString()).toBe('2026-03-01T01:00:00.000Z');
    expect(nextOccurrence(daily, at('2026-03-03T01:00:00Z'))).toBeNull();
    expect(nextOccurrence(parseCycle('R/2020-01-01T00:00:00Z/PT1M')!, now)!.toISOString()).toBe('2026-03-02T01:01:00.000Z');
  });

  it('computes a timer’s due time from the injected clock and the calendar', () => {
    const now = at('2026-03-02T01:00:00Z');
    const ctx = { now, calendar: plainCalendar, unitId: null };
    expect(timerDueAt({ timeDuration: 'P90D', timeDate: null, timeCycle: null }, ctx).toISOString()).toBe('2026-05-31T01:00:00.000Z');
    expect(timerDueAt({ timeDuration: null, timeDate: '2031-01-01T00:00:00Z', timeCycle: null }, ctx).toISOString()).toBe(
      '2031-01-01T00:00:00.000Z',
    );
    expect(
      timerDueAt({ timeDuration: null, timeDate: null, timeCycle: 'R2/PT4H' }, { ...ctx, after: at('2026-03-02T00:00:00Z') }).toISOString(),
    ).toBe('2026-03-02T04:00:00.000Z');
    // The calendar hook decides what a duration means (a working-time calendar later)
    const seen: unknown[] = [];
    const calendar = {
      addDuration: (start: Date, iso: string, c: { unitId: string | null }) => (seen.push([iso, c.unitId]), new Date(start.getTime() + 1)),
    };
    expect(timerDueAt({ timeDuration: 'P1D', timeDate: null, timeCycle: null }, { now, calendar, unitId: 'u1' }).getTime()).toBe(
      now.getTime() + 1,
    );
    expect(seen).toEqual([['P1D', 'u1']]);
    expect(() => timerDueAt({ timeDuration: null, timeDate: 'soon', timeCycle: null }, ctx)).toThrow(/timeDate/);
  });
});
