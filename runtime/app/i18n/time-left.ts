import type { Language } from './locale.ts';

/**
 * Time left of a task as the inbox writes it, from the API's `remainingWorkingMinutes` (working
 * minutes in the unit's calendar, negative once overdue; docs/api.md § Time bands). A working
 * day is 8 working hours, as the shipped calendar counts it. The two largest units are shown
 * ("Còn 1 ngày 2 giờ làm việc"), nothing finer: a clerk plans by hours, not minutes, once a
 * day is left. English needs plurals, so both languages are written here rather than through
 * the message catalogue; the tests cover both (time-left.test.ts).
 */
export const WORKING_DAY_MINUTES = 8 * 60;

type Unit = 'day' | 'hour' | 'minute';
const UNITS: Record<Language, Record<Unit, [one: string, many: string]>> = {
  vi: { day: ['ngày', 'ngày'], hour: ['giờ', 'giờ'], minute: ['phút', 'phút'] },
  en: { day: ['day', 'days'], hour: ['hour', 'hours'], minute: ['minute', 'minutes'] },
};

function parts(minutes: number): [number, Unit][] {
  const days = Math.floor(minutes / WORKING_DAY_MINUTES);
  const hours = Math.floor((minutes % WORKING_DAY_MINUTES) / 60);
  const mins = minutes % 60;
  const all: [number, Unit][] = [
    [days, 'day'],
    [hours, 'hour'],
    [mins, 'minute'],
  ];
  const first = all.findIndex(([n]) => n > 0);
  // The largest unit and the next one, if that one is not zero.
  return all.slice(first, first + 2).filter(([n], i) => i === 0 || n > 0);
}

function words(minutes: number, language: Language): string {
  const names = UNITS[language];
  return parts(minutes)
    .map(([n, unit], i) => {
      const name = names[unit][n === 1 ? 0 : 1];
      return language === 'en' && i === 0 ? `${n} working ${name}` : `${n} ${name}`;
    })
    .join(' ');
}

/** "Còn 3 giờ làm việc", "Quá hạn 2 ngày làm việc", "Đến hạn"; null (no due time): "Không có hạn". */
export function formatTimeLeft(minutes: number | null | undefined, language: Language): string {
  if (minutes === null || minutes === undefined) return language === 'en' ? 'No due time' : 'Không có hạn';
  const m = Math.round(minutes);
  if (m === 0) return language === 'en' ? 'Due now' : 'Đến hạn';
  if (m > 0) return language === 'en' ? `${words(m, 'en')} left` : `Còn ${words(m, 'vi')} làm việc`;
  return language === 'en' ? `Overdue by ${words(-m, 'en')}` : `Quá hạn ${words(-m, 'vi')} làm việc`;
}
