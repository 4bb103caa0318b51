import { describe, expect, it } from 'vitest';
import { fill } from './fill.ts';
import { formatDate, formatDateTime, formatMoney, formatNumber, formatTime } from './format.ts';

describe('dates, times, numbers and đồng as the clerk UI writes them', () => {
  it('Given an instant late in the UTC evening, Then the date and time are Vietnam’s (next day, 24-hour)', () => {
    const at = '2026-03-06T17:30:00Z'; // 00:30 on 7 March in Vietnam (UTC+7)
    expect(formatDate(at)).toBe('07/03/2026');
    expect(formatTime(at)).toBe('00:30');
    expect(formatDateTime(new Date(at))).toBe('00:30 07/03/2026');
  });

  it('Given an afternoon instant, Then the time is written 24-hour with two-digit hours', () => {
    expect(formatTime('2026-12-31T09:05:00Z')).toBe('16:05');
    expect(formatDate('2026-12-31T09:05:00Z')).toBe('31/12/2026');
  });

  it('Given amounts, Then numbers group with dots and đồng end in " đ" that does not wrap', () => {
    expect(formatNumber(1250000)).toBe('1.250.000');
    expect(formatNumber(2.5)).toBe('2,5');
    expect(formatMoney(1250000)).toBe('1.250.000\u00a0đ');
    expect(formatMoney(0)).toBe('0\u00a0đ');
  });

  it('Given something that is not a date, Then it is refused, not printed as "Invalid Date"', () => {
    expect(() => formatDate('hôm qua')).toThrow(RangeError);
  });

  it('Given a sentence with placeholders, Then fill puts the values in and leaves unknown ones', () => {
    expect(fill('Chờ {seconds} giây ({x})', { seconds: 8 })).toBe('Chờ 8 giây ({x})');
  });
});
