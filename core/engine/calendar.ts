import { AppError } from '../errors.ts';
import { addDuration, parseDuration } from './iso-time.ts';

/**
 * How long a duration lasts from a start instant. The engine asks it for every timer
 * `timeDuration` (and may ask it for task due dates), passing the unit the instance belongs
 * to: a working-time calendar (holidays, working hours per unit) replaces the default.
 */
export interface Calendar {
  addDuration(start: Date, isoDuration: string, context: { unitId: string | null }): Date;
}

/** Plain calendar time: days are days, weekends and holidays included. */
export const plainCalendar: Calendar = {
  addDuration(start, isoDuration) {
    const d = parseDuration(isoDuration);
    if (!d) throw new AppError('process.engine_error', `Not an ISO 8601 duration: "${isoDuration}"`);
    return addDuration(start, d);
  },
};
