import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { html } from 'hono/html';
import { assertSameOrigin } from '../auth/csrf.ts';
import { page } from '../catalogue/public-format.ts';
import { AppError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { serveStylesheet } from '../http/stylesheet.ts';
import type { Ports } from '../modules/ports.ts';
import { INDICATORS, pointsOfAnswer, SATISFACTION, type EvaluationInput, type IndicatorKey } from './evaluation-model.ts';
import { localTime, type EvaluationView, type LookupView } from './lookup.ts';
import { lookupSubject } from './lookup-routes.ts';
import { LOOKUP_CSS, LOOKUP_STYLESHEET } from './lookup-style.ts';

/**
 * The public lookup page `/tra-cuu` (issue 15 point 8): a citizen types the code from the
 * receipt (the QR code of form 01 opens `/tra-cuu?code=…` with it filled in) and the last four
 * digits of their ID number or phone, and reads the dossier's status, appointment and
 * timeline; once the result is returned they may evaluate it, once. Server-rendered HTML that
 * works without JavaScript, under the strict CSP (served stylesheets only), printable. The form
 * posts, so the secret stays out of addresses and logs; a GET with both fields works too.
 * Everything goes through the same service as the API (lookup.ts): same answers, same limits.
 */

type PagePorts = Pick<Ports, 'dossierLookup' | 'config' | 'log'>;
/** The address printed on a printout: the configured public origin (the first trusted one), never the Host header. */
const pageUrl = (c: Context<AppEnv>) => `${c.var.trustedOrigins[0]}/tra-cuu`;
type Status = 200 | 400 | 403 | 404 | 409 | 413 | 429 | 500;

const MAX_FORM_BYTES = 8 * 1024;
const FOOTER = 'Tra cứu công khai: chỉ hiển thị tình trạng giải quyết hồ sơ, không hiển thị thông tin cá nhân của người nộp.';
const CODE_HINT = 'Mã in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả, ví dụ 000.00.06.H56-260306-0361.';
const SECRET_HINT = 'Bốn chữ số cuối của số định danh cá nhân (căn cước) hoặc số điện thoại đã khai khi nộp hồ sơ.';

interface FieldErrors {
  code?: string;
  secret?: string;
  /** Not tied to one field (no such dossier): shown in the summary, linked to the code. */
  form?: string;
}

interface Entered {
  code: string;
  secret: string;
}

function respond(c: Context<AppEnv>, status: Status, title: string, body: ReturnType<typeof html>) {
  // A result or a secret may be on the page: never cached (the referrer is never sent: secure headers).
  c.header('cache-control', 'no-store');
  return c.html(page({ title, url: pageUrl(c), body, stylesheets: [LOOKUP_STYLESHEET], footer: FOOTER }), status);
}

function errorSummary(items: { href: string; text: string }[]) {
  if (items.length === 0) return '';
  return html`<div class="error-summary" role="alert" aria-labelledby="loi-tieu-de" tabindex="-1" autofocus>
<h2 id="loi-tieu-de">Chưa tra cứu được</h2>
<ul>${items.map((i) => html`<li><a href="${i.href}">${i.text}</a></li>`)}</ul>
</div>`;
}

function lookupForm(entered: Entered, errors: FieldErrors) {
  const field = (id: 'code' | 'secret', label: string, hint: string, attrs: ReturnType<typeof html>, value: string) => {
    const error = errors[id];
    const describedBy = `${id}-goi-y${error ? ` ${id}-loi` : ''}`;
    return html`<div${error ? html` class="invalid"` : ''}><label for="${id}">${label}</label>
<span class="hint" id="${id}-goi-y">${hint}</span>
${error ? html`<span class="field-error" id="${id}-loi">Lỗi: ${error}</span>` : ''}
<input id="${id}" name="${id}" value="${value}" aria-describedby="${describedBy}"${error ? html` aria-invalid="true"` : ''} ${attrs}></div>`;
  };
  return html`<form class="lookup" method="post" action="/tra-cuu" novalidate aria-label="Tra cứu hồ sơ">
${field(
  'code',
  'Mã hồ sơ',
  CODE_HINT,
  html`class="code" type="text" maxlength="100" autocomplete="off" autocapitalize="characters" spellcheck="false" required`,
  entered.code,
)}
${field(
  'secret',
  '4 số cuối của số định danh cá nhân hoặc số điện thoại',
  SECRET_HINT,
  html`class="secret" type="text" inputmode="numeric" maxlength="4" autocomplete="off" required`,
  entered.secret,
)}
<div><button type="submit">Tra cứu</button></div>
</form>`;
}

function formPage(c: Context<AppEnv>, status: Status, entered: Entered, errors: FieldErrors = {}) {
  const items = [
    ...(errors.form ? [{ href: '#code', text: errors.form }] : []),
    ...(errors.code ? [{ href: '#code', text: errors.code }] : []),
    ...(errors.secret ? [{ href: '#secret', text: errors.secret }] : []),
  ];
  return respond(
    c,
    status,
    items.length ? 'Lỗi: Tra cứu hồ sơ' : 'Tra cứu hồ sơ',
    html`<h1>Tra cứu tình trạng hồ sơ</h1>
<p>Xem hồ sơ thủ tục hành chính của bạn đang ở bước nào và ngày hẹn trả kết quả.</p>
${errorSummary(items)}
${lookupForm(entered, errors)}`,
  );
}

/** The code and secret entered, checked as the API checks them, with Vietnamese messages. */
function check(entered: Entered): FieldErrors {
  const errors: FieldErrors = {};
  if (!entered.code) errors.code = 'Nhập mã hồ sơ.';
  else if (entered.code.length > 100) errors.code = 'Mã hồ sơ dài quá 100 ký tự: kiểm tra lại mã trên giấy hẹn.';
  if (!entered.secret) errors.secret = 'Nhập 4 số cuối của số định danh cá nhân hoặc số điện thoại.';
  else if (!/^\d{4}$/.test(entered.secret)) errors.secret = '4 số cuối phải gồm đúng 4 chữ số, ví dụ 0361.';
  return errors;
}

const minutes = (seconds: number) => Math.max(1, Math.ceil(seconds / 60));

function resultSection(found: LookupView, entered: Entered, notice?: ReturnType<typeof html>) {
  const when = (iso: string | null, none: string) => (iso ? localTime(iso) : none);
  return html`<section aria-labelledby="ket-qua">
<h2 id="ket-qua" tabindex="-1" autofocus>Kết quả tra cứu hồ sơ <span class="code">${found.code}</span></h2>
${notice ?? ''}
<dl>
<dt>Mã hồ sơ</dt><dd class="code">${found.code}</dd>
<dt>Thủ tục</dt><dd>${found.procedureName}</dd>
<dt>Tình trạng</dt><dd class="status-now">${found.statusName}</dd>
<dt>Ngày tiếp nhận</dt><dd>${when(found.receivedAt, 'Chưa tiếp nhận')}</dd>
<dt>Ngày hẹn trả kết quả</dt><dd>${when(found.appointmentAt, 'Chưa có')}</dd>
</dl>
<h3>Quá trình giải quyết</h3>
${found.history.length ? html`<ol class="timeline">${found.history.map((l) => html`<li>${l.text}</li>`)}</ol>` : html`<p>Chưa có.</p>`}
</section>
${evaluationPart(found, entered)}`;
}

function evaluationPart(found: LookupView, entered: Entered) {
  if (found.evaluation === 'done')
    return html`<p class="notice evaluation-note">Bạn đã đánh giá việc giải quyết hồ sơ này. Xin cảm ơn.</p>`;
  if (found.evaluation === 'not_yet')
    return html`<p class="evaluation-note">Sau khi nhận kết quả, bạn có thể quay lại trang này để đánh giá việc giải quyết hồ sơ.</p>`;
  return html`<section class="no-print" aria-labelledby="danh-gia"><h2 id="danh-gia">Đánh giá việc giải quyết hồ sơ</h2>
<p>Ý kiến của bạn giúp cơ quan nhà nước phục vụ tốt hơn. Mỗi hồ sơ chỉ được đánh giá một lần.</p>
${evaluationForm(entered, {}, {})}</section>`;
}

type Chosen = Partial<Record<IndicatorKey | 'satisfaction', number>>;

function evaluationForm(entered: Entered, chosen: Chosen, errors: Partial<Record<IndicatorKey | 'satisfaction', string>>) {
  const group = (key: IndicatorKey | 'satisfaction', legend: string, options: { value: number; label: string }[], n: number | null) => {
    const error = errors[key];
    return html`<fieldset${error ? html` class="invalid" aria-describedby="${key}-loi"` : ''}>
<legend>${n ? `${n}. ` : ''}${legend}</legend>
${error ? html`<span class="field-error" id="${key}-loi">Lỗi: ${error}</span>` : ''}
${options.map(
  (
    o,
  ) => html`<div class="choice"><input type="radio" id="${key}-${o.value}" name="${key}" value="${o.value}"${chosen[key] === o.value ? html` checked` : ''}>
<label for="${key}-${o.value}">${o.label}</label></div>`,
)}
</fieldset>`;
  };
  return html`<form class="evaluation" method="post" action="/tra-cuu/danh-gia" novalidate aria-labelledby="danh-gia">
<input type="hidden" name="code" value="${entered.code}">
<input type="hidden" name="secret" value="${entered.secret}">
${INDICATORS.map((ind, i) =>
  group(
    ind.key,
    ind.question,
    ind.answers.map((label, j) => ({ value: pointsOfAnswer(j), label })),
    i + 1,
  ),
)}
${group(
  'satisfaction',
  'Mức độ hài lòng chung của bạn',
  Object.entries(SATISFACTION)
    .map(([v, label]) => ({ value: Number(v), label }))
    .sort((a, b) => b.value - a.value),
  null,
)}
<div><button type="submit">Gửi đánh giá</button></div>
</form>`;
}

/** Reads a posted form (url-encoded or multipart): text fields only, trimmed. */
async function posted(c: Context<AppEnv>): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v.trim();
  return out;
}

/** Runs the lookup and renders it, or the form with the reason it failed. */
async function showResult(svc: PagePorts, c: Context<AppEnv>, entered: Entered) {
  const errors = check(entered);
  if (errors.code || errors.secret) return formPage(c, 400, entered, errors);
  try {
    const found = await svc.dossierLookup.lookup(lookupSubject(c, svc.config), entered);
    return respond(
      c,
      200,
      `Hồ sơ ${found.code}`,
      html`<h1>Tra cứu tình trạng hồ sơ</h1>
${resultSection(found, entered)}
<p class="no-print"><a href="/tra-cuu">Tra cứu hồ sơ khác</a></p>`,
    );
  } catch (err) {
    return refusal(c, err, entered);
  }
}

/** The service's refusals as the page says them; anything else is not ours to word. */
function refusal(c: Context<AppEnv>, err: unknown, entered: Entered) {
  if (!(err instanceof AppError)) throw err;
  if (err.code === 'dossier.lookup_failed') {
    return formPage(c, 404, entered, {
      form: 'Không tìm thấy hồ sơ khớp với mã hồ sơ và 4 số cuối đã nhập. Kiểm tra lại mã trên giấy hẹn và 4 số cuối của số định danh cá nhân hoặc số điện thoại đã khai khi nộp hồ sơ.',
    });
  }
  if (err.code === 'dossier.lookup_throttled') {
    const seconds = Number(err.extra?.retryAfter ?? 60);
    c.header('retry-after', String(seconds));
    return message(
      c,
      429,
      'Tạm dừng tra cứu',
      `Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau khoảng ${minutes(seconds)} phút.`,
      entered.code,
    );
  }
  throw err;
}

function message(c: Context<AppEnv>, status: Status, title: string, text: string, code = '') {
  const again = code ? `/tra-cuu?code=${encodeURIComponent(code)}` : '/tra-cuu';
  return respond(
    c,
    status,
    title,
    html`<h1>${title}</h1><p role="alert">${text}</p><p><a href="${again}">Quay lại trang tra cứu hồ sơ</a></p>`,
  );
}

/** The posted evaluation checked field by field, with a Vietnamese message per unanswered question. */
function checkEvaluation(form: Record<string, string>): { chosen: Chosen; errors: Partial<Record<IndicatorKey | 'satisfaction', string>> } {
  const chosen: Chosen = {};
  const errors: Partial<Record<IndicatorKey | 'satisfaction', string>> = {};
  for (const ind of INDICATORS) {
    const v = form[ind.key];
    if (v === '0' || v === '1' || v === '2') chosen[ind.key] = Number(v);
    else errors[ind.key] = `Chọn một mức cho tiêu chí “${ind.question}”.`;
  }
  const s = form.satisfaction;
  if (s && /^[1-5]$/.test(s)) chosen.satisfaction = Number(s);
  else errors.satisfaction = 'Chọn mức độ hài lòng chung của bạn.';
  return { chosen, errors };
}

async function evaluationPage(svc: PagePorts, c: Context<AppEnv>) {
  const form = await posted(c);
  const entered = { code: form.code ?? '', secret: form.secret ?? '' };
  const credentials = check(entered);
  if (credentials.code || credentials.secret) return formPage(c, 400, entered, credentials);
  const { chosen, errors } = checkEvaluation(form);
  const missing = Object.entries(errors) as [IndicatorKey | 'satisfaction', string][];
  if (missing.length) {
    return respond(
      c,
      400,
      'Lỗi: Đánh giá việc giải quyết hồ sơ',
      html`<h1>Đánh giá việc giải quyết hồ sơ <span class="code">${entered.code}</span></h1>
${errorSummary(missing.map(([key, text]) => ({ href: `#${key}-${key === 'satisfaction' ? 5 : 2}`, text })))}
<h2 id="danh-gia">Các tiêu chí đánh giá</h2>
${evaluationForm(entered, chosen, errors)}`,
    );
  }
  const { satisfaction, ...indicators } = chosen as Required<Chosen>;
  const input: EvaluationInput = { ...entered, indicators, satisfaction };
  let stored: EvaluationView;
  try {
    stored = await svc.dossierLookup.evaluate(lookupSubject(c, svc.config), c.get('requestId'), input);
  } catch (err) {
    if (err instanceof AppError && err.code === 'dossier.evaluation_exists') {
      return message(
        c,
        409,
        'Hồ sơ đã được đánh giá',
        'Mỗi hồ sơ chỉ được đánh giá một lần; đánh giá trước của bạn đã được ghi nhận.',
        entered.code,
      );
    }
    if (err instanceof AppError && err.code === 'dossier.evaluation_not_open') {
      return message(
        c,
        409,
        'Chưa thể đánh giá',
        'Hồ sơ chưa trả kết quả nên chưa thể đánh giá. Vui lòng quay lại sau khi nhận kết quả.',
        entered.code,
      );
    }
    return refusal(c, err, entered);
  }
  return respond(
    c,
    200,
    'Đã ghi nhận đánh giá',
    html`<h1>Đã ghi nhận đánh giá</h1>
<div class="notice" role="status"><p>Cảm ơn bạn đã đánh giá việc giải quyết hồ sơ <strong class="code">${stored.code}</strong>.</p>
<p>Tổng điểm các tiêu chí: <strong>${stored.totalPoints}/18</strong>. Mức độ hài lòng: <strong>${SATISFACTION[stored.satisfaction as 1 | 2 | 3 | 4 | 5]}</strong>.</p></div>
<p><a href="/tra-cuu?code=${encodeURIComponent(stored.code)}">Quay lại trang tra cứu hồ sơ</a></p>`,
  );
}

/** Same-origin form posts only (as every public state-changing call); refusals as a page, not JSON. */
function guarded(svc: PagePorts, handler: (svc: PagePorts, c: Context<AppEnv>) => Promise<Response>) {
  return async (c: Context<AppEnv>) => {
    try {
      if (c.req.method === 'POST') assertSameOrigin(c);
      return await handler(svc, c);
    } catch (err) {
      if (err instanceof AppError && err.code === 'auth.csrf') {
        return message(c, 403, 'Yêu cầu không hợp lệ', 'Yêu cầu không được gửi từ trang tra cứu hồ sơ. Hãy mở trang tra cứu và gửi lại.');
      }
      svc.log.error({ err, requestId: c.get('requestId'), path: c.req.path }, 'public lookup page failed');
      return message(c, 500, 'Hệ thống đang gặp sự cố', `Vui lòng thử lại sau. Mã yêu cầu: ${c.get('requestId')}.`);
    }
  };
}

export function registerLookupPages(app: OpenAPIHono<AppEnv>, svc: PagePorts): void {
  serveStylesheet(app, LOOKUP_STYLESHEET, LOOKUP_CSS);
  const limit = bodyLimit({
    maxSize: MAX_FORM_BYTES,
    onError: (c) => message(c as Context<AppEnv>, 413, 'Nội dung gửi quá lớn', 'Vui lòng nhập lại mã hồ sơ và 4 số cuối rồi gửi lại.'),
  });
  app.get(
    '/tra-cuu',
    guarded(svc, async (svc, c) => {
      const entered = { code: (c.req.query('code') ?? '').trim(), secret: (c.req.query('secret') ?? '').trim() };
      if (entered.secret) return showResult(svc, c, entered);
      return formPage(c, 200, { code: entered.code.slice(0, 100), secret: '' });
    }),
  );
  app.post(
    '/tra-cuu',
    limit,
    guarded(svc, async (svc, c) => {
      const form = await posted(c);
      return showResult(svc, c, { code: form.code ?? '', secret: form.secret ?? '' });
    }),
  );
  app.post('/tra-cuu/danh-gia', limit, guarded(svc, evaluationPage));
}
