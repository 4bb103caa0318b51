/**
 * How the clerk UI writes dates, times, numbers and money, in either language: Vietnam time
 * (Asia/Ho_Chi_Minh) whatever the browser's zone, dates dd/MM/yyyy, 24-hour times, and numbers
 * grouped the Vietnamese way (1.250.000), đồng as `1.250.000 đ` (a no-break space before đ).
 */
export const VIETNAM_TIME = 'Asia/Ho_Chi_Minh';

const dateParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: VIETNAM_TIME,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const numbers = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });

function parts(at: Date | string): Record<string, string> {
  const d = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a date: ${String(at)}`);
  return Object.fromEntries(dateParts.formatToParts(d).map((p) => [p.type, p.value]));
}

/** 07/03/2026 */
export function formatDate(at: Date | string): string {
  const p = parts(at);
  return `${p.day}/${p.month}/${p.year}`;
}

/** 14:05 */
export function formatTime(at: Date | string): string {
  const p = parts(at);
  return `${p.hour}:${p.minute}`;
}

/** 14:05 07/03/2026: time first, as Vietnamese documents write it. */
export function formatDateTime(at: Date | string): string {
  return `${formatTime(at)} ${formatDate(at)}`;
}

/** 1.250.000; 2,5 */
export function formatNumber(n: number): string {
  return numbers.format(n);
}

/** 1.250.000 đ */
export function formatMoney(dong: number): string {
  return `${numbers.format(Math.round(dong))}\u00a0đ`;
}
