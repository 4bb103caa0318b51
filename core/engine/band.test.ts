import { describe, expect, it } from 'vitest';
import { rulesFrom } from '../calendar/rules.ts';
import { proposeYear } from '../calendar/propose.ts';
import { shippedYears } from '../calendar/working-calendar.ts';
import { workingTimeBetween } from '../calendar/working-time.ts';
import { timeLeft } from './band.ts';

/**
 * The band rule (band.ts, docs/api.md § Time bands) on the province calendar as shipped:
 * Monday–Friday 07:00–11:30 and 13:30–17:00, so every expected time below is counted by hand.
 */
const province = rulesFrom((y) => shippedYears.get(y) ?? proposeYear(y));
const calendar = { workingTimeBetween: (from: Date, to: Date) => workingTimeBetween(province, from, to) };
const at = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);

describe('the band of a step: overdue, due within 4 working hours, more than half its budget left, else on time', () => {
  it.each([
    // Lunch: Monday 10:00 → 16:00 is six hours on the clock but 90 + 150 = 240 working minutes: due soon (4 h, included).
    ['Mon 10:00, due Mon 16:00 (lunch in between)', '2026-03-02 10:00', '2026-03-02 07:00', '2026-03-02 16:00', 240, 'due_soon'],
    ['Mon 10:00, due Mon 16:01: one minute more', '2026-03-02 10:00', '2026-03-02 07:00', '2026-03-02 16:01', 241, 'early'],
    // Weekend: created Thu 07:00, due Tue 07:00 = Thu, Fri, Mon = 1440 working minutes.
    ['Fri 09:00 of a Thu → Tue step: 360 + 480 left', '2026-03-06 09:00', '2026-03-05 07:00', '2026-03-10 07:00', 840, 'early'],
    ['Fri 17:00: only Monday left, half or less', '2026-03-06 17:00', '2026-03-05 07:00', '2026-03-10 07:00', 480, 'on_time'],
    ['Sat 10:00: the weekend takes nothing', '2026-03-07 10:00', '2026-03-05 07:00', '2026-03-10 07:00', 480, 'on_time'],
    ['Mon 13:30: the afternoon left', '2026-03-09 13:30', '2026-03-05 07:00', '2026-03-10 07:00', 210, 'due_soon'],
    ['Tue 07:01: one minute late', '2026-03-10 07:01', '2026-03-05 07:00', '2026-03-10 07:00', -1, 'overdue'],
    // Half of the budget exactly is not more than half: Mon 07:00 → Wed 07:00 is 960 minutes.
    ['Mon 17:00 of a two-day step: 480 of 960 left', '2026-03-02 17:00', '2026-03-02 07:00', '2026-03-04 07:00', 480, 'on_time'],
    ['Mon 16:59: 481 of 960 left', '2026-03-02 16:59', '2026-03-02 07:00', '2026-03-04 07:00', 481, 'early'],
    // Due Friday 17:00, now Saturday: no working time passed, yet the due time has.
    ['Sat 10:00 of a step due Fri 17:00', '2026-03-07 10:00', '2026-03-06 07:00', '2026-03-06 17:00', 0, 'overdue'],
    // A budget of 4 working hours or less is due soon from its start.
    ['a two-hour step just started', '2026-03-02 07:00', '2026-03-02 07:00', '2026-03-02 09:00', 120, 'due_soon'],
  ])('Given %s, Then the working minutes left and the band are as counted by hand', (_, now, start, due, minutes, band) => {
    expect(timeLeft(calendar, at(now), at(start), at(due), null)).toEqual({ remainingWorkingMinutes: minutes, band });
  });

  it('Given no due time, Then neither time left nor band', () => {
    expect(timeLeft(calendar, at('2026-03-02 10:00'), at('2026-03-02 07:00'), null, null)).toEqual({
      remainingWorkingMinutes: null,
      band: null,
    });
  });

  it('Given no start (a dossier never received), Then a due time more than 4 working hours away counts as early', () => {
    expect(timeLeft(calendar, at('2026-03-02 07:00'), null, at('2026-03-03 07:00'), null)).toEqual({
      remainingWorkingMinutes: 480,
      band: 'early',
    });
  });
});
