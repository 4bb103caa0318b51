import { DEFAULT_CUTOFF, DEFAULT_HOURS, DEFAULT_WEEKLY, type CalendarDay, type CalendarYear } from './model.ts';
import { dayToLunar, lunarToDay, tetDay } from './lunar.ts';
import { dateOfDay, dayOfDate, weekdayOf } from './working-time.ts';

/**
 * A *proposed* year: the holidays of the Labour Code 2019 art. 112 placed by rule, for an
 * admin to correct and confirm (the Prime Minister fixes the real dates and swaps every year):
 * - New Year 1 Jan; Hùng Kings day 10/3 lunar; 30 Apr; 1 May;
 * - National Day 2 Sep plus one adjacent day: 1 Sep when 2 Sep is a Tuesday, Wednesday,
 *   Friday or Saturday, else 3 Sep (so the two days join a weekend where they can);
 * - Tết: five days, the last day of the lunar year and the first four of the new one;
 * - a day off that falls on a Saturday or Sunday is compensated on the next weekday that is
 *   not already off ("nghỉ bù"). No make-up working days are proposed.
 */

const isWeekend = (day: number) => weekdayOf(day) === 0 || weekdayOf(day) === 6;

export function proposeYear(year: number): CalendarYear {
  const off = new Map<number, string>();
  const add = (day: number, name: string) => {
    if (new Date(day * 86_400_000).getUTCFullYear() === year && !off.has(day)) off.set(day, name);
  };
  const fixed: [number, string][] = [
    [dayOfDate(`${year}-01-01`), 'Tết Dương lịch'],
    [lunarToDay(year, 3, 10), 'Giỗ Tổ Hùng Vương (10/3 âm lịch)'],
    [dayOfDate(`${year}-04-30`), 'Ngày Giải phóng miền Nam, thống nhất đất nước'],
    [dayOfDate(`${year}-05-01`), 'Ngày Quốc tế Lao động'],
    [dayOfDate(`${year}-09-02`), 'Quốc khánh'],
  ];
  const national = dayOfDate(`${year}-09-02`);
  const adjacent = [2, 3, 5, 6].includes(weekdayOf(national)) ? national - 1 : national + 1;
  fixed.push([adjacent, 'Quốc khánh (ngày liền kề)']);
  // Tết of this year, and of the next when its eve falls in late December (never in practice, kept for safety).
  const tet = tetDay(year);
  for (let d = tet - 1; d <= tet + 3; d++) {
    const l = dayToLunar(d);
    fixed.push([d, d < tet ? `Tết Nguyên đán (${l.day} tháng Chạp)` : `Tết Nguyên đán (mùng ${l.day} tháng Giêng)`]);
  }
  for (const [day, name] of fixed) add(day, name);
  for (const [day, name] of [...off.entries()].sort((a, b) => a[0] - b[0])) {
    if (!isWeekend(day)) continue;
    let d = day + 1;
    while (isWeekend(d) || off.has(d)) d++;
    add(d, `Nghỉ bù ${name}`);
  }
  const holidays: CalendarDay[] = [...off.entries()].sort((a, b) => a[0] - b[0]).map(([d, name]) => ({ date: dateOfDay(d), name }));
  return {
    year,
    status: 'proposed',
    weekly: [...DEFAULT_WEEKLY],
    hours: DEFAULT_HOURS.map((h) => ({ ...h })),
    cutoff: DEFAULT_CUTOFF,
    holidays,
    makeUpDays: [],
    source: 'Đề xuất tự động theo Bộ luật Lao động 2019 điều 112 và âm lịch Việt Nam (UTC+7); cần quản trị viên xác nhận',
  };
}
