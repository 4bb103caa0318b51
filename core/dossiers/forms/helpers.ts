import Handlebars from 'handlebars';
import QRCode from 'qrcode';
import { PROVINCE_TIME_ZONE } from '../../time.ts';

/**
 * The only helpers a form template may call (besides handlebars' own `if`, `unless`, `each`,
 * `with`): dates and times in Vietnam time, numbers with Vietnamese grouping, and a QR code.
 * Each takes plain values and returns text (escaped by handlebars) or, for `qr`, an SVG it
 * builds itself from the code's modules: no template text ever reaches the output unescaped.
 */

const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: PROVINCE_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** Day, month, year, hour and minute of an instant in Vietnam time; null for no date. */
function local(value: unknown): Record<'day' | 'month' | 'year' | 'hour' | 'minute', string> | null {
  if (value === null || value === undefined || value === '') return null;
  const at = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(at.getTime())) throw new Error(`Not a date: ${String(value)}`);
  const out: Record<string, string> = {};
  for (const p of parts.formatToParts(at)) out[p.type] = p.value;
  return out as Record<'day' | 'month' | 'year' | 'hour' | 'minute', string>;
}

/** dd/MM/yyyy in Vietnam time ("" for no date). */
export function date(value: unknown): string {
  const p = local(value);
  return p ? `${p.day}/${p.month}/${p.year}` : '';
}

/** HH:mm, 24 h, in Vietnam time ("" for no date). */
export function time(value: unknown): string {
  const p = local(value);
  return p ? `${p.hour}:${p.minute}` : '';
}

/** "ngày 06 tháng 03 năm 2026", as a dateline reads (dotted blanks for no date). */
export function longDate(value: unknown): string {
  const p = local(value);
  return p ? `ngày ${p.day} tháng ${p.month} năm ${p.year}` : 'ngày …… tháng …… năm ……';
}

/** Vietnamese grouping: 1250000 → "1.250.000", 0.5 → "0,5". */
export function number(value: unknown): string {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) throw new Error(`Not a number: ${String(value)}`);
  const [whole, fraction] = String(Math.abs(n)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${n < 0 ? '-' : ''}${grouped}${fraction ? `,${fraction}` : ''}`;
}

/** The SVG path of a QR code's dark modules, one run of a row per rectangle. */
export function qrPath(text: string): { size: number; d: string } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  let d = '';
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size;) {
      if (!modules.get(y, x)) {
        x++;
        continue;
      }
      let run = 1;
      while (x + run < size && modules.get(y, x + run)) run++;
      d += `M${x} ${y}h${run}v1h-${run}z`;
      x += run;
    }
  }
  return { size, d };
}

/** An inline SVG QR code of `text` (with the quiet zone of 4 modules), labelled with the text for screen readers. */
export function qr(value: unknown): Handlebars.SafeString {
  if (typeof value !== 'string' || value.length === 0 || value.length > 1000) throw new Error('qr takes a text of 1–1000 characters');
  const { size, d } = qrPath(value);
  const box = size + 8;
  const label = Handlebars.escapeExpression(`Mã QR: ${value}`);
  return new Handlebars.SafeString(
    `<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 ${box} ${box}" role="img" aria-label="${label}" shape-rendering="crispEdges">` +
      `<rect x="-4" y="-4" width="${box}" height="${box}" fill="#fff"/><path fill="#000" d="${d}"/></svg>`,
  );
}

/** Helper name → function, as handlebars registers them; a helper's last argument is handlebars' options object. */
export const formHelpers: Record<string, (value: unknown) => unknown> = { date, time, longDate, number, qr };
