import { Seasons, SearchMoonPhase, SunPosition } from 'astronomy-engine';
import { dayOf, instantOf } from './working-time.ts';

/**
 * The Vietnamese lunisolar calendar, computed at UTC+7 from astronomical new moons and the
 * sun's apparent longitude (astronomy-engine). Because Vietnam counts days in UTC+7 and China
 * in UTC+8, a new moon shortly before 01:00 Vietnam time falls on different days in the two
 * countries, so some years differ (Tết 1985: 21 Jan in Vietnam, 20 Feb in China).
 *
 * Rules: a month begins on the local day of a new moon; month 11 is the month that contains
 * the December solstice; when 13 months lie between two months 11, the first month after
 * month 11 that contains no major solar term (the sun's longitude crosses no multiple of 30°)
 * is a leap month and repeats the number of the month before it. The sun's longitude of a
 * month is taken at local midnight starting its first day. Day numbers are local days (see
 * `dayOf` in working-time.ts).
 */

const DAY_MS = 86_400_000;

/** Instant (ms) of the first new moon at or after `t`. */
function newMoonAfter(t: number): number {
  const found = SearchMoonPhase(0, new Date(t), 40);
  if (!found) throw new Error(`No new moon found after ${new Date(t).toISOString()}`);
  return found.date.getTime();
}

/** Local day of the new moon that begins month 11 of Gregorian year `year` (contains the December solstice). */
export function month11(year: number): number {
  const solstice = Seasons(year).dec_solstice.date.getTime();
  let nm = newMoonAfter(solstice - 35 * DAY_MS);
  let best = dayOf(nm);
  for (;;) {
    const next = newMoonAfter(nm + DAY_MS);
    if (instantOf(dayOf(next), 0) > solstice) return best;
    nm = next;
    best = dayOf(nm);
  }
}

/** Local days of `count` successive new moons, the first being the one on local day `day`. */
function moonsFrom(day: number, count: number): number[] {
  const out: number[] = [];
  let t = instantOf(day, 0);
  for (let i = 0; i < count; i++) {
    const nm = newMoonAfter(t);
    out.push(dayOf(nm));
    t = nm + DAY_MS;
  }
  return out;
}

/** Which 30° sector of the ecliptic the sun is in at local midnight starting a day. */
const sector = (day: number): number => Math.floor(SunPosition(new Date(instantOf(day, 0))).elon / 30);

interface LunarYearFrame {
  /** Local day starting each month from month 11 of the previous Gregorian year up to (and including) the next month 11. */
  starts: number[];
  /** Index in `starts` of the leap month, or -1. */
  leapIndex: number;
}

const frames = new Map<number, LunarYearFrame>();

/** The months from month 11 of Gregorian `year` - 1 to month 11 of `year`. */
function frame(year: number): LunarYearFrame {
  const known = frames.get(year);
  if (known) return known;
  const a11 = month11(year - 1);
  const b11 = month11(year);
  const leap = b11 - a11 > 365;
  const starts = moonsFrom(a11, leap ? 14 : 13);
  if (starts[starts.length - 1] !== b11) throw new Error(`Lunar months of ${year} do not meet month 11 (${starts.at(-1)} ≠ ${b11})`);
  let leapIndex = -1;
  if (leap) {
    for (let i = 1; i < 13; i++) {
      if (sector(starts[i]) === sector(starts[i + 1])) {
        leapIndex = i;
        break;
      }
    }
  }
  const out = { starts, leapIndex };
  frames.set(year, out);
  return out;
}

export interface LunarDate {
  year: number;
  month: number;
  day: number;
  leap: boolean;
}

/** Month number of the month at `index` of a frame (index 0 = month 11). */
function monthAt(f: LunarYearFrame, index: number): { month: number; leap: boolean } {
  let off = index;
  let leap = false;
  if (f.leapIndex !== -1 && index >= f.leapIndex) {
    off = index - 1;
    leap = index === f.leapIndex;
  }
  return { month: ((10 + off) % 12) + 1, leap };
}

/** Index in a frame of month 1 (Tết): months before it belong to the previous lunar year. */
function firstMonthIndex(f: LunarYearFrame): number {
  for (let i = 0; i < f.starts.length; i++) {
    const m = monthAt(f, i);
    if (m.month === 1 && !m.leap) return i;
  }
  throw new Error('A lunar frame without a first month');
}

/** The local day of a lunar date (throws for a date that does not exist). */
export function lunarToDay(year: number, month: number, day: number, leap = false): number {
  if (!(Number.isInteger(month) && month >= 1 && month <= 12 && Number.isInteger(day) && day >= 1 && day <= 30))
    throw new RangeError('Not a lunar date');
  // Months 11 and 12 of lunar year `year` lie in the frame that ends with month 11 of Gregorian `year` + 1.
  const f = frame(month >= 11 ? year + 1 : year);
  const t = firstMonthIndex(f);
  const [from, to] = month >= 11 ? [0, t] : [t, f.starts.length - 1];
  for (let i = from; i < to; i++) {
    const m = monthAt(f, i);
    if (m.month !== month || m.leap !== leap) continue;
    const length = f.starts[i + 1] - f.starts[i];
    if (day > length) throw new RangeError(`Lunar month ${month}${leap ? ' (leap)' : ''} of ${year} has ${length} days`);
    return f.starts[i] + day - 1;
  }
  throw new RangeError(`Lunar month ${month}${leap ? ' (leap)' : ''} does not exist in ${year}`);
}

/** The lunar date of a local day. */
export function dayToLunar(day: number): LunarDate {
  const gYear = new Date(day * DAY_MS).getUTCFullYear();
  for (const y of [gYear, gYear + 1]) {
    const f = frame(y);
    if (day < f.starts[0] || day >= f.starts[f.starts.length - 1]) continue;
    let i = f.starts.length - 2;
    while (f.starts[i] > day) i--;
    const { month, leap } = monthAt(f, i);
    return { year: i < firstMonthIndex(f) ? y - 1 : y, month, day: day - f.starts[i] + 1, leap };
  }
  throw new Error('Unreachable: a day lies in one of two lunar frames');
}

/** Local day of Tết (1st day of the 1st lunar month) of a lunar year. */
export const tetDay = (year: number): number => lunarToDay(year, 1, 1);
