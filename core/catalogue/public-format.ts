import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ProcedureDocument, TimeLimit } from './schema.ts';

/**
 * Vietnamese wording and the page shell of the public catalogue pages (public-pages.ts):
 * labels of the document's enums, amounts, dates and time limits, and one accessible,
 * print-friendly layout. Everything interpolated goes through hono/html, which escapes it.
 */

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;
type Case = ProcedureDocument['cases'][number];

export const levelLabels: Record<ProcedureDocument['levels'][number], string> = {
  central: 'Cấp trung ương',
  province: 'Cấp tỉnh',
  district: 'Cấp huyện',
  commune: 'Cấp xã',
};

export const onlineLabels: Record<ProcedureDocument['onlineLevel'], string> = {
  full: 'Dịch vụ công trực tuyến toàn trình',
  partial: 'Dịch vụ công trực tuyến một phần',
  none: 'Không cung cấp trực tuyến',
};

export const channelLabels: Record<Case['channels'][number]['channel'], string> = {
  in_person: 'Trực tiếp',
  online: 'Trực tuyến',
  postal: 'Dịch vụ bưu chính',
};

const unitLabels: Record<TimeLimit['unit'], string> = {
  working_days: 'ngày làm việc',
  calendar_days: 'ngày',
  working_hours: 'giờ làm việc',
};

const supplementLabels: Record<Case['supplement']['policy'], string> = {
  restart: 'Thời hạn giải quyết được tính lại từ đầu kể từ khi nhận đủ hồ sơ bổ sung.',
  pause_extend: 'Thời hạn giải quyết tạm dừng trong thời gian chờ bổ sung hồ sơ và được kéo dài tương ứng.',
  continue: 'Thời hạn giải quyết tiếp tục được tính trong thời gian bổ sung hồ sơ.',
};

/** A whole number with dots between thousands: 8000 → "8.000"; 0,5 for halves. */
export function number(n: number): string {
  const [whole, fraction] = String(n).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return fraction ? `${grouped},${fraction}` : grouped;
}

/** "8.000 đ", or "Miễn phí" for nothing to pay. */
export function money(amount: number | string | undefined): string {
  if (amount === undefined || amount === 0) return 'Miễn phí';
  return typeof amount === 'number' ? `${number(amount)} đ` : amount;
}

export function feesText(fees: Case['channels'][number]['fees']): string[] {
  if (fees.length === 0 || fees.every((f) => f.amount === 0)) return ['Miễn phí'];
  return fees.map((f) => `${f.description}: ${money(f.amount)}${f.per && f.amount !== 0 ? ` / ${f.per}` : ''}`);
}

export function timeText(t: TimeLimit): string {
  return `${number(t.value)} ${unitLabels[t.unit]}`;
}

export function supplementText(s: Case['supplement']): string {
  const deadline = s.applicantDeadline ? ` Người nộp hồ sơ bổ sung trong thời hạn ${timeText(s.applicantDeadline)}.` : '';
  return supplementLabels[s.policy] + deadline;
}

/** A Vietnam calendar date YYYY-MM-DD as dd/mm/yyyy. */
export function date(iso: string | null | undefined): string {
  const m = iso ? /^(\d{4})-(\d{2})-(\d{2})/.exec(iso) : null;
  return m ? `${m[3]}/${m[2]}/${m[1]}` : '';
}

/** Links to the catalogue keep the query in the URL, encoded. */
export function searchHref(params: Record<string, string | number | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `/thu-tuc?${s}` : '/thu-tuc';
}

const style = `
  :root { color-scheme: light; }
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 0 auto; padding: 0 1rem 2rem; color: #1a1a1a; background: #fff; }
  a { color: #0645ad; }
  a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, main:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
  .skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; }
  .skip:focus { left: 1rem; }
  header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: baseline; border-bottom: 2px solid #b40000; padding: .75rem 0; }
  header nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
  .brand { font-weight: bold; font-size: 1.2rem; }
  h1 { font-size: 1.6rem; margin: 1.25rem 0 .5rem; }
  h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
  h3 { font-size: 1.1rem; margin-bottom: .25rem; }
  form.search { display: grid; gap: .5rem; grid-template-columns: 1fr 1fr; background: #f5f5f5; padding: 1rem; border-radius: 4px; }
  form.search .wide { grid-column: 1 / -1; }
  form.search label { display: block; font-weight: 600; }
  input, select, button { font: inherit; padding: .4rem; width: 100%; box-sizing: border-box; }
  button { background: #b40000; color: #fff; border: 0; border-radius: 3px; cursor: pointer; width: auto; padding: .5rem 1.5rem; }
  ol.results { list-style: none; padding: 0; }
  ol.results li { border-bottom: 1px solid #ddd; padding: .5rem 0; }
  dl { display: grid; grid-template-columns: minmax(10rem, 16rem) 1fr; gap: .25rem 1rem; margin: .5rem 0; }
  dt { font-weight: 600; } dd { margin: 0; }
  table { border-collapse: collapse; width: 100%; margin: .75rem 0; }
  caption { text-align: left; font-weight: 600; padding: .25rem 0; }
  th, td { border: 1px solid #999; padding: .35rem .5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
  thead th { background: #eee; }
  td.n { text-align: right; white-space: nowrap; }
  .code { font-family: ui-monospace, monospace; }
  .pages ul { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; }
  .pages a, .pages span { display: inline-block; padding: .25rem .6rem; border: 1px solid #ccc; }
  .pages [aria-current] { background: #b40000; color: #fff; border-color: #b40000; }
  .print-only { display: none; }
  footer { margin-top: 3rem; border-top: 1px solid #ddd; font-size: .9rem; color: #444; }
  @media (max-width: 40rem) { form.search, dl { grid-template-columns: 1fr; } }
  @media print {
    .skip, header nav, form.search, .pages, .no-print { display: none !important; }
    .print-only { display: block; }
    body { color: #000; background: #fff; max-width: none; margin: 0; padding: 0; font-size: 11pt; }
    a { color: #000; text-decoration: none; }
    header { border-color: #000; }
    thead th { background: #fff; }
    th, td { border-color: #000; }
    thead { display: table-header-group; }
    tr, dl, h2, h3 { break-inside: avoid; }
    h2, h3 { break-after: avoid; }
    table { break-inside: auto; }
  }
`;

export interface Shell {
  title: string;
  /** Absolute URL of the page, printed at the top of a printout. */
  url: string;
  body: Html;
}

/** The public pages' layout: skip link, landmarks, the print header. */
export function page(s: Shell) {
  return html`<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${s.title} — motcua</title>
<style>${raw(style)}</style>
</head>
<body>
<a class="skip" href="#noi-dung">Bỏ qua, đến nội dung chính</a>
<header>
<a class="brand" href="/">motcua</a>
<nav aria-label="Điều hướng chính"><ul><li><a href="/">Trang chủ</a></li><li><a href="/thu-tuc">Tra cứu thủ tục hành chính</a></li></ul></nav>
</header>
<p class="print-only">Bản in từ ${s.url}</p>
<main id="noi-dung" tabindex="-1">
${s.body}
</main>
<footer><p>Thông tin công khai từ cơ sở dữ liệu thủ tục hành chính; chỉ hiển thị các thủ tục đã công bố.</p></footer>
</body>
</html>`;
}

/** A short page for errors: 400 bad request, 404 unknown procedure, 500. */
export function messagePage(url: string, title: string, message: string) {
  return page({ title, url, body: html`<h1>${title}</h1><p>${message}</p><p><a href="/thu-tuc">Quay lại tra cứu thủ tục hành chính</a></p>` });
}
