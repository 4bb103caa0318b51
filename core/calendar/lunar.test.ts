import { describe, expect, it } from 'vitest';
import { dayToLunar, lunarToDay, tetDay } from './lunar.ts';
import { proposeYear } from './propose.ts';
import { shippedYears } from './working-calendar.ts';
import { dateOfDay, dayOfDate } from './working-time.ts';

describe('the Vietnamese lunar calendar at UTC+7', () => {
  it.each([
    [1985, '1985-01-21', 'China: 20 Feb (month 11 differs)'],
    [2007, '2007-02-17', 'China: 18 Feb (new moon 23:14 in Vietnam, 00:14 in China)'],
    [2020, '2020-01-25', ''],
    [2024, '2024-02-10', ''],
    [2025, '2025-01-29', ''],
    [2026, '2026-02-17', ''],
    [2027, '2027-02-06', ''],
    // New moon 2030-02-02 16:08 UTC: 23:08 on 2 Feb in Vietnam, 00:08 on 3 Feb in China.
    [2030, '2030-02-02', 'China: 3 Feb'],
  ])('Tết %s is %s %s', (year, date) => {
    expect(dateOfDay(tetDay(year))).toBe(date);
  });

  it.each([
    [2024, '2024-04-18'],
    [2025, '2025-04-07'],
    [2026, '2026-04-26'],
  ])('Hùng Kings day (10/3) %s is %s', (year, date) => {
    expect(dateOfDay(lunarToDay(year, 3, 10))).toBe(date);
  });

  it('places leap months (2020: leap 4th, 2023: leap 2nd, 2025: leap 6th)', () => {
    expect(dateOfDay(lunarToDay(2020, 4, 1, true))).toBe('2020-05-23');
    expect(dateOfDay(lunarToDay(2023, 2, 1, true))).toBe('2023-03-22');
    expect(dateOfDay(lunarToDay(2023, 3, 1))).toBe('2023-04-20');
    expect(dateOfDay(lunarToDay(2025, 6, 1, true))).toBe('2025-07-25');
    expect(dayToLunar(dayOfDate('2025-07-30'))).toEqual({ year: 2025, month: 6, day: 6, leap: true });
    expect(() => lunarToDay(2026, 6, 1, true)).toThrow(RangeError);
  });

  it('names the last days of the lunar year', () => {
    expect(dayToLunar(dayOfDate('2026-02-16'))).toEqual({ year: 2025, month: 12, day: 29, leap: false });
    expect(dayToLunar(dayOfDate('2025-01-28'))).toEqual({ year: 2024, month: 12, day: 29, leap: false });
    expect(dateOfDay(lunarToDay(2025, 12, 27))).toBe('2026-02-14');
  });

  it('converts both ways consistently for four years, day by day', () => {
    for (let day = dayOfDate('2024-01-01'); day < dayOfDate('2028-01-01'); day++) {
      const l = dayToLunar(day);
      expect(lunarToDay(l.year, l.month, l.day, l.leap)).toBe(day);
    }
  });
});

describe('proposed years', () => {
  it('2026 proposed by rule has the announced Tết and Hùng Kings days off', () => {
    const proposed = proposeYear(2026).holidays.map((d) => d.date);
    const announced = shippedYears
      .get(2026)!
      .holidays.map((d) => d.date)
      .filter((d) => d !== '2026-01-02' && d !== '2026-08-31'); // swaps are decided, not derived
    expect(proposed).toEqual(expect.arrayContaining(announced));
    expect(proposeYear(2026).status).toBe('proposed');
  });

  it('2027: Tết 5–9 Feb with the weekend days compensated, 1 May (Saturday) compensated on Monday', () => {
    const days = proposeYear(2027).holidays.map((d) => d.date);
    expect(days).toEqual(
      expect.arrayContaining([
        '2027-01-01',
        '2027-02-05',
        '2027-02-08',
        '2027-02-09',
        '2027-02-10',
        '2027-02-11',
        '2027-04-16',
        '2027-04-30',
        '2027-05-03',
        '2027-09-02',
        '2027-09-03',
      ]),
    );
  });
});
