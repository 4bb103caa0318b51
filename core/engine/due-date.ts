/**
 * A user task's due date from `camunda:dueDate`: an ISO 8601 date-time, or a duration
 * (`P3D`, `PT4H`) counted from now in calendar time. Working-time counting arrives with the
 * calendar (catalogue issue). Anything else (expressions) yields no due date for now.
 */
export function dueDateFrom(value: string | null, now: Date): Date | null {
  if (!value) return null;
  const v = value.trim();
  const duration = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(v);
  if (duration && v !== 'P' && v !== 'PT') {
    const [, y, mo, w, d, h, mi, s] = duration.map((x) => Number(x ?? 0));
    const due = new Date(now);
    due.setUTCFullYear(due.getUTCFullYear() + y, due.getUTCMonth() + mo, due.getUTCDate() + w * 7 + d);
    due.setTime(due.getTime() + ((h * 60 + mi) * 60 + s) * 1000);
    return due;
  }
  if (/^\d{4}-\d{2}-\d{2}(T.*)?$/.test(v)) {
    const date = new Date(v);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}
