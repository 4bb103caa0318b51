import { describe, expect, it } from 'vitest';
import { rulesFrom, overrideFor } from './rules.ts';
import { shippedYears } from './working-calendar.ts';
import { proposeYear } from './propose.ts';
import { unitOverride } from './model.ts';
import { addDuration, classify, dayOf, minuteOf, receive, sameDayDue, workingTimeBetween, type DurationUnit } from './working-time.ts';

/** Local Vietnam time "YYYY-MM-DD HH:MM" ⇄ instants. */
const at = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);
const show = (d: Date) => new Date(d.getTime() + 7 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
const H = 3600_000;

// The province calendar as shipped: 2025 and 2026 as announced, later years proposed.
const province = rulesFrom((y) => shippedYears.get(y) ?? proposeYear(y));

describe('receipt (DOMAIN §5: before opening, lunch, after hours, days off)', () => {
  it.each([
    ['2026-03-02 06:30', '2026-03-02 07:00', 'before opening snaps to opening'],
    ['2026-03-02 09:15', '2026-03-02 09:15', 'inside working hours stays'],
    ['2026-03-02 11:30', '2026-03-02 13:30', 'lunch starts at 11:30'],
    ['2026-03-02 12:00', '2026-03-02 13:30', 'during lunch snaps to 13:30'],
    ['2026-03-02 17:00', '2026-03-03 07:00', 'closing time rolls to the next morning'],
    ['2026-03-02 19:00', '2026-03-03 07:00', 'after hours rolls to the next working morning'],
    ['2026-03-06 18:00', '2026-03-09 07:00', 'Friday evening rolls over the weekend'],
    ['2026-03-07 09:00', '2026-03-09 07:00', 'Saturday rolls to Monday'],
    ['2026-04-27 09:00', '2026-04-28 07:00', 'Hùng Kings day off (Mon 27 Apr 2026) rolls to Tuesday'],
    ['2026-02-13 17:30', '2026-02-23 07:00', 'Friday before Tết rolls over the nine days off'],
    ['2026-01-10 09:00', '2026-01-10 09:00', 'the make-up Saturday 10 Jan 2026 works'],
    ['2026-01-02 09:00', '2026-01-05 07:00', 'Friday 2 Jan 2026, swapped off, rolls to Monday'],
    ['2025-12-31 17:30', '2026-01-05 07:00', 'year boundary: New Year, swap day and weekend'],
    ['2026-08-22 09:00', '2026-08-22 09:00', 'the make-up Saturday 22 Aug 2026 works'],
    ['2026-08-28 17:30', '2026-09-03 07:00', 'National Day 2026: 29 Aug – 2 Sep off (31 Aug swapped)'],
    ['2025-04-26 08:00', '2025-04-26 08:00', 'the make-up Saturday 26 Apr 2025 works'],
    ['2025-05-02 08:00', '2025-05-05 07:00', 'Friday 2 May 2025, swapped off'],
    ['2025-01-24 17:05', '2025-02-03 07:00', 'Tết 2025: 25 Jan – 2 Feb off'],
  ])('%s → %s (%s)', (given, expected) => {
    expect(show(receive(province, at(given)))).toBe(expected);
  });
});

describe('adding a duration (working hours, working days of 8 h, calendar days)', () => {
  it.each<[string, number, DurationUnit, string, string]>([
    ['2026-03-06 16:00', 16, 'working_hours', '2026-03-10 16:00', 'a 16 h step received Friday 16:00'],
    ['2026-03-02 07:00', 8, 'working_hours', '2026-03-02 17:00', 'a full day ends at closing, not next morning'],
    ['2026-03-02 07:00', 4.5, 'working_hours', '2026-03-02 11:30', 'a morning ends at lunch'],
    ['2026-03-02 11:00', 1, 'working_hours', '2026-03-02 14:00', 'lunch does not count'],
    ['2026-03-02 12:00', 2, 'working_hours', '2026-03-02 15:30', 'received during lunch counts from 13:30'],
    ['2026-03-02 18:00', 1, 'working_hours', '2026-03-03 08:00', 'received after hours counts from the next morning'],
    ['2026-03-02 08:00', 5, 'working_days', '2026-03-09 08:00', 'five working days skip the weekend'],
    ['2026-03-02 07:00', 0.5, 'working_days', '2026-03-02 11:00', 'half a working day is 4 h'],
    ['2026-02-13 10:00', 5, 'working_days', '2026-02-27 10:00', 'Tết 2026 does not count'],
    ['2026-01-08 10:00', 3, 'working_days', '2026-01-12 10:00', 'the make-up Saturday counts'],
    ['2025-12-31 10:00', 1, 'working_days', '2026-01-05 10:00', 'across the year boundary'],
    ['2026-04-24 10:00', 1, 'working_days', '2026-04-28 10:00', 'Hùng Kings day off in lieu'],
    ['2026-03-02 09:00', 10, 'calendar_days', '2026-03-12 09:00', 'calendar days count every day'],
    ['2026-03-02 09:00', 5, 'calendar_days', '2026-03-09 17:00', 'landing on Saturday → close of Monday'],
    ['2026-01-15 10:00', 30, 'calendar_days', '2026-02-23 17:00', 'landing in Tết → close of the first day back'],
    ['2026-04-29 10:00', 1, 'calendar_days', '2026-05-04 17:00', 'landing on 30 Apr → over 1 May and the weekend'],
  ])('%s + %s %s = %s (%s)', (start, amount, unit, expected) => {
    expect(show(addDuration(province, at(start), amount, unit))).toBe(expected);
  });

  it('refuses negative or non-finite amounts', () => {
    expect(() => addDuration(province, at('2026-03-02 08:00'), -1, 'working_hours')).toThrow(RangeError);
    expect(() => addDuration(province, at('2026-03-02 08:00'), Number.NaN, 'working_days')).toThrow(RangeError);
  });
});

describe('same-day procedures and the birth bundle’s civil-status step (cut-off 15:00)', () => {
  it.each([
    ['2026-03-02 10:00', '2026-03-02 17:00', 'morning → 17:00 the same day'],
    ['2026-03-02 14:59', '2026-03-02 17:00', 'just before the cut-off'],
    ['2026-03-02 15:00', '2026-03-03 17:00', 'at the cut-off → next working day'],
    ['2026-03-02 16:30', '2026-03-03 17:00', 'after the cut-off → next working day'],
    ['2026-03-02 18:00', '2026-03-03 17:00', 'after hours → next working day'],
    ['2026-03-02 06:00', '2026-03-02 17:00', 'before opening → the same day'],
    ['2026-03-02 12:00', '2026-03-02 17:00', 'during lunch → the same day'],
    ['2026-03-06 15:30', '2026-03-09 17:00', 'Friday after the cut-off → Monday'],
    ['2026-03-07 10:00', '2026-03-09 17:00', 'Saturday → Monday'],
    ['2026-04-24 15:10', '2026-04-28 17:00', 'Friday after the cut-off, Monday off → Tuesday'],
  ])('received %s → due %s (%s)', (received, due) => {
    expect(show(sameDayDue(province, at(received)))).toBe(due);
  });
});

describe('working time between two instants', () => {
  it.each([
    ['2026-03-02 07:00', '2026-03-02 17:00', 8],
    ['2026-03-02 11:00', '2026-03-02 14:00', 1],
    ['2026-03-06 16:00', '2026-03-10 16:00', 16],
    ['2026-02-13 07:00', '2026-02-23 07:00', 8],
    ['2026-03-02 17:00', '2026-03-02 07:00', -8],
    ['2026-03-02 09:00', '2026-03-02 09:00', 0],
    ['2026-03-07 09:00', '2026-03-08 18:00', 0],
    ['2026-01-10 00:00', '2026-01-11 00:00', 8],
  ])('%s → %s = %s h', (from, to, hours) => {
    expect(workingTimeBetween(province, at(from), at(to)) / H).toBe(hours);
  });
});

describe('classifying a finish against its due time', () => {
  it.each([
    ['2026-03-05 10:00', '2026-03-06 17:00', 'early'],
    ['2026-03-06 09:00', '2026-03-06 17:00', 'on_time'],
    ['2026-03-06 17:00', '2026-03-06 17:00', 'on_time'],
    ['2026-03-06 17:01', '2026-03-06 17:00', 'late'],
    ['2026-03-09 08:00', '2026-03-06 17:00', 'late'],
  ])('finished %s, due %s → %s', (finished, due, expected) => {
    expect(classify(at(finished), at(due))).toBe(expected);
  });
});

describe('a unit with its own hours, cut-off and days', () => {
  const own = unitOverride.parse({
    hours: [
      { start: '07:30', end: '11:30' },
      { start: '13:00', end: '17:00' },
    ],
    cutoff: '16:00',
    holidays: [{ date: '2026-03-03', name: 'Ngày truyền thống của ngành' }],
    makeUpDays: [{ date: '2026-03-07', name: 'Làm bù' }],
  });
  const unit = rulesFrom((y) => shippedYears.get(y) ?? proposeYear(y), own);

  it.each([
    ['receive', '2026-03-02 07:10', '2026-03-02 07:30'],
    ['receive', '2026-03-02 12:30', '2026-03-02 13:00'],
    ['receive', '2026-03-03 09:00', '2026-03-04 07:30'],
    ['receive', '2026-03-07 09:00', '2026-03-07 09:00'],
    ['sameDay', '2026-03-02 15:30', '2026-03-02 17:00'],
    ['sameDay', '2026-03-02 16:00', '2026-03-04 17:00'],
    ['8h', '2026-03-02 08:00', '2026-03-04 08:00'],
  ])('%s %s → %s', (op, given, expected) => {
    const r =
      op === 'receive'
        ? receive(unit, at(given))
        : op === 'sameDay'
          ? sameDayDue(unit, at(given))
          : addDuration(unit, at(given), 8, 'working_hours');
    expect(show(r)).toBe(expected);
  });

  it('still keeps the province’s days off', () => {
    expect(show(receive(unit, at('2026-04-27 09:00')))).toBe('2026-04-28 07:30');
  });

  it('applies to subunits: the nearest ancestor with an override wins', () => {
    const overrides = new Map([
      ['root', own],
      ['dept', unitOverride.parse({ cutoff: '14:00' })],
    ]);
    expect(overrideFor('/root/dept/desk/', overrides)?.unitId).toBe('dept');
    expect(overrideFor('/root/other/', overrides)?.unitId).toBe('root');
    expect(overrideFor('/elsewhere/', overrides)).toBeNull();
    expect(overrideFor(null, overrides)).toBeNull();
  });
});

describe('local day and minute', () => {
  it('hold before 1970 too (a negative remainder once made the minute negative)', () => {
    for (const local of ['1969-12-31 08:30', '1960-06-15 23:59', '1970-01-01 00:00', '2026-03-02 13:30']) {
      const [h, m] = local.slice(11).split(':').map(Number);
      expect(minuteOf(at(local)), local).toBe(h * 60 + m);
      expect(new Date(dayOf(at(local)) * 86_400_000).toISOString().slice(0, 10), local).toBe(local.slice(0, 10));
    }
  });
});
