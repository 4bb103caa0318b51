import type { Calendar } from './calendar.ts';
import { parseDuration, parseInstant } from './iso-time.ts';

/**
 * A user task's due date:
 * - from `camunda:dueDate`: an ISO 8601 duration counted from now in the unit's working time
 *   (`P2D` = two working days, `PT4H` = four working hours), or an ISO date-time (local Vietnam
 *   time without an offset). Expressions yield no due date yet;
 * - else from the step budget `motcua:budgetHours`: that many working hours from now;
 * - else none.
 */
export function dueDateFrom(
  value: string | null,
  now: Date,
  calendar: Calendar,
  unitId: string | null,
  budgetHours: number | null = null,
): Date | null {
  const v = value?.trim();
  if (v) {
    if (parseDuration(v)) return calendar.addDuration(now, v, { unitId, workingTime: true });
    return parseInstant(v);
  }
  if (budgetHours !== null && budgetHours > 0) return calendar.addWorkingHours(now, budgetHours, { unitId });
  return null;
}
