import { describe, expect, it } from 'vitest';
import { formatTimeLeft } from './time-left.ts';

describe('the time left of a task, as the inbox writes it', () => {
  it('Given working minutes left under a day, Then Vietnamese and English say hours and minutes of working time', () => {
    expect(formatTimeLeft(180, 'vi')).toBe('Còn 3 giờ làm việc');
    expect(formatTimeLeft(180, 'en')).toBe('3 working hours left');
    expect(formatTimeLeft(90, 'vi')).toBe('Còn 1 giờ 30 phút làm việc');
    expect(formatTimeLeft(90, 'en')).toBe('1 working hour 30 minutes left');
    expect(formatTimeLeft(1, 'vi')).toBe('Còn 1 phút làm việc');
    expect(formatTimeLeft(1, 'en')).toBe('1 working minute left');
  });

  it('Given a day or more, Then days count 8 working hours and only the two largest units show', () => {
    expect(formatTimeLeft(480, 'vi')).toBe('Còn 1 ngày làm việc');
    expect(formatTimeLeft(480 * 2 + 125, 'vi')).toBe('Còn 2 ngày 2 giờ làm việc');
    expect(formatTimeLeft(480 * 2 + 125, 'en')).toBe('2 working days 2 hours left');
    // 1 day and 5 minutes: the minutes do not matter once a day is left, and no "0 giờ" is written
    expect(formatTimeLeft(485, 'vi')).toBe('Còn 1 ngày làm việc');
  });

  it('Given a passed due time (negative minutes), Then it says overdue by how much', () => {
    expect(formatTimeLeft(-1440, 'vi')).toBe('Quá hạn 3 ngày làm việc');
    expect(formatTimeLeft(-1440, 'en')).toBe('Overdue by 3 working days');
    expect(formatTimeLeft(-20, 'vi')).toBe('Quá hạn 20 phút làm việc');
    expect(formatTimeLeft(-60, 'en')).toBe('Overdue by 1 working hour');
  });

  it('Given no due time or exactly due, Then it says so instead of a number', () => {
    expect(formatTimeLeft(null, 'vi')).toBe('Không có hạn');
    expect(formatTimeLeft(null, 'en')).toBe('No due time');
    expect(formatTimeLeft(0, 'vi')).toBe('Đến hạn');
    expect(formatTimeLeft(0.4, 'en')).toBe('Due now');
  });
});
