import type { Calendar } from './calendar.ts';
import { parseDuration, parseInstant } from './iso-time.ts';

/**
 * A user task's due date from `camunda:dueDate`: an ISO 8601 duration counted from now by the
 * calendar (so working time applies once the calendar counts it), or an ISO date-time (local
 * Vietnam time without an offset). Expressions yield no due date yet.
 */
export function dueDateFrom(value: string | null, now: Date, calendar: Calendar, unitId: string | null): Date | null {
  const v = value?.trim();
  if (!v) return null;
  if (parseDuration(v)) return calendar.addDuration(now, v, { unitId });
  return parseInstant(v);
}
