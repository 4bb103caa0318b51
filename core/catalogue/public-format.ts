import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ProcedureDocument, TimeLimit } from './schema.ts';
import { PUBLIC_STYLESHEET } from './public-style.ts';

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
  const when = { submission: ' (nộp khi nộp hồ sơ)', result: ' (nộp khi nhận kết quả)' };
  return fees.map(
    (f) =>
      `${f.description}: ${money(f.amount)}${f.per && f.amount !== 0 ? ` / ${f.per}` : ''}${f.paidAt && f.amount !== 0 ? when[f.paidAt] : ''}`,
  );
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

export interface Shell {
  title: string;
  /** Absolute URL of the page, printed at the top of a printout. */
  url: string;
  body: Html;
  /** Stylesheets of the page's own, linked after the common one (public pages of other modules). */
  stylesheets?: string[];
  /** The footer's sentence, when the page is not the catalogue's. */
  footer?: string;
}

/** The public pages' layout: skip link, landmarks, the print header. */
export function page(s: Shell) {
  return html`<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${s.title} — motcua</title>
<link rel="stylesheet" href="${PUBLIC_STYLESHEET}">
${(s.stylesheets ?? []).map((href) => html`<link rel="stylesheet" href="${href}">`)}
</head>
<body>
<a class="skip" href="#noi-dung">Bỏ qua, đến nội dung chính</a>
<header>
<a class="brand" href="/">motcua</a>
<nav aria-label="Điều hướng chính"><ul><li><a href="/">Trang chủ</a></li><li><a href="/thu-tuc">Tra cứu thủ tục hành chính</a></li><li><a href="/tra-cuu">Tra cứu hồ sơ</a></li></ul></nav>
</header>
<p class="print-only">Bản in từ ${s.url}</p>
<main id="noi-dung" tabindex="-1">
${s.body}
</main>
<footer><p>${s.footer ?? 'Thông tin công khai từ cơ sở dữ liệu thủ tục hành chính; chỉ hiển thị các thủ tục đã công bố.'}</p></footer>
</body>
</html>`;
}

/** A short page for errors: 400 bad request, 404 unknown procedure, 500. */
export function messagePage(url: string, title: string, message: string) {
  return page({
    title,
    url,
    body: html`<h1>${title}</h1><p>${message}</p><p><a href="/thu-tuc">Quay lại tra cứu thủ tục hành chính</a></p>`,
  });
}
