import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { AppEnv } from '../http/env.ts';
import { publicOrigin } from '../http/public-origin.ts';
import { isSameDay } from './case-limits.ts';
import type { ProcedureVersion } from './read.ts';
import { procedureCode, type ProcedureDocument } from './schema.ts';
import type { SearchParams, SearchResult } from './search.ts';
import type { SectorView } from './lists.ts';
import { PUBLIC_CSS, PUBLIC_STYLESHEET } from './public-style.ts';
import { serveStylesheet } from '../http/stylesheet.ts';
import {
  channelLabels,
  date,
  feesText,
  levelLabels,
  messagePage,
  onlineLabels,
  page,
  searchHref,
  supplementText,
  timeText,
} from './public-format.ts';
import type { Ports } from '../modules/ports.ts';

type PublicPorts = Pick<Ports, 'catalogue' | 'config' | 'db' | 'log'>;

/**
 * The public catalogue (DOMAIN §6): `/thu-tuc` searches and `/thu-tuc/{code}` shows the
 * published version of a procedure, as plain server-rendered HTML for citizens, no session
 * needed (they live outside `/api`, so the auth middleware never runs for them). Only
 * published versions are read: drafts and retired procedures answer 404.
 */

const PAGE_SIZE = 20;
const MAX_QUERY = 200;
const MAX_PAGE = 500;
const CACHE = 'public, max-age=60';
const levels = Object.keys(levelLabels) as ProcedureDocument['levels'];

interface Criteria {
  q: string;
  sector: string;
  level: string;
  page: number;
}

/** The query string checked, or the Vietnamese reason it is refused. */
function criteria(c: Context<AppEnv>): Criteria | string {
  const q = c.req.query('q') ?? '';
  const sector = c.req.query('sector') ?? '';
  const level = c.req.query('level') ?? '';
  const pageText = c.req.query('page') ?? '';
  if (q.length > MAX_QUERY) return `Từ khóa tìm kiếm dài quá ${MAX_QUERY} ký tự.`;
  if (sector.length > 64 || /[\u0000-\u001f]/.test(sector)) return 'Lĩnh vực không hợp lệ.';
  if (level && !(levels as string[]).includes(level)) return 'Cấp thực hiện không hợp lệ.';
  if (pageText && !/^\d{1,4}$/.test(pageText)) return 'Số trang không hợp lệ.';
  const pageNo = pageText ? Number(pageText) : 1;
  if (pageNo < 1 || pageNo > MAX_PAGE) return `Số trang phải từ 1 đến ${MAX_PAGE}.`;
  return { q: q.trim(), sector, level, page: pageNo };
}

/** The address printed on a printout: always the configured public origin, never the Host header (the page is cached). */
function pageUrl(ports: PublicPorts, c: Context<AppEnv>): string {
  const url = new URL(c.req.url);
  return publicOrigin(ports.config) + url.pathname + url.search;
}

function respond(c: Context<AppEnv>, status: 200 | 400 | 404 | 500, body: ReturnType<typeof page>) {
  c.header('cache-control', status === 200 || status === 404 ? CACHE : 'no-store');
  return c.html(body, status);
}

const list = (items: string[]) => items.join(', ');
const names = (items: { name: string }[]) => list(items.map((i) => i.name));

function searchForm(k: Criteria, sectors: SectorView[]) {
  return html`<form class="search" method="get" action="/thu-tuc" role="search" aria-label="Tìm thủ tục hành chính">
<div class="wide"><label for="q">Tên hoặc mã thủ tục</label>
<input id="q" name="q" type="search" maxlength="${MAX_QUERY}" value="${k.q}" aria-describedby="q-goi-y">
<small id="q-goi-y">Có thể gõ không dấu, ví dụ: ho kinh doanh, khai sinh, 1.001193.</small></div>
<div><label for="sector">Lĩnh vực</label>
<select id="sector" name="sector"><option value="">Tất cả lĩnh vực</option>${sectors.map(
    (s) => html`<option value="${s.code}"${s.code === k.sector ? html` selected` : ''}>${s.name}</option>`,
  )}</select></div>
<div><label for="level">Cấp thực hiện</label>
<select id="level" name="level"><option value="">Tất cả các cấp</option>${levels.map(
    (l) => html`<option value="${l}"${l === k.level ? html` selected` : ''}>${levelLabels[l]}</option>`,
  )}</select></div>
<div class="wide"><button type="submit">Tìm kiếm</button></div>
</form>`;
}

function paging(k: Criteria, total: number) {
  const last = Math.min(Math.ceil(total / PAGE_SIZE), MAX_PAGE);
  if (last <= 1) return '';
  const href = (p: number) => searchHref({ q: k.q, sector: k.sector, level: k.level, page: p === 1 ? undefined : p });
  const shown = [...new Set([1, k.page - 2, k.page - 1, k.page, k.page + 1, k.page + 2, last])]
    .filter((p) => p >= 1 && p <= last)
    .sort((a, b) => a - b);
  const link = (p: number) =>
    p === k.page ? html`<li><span aria-current="page">Trang ${p}</span></li>` : html`<li><a href="${href(p)}">Trang ${p}</a></li>`;
  return html`<nav class="pages" aria-label="Phân trang kết quả"><ul>
${k.page > 1 ? html`<li><a href="${href(Math.min(k.page - 1, last))}" rel="prev">← Trang trước</a></li>` : ''}
${shown.map(link)}
${k.page < last ? html`<li><a href="${href(k.page + 1)}" rel="next">Trang sau →</a></li>` : ''}
</ul></nav>`;
}

function results(k: Criteria, found: SearchResult) {
  if (found.items.length === 0) {
    const why =
      found.total > 0
        ? 'Trang này không có kết quả.'
        : 'Không tìm thấy thủ tục phù hợp. Hãy thử từ khóa ngắn hơn hoặc bỏ bớt điều kiện lọc.';
    return html`<p role="status">${why}</p>`;
  }
  const first = (k.page - 1) * PAGE_SIZE + 1;
  return html`<p role="status">Tìm thấy <strong>${found.total}</strong> thủ tục; đang xem ${first}–${first + found.items.length - 1}.</p>
<ol class="results" start="${first}">
${found.items.map(
  (h) => html`<li><h3><a href="/thu-tuc/${encodeURIComponent(h.code)}">${h.name}</a></h3>
<dl><dt>Mã thủ tục</dt><dd class="code">${h.code}</dd>
<dt>Cấp thực hiện</dt><dd>${list(h.levels.map((l) => levelLabels[l as keyof typeof levelLabels] ?? l))}</dd>
<dt>Lĩnh vực</dt><dd>${names(h.sectors)}</dd>
<dt>Cơ quan thực hiện</dt><dd>${names(h.implementing)}</dd>
<dt>Mức độ trực tuyến</dt><dd>${onlineLabels[h.onlineLevel as keyof typeof onlineLabels] ?? h.onlineLevel}</dd></dl></li>`,
)}
</ol>
${paging(k, found.total)}`;
}

async function searchPage(ports: PublicPorts, c: Context<AppEnv>) {
  const k = criteria(c);
  if (typeof k === 'string') return respond(c, 400, messagePage(pageUrl(ports, c), 'Yêu cầu tra cứu không hợp lệ', k));
  const svc = ports;
  const em = svc.db.em();
  const sectors = (await svc.catalogue.sectors(em)).filter((s) => s.procedures > 0);
  // Only the versions in force today are ever searched here, whatever the query string says.
  const params: SearchParams = {
    q: k.q || undefined,
    sector: k.sector || undefined,
    level: k.level || undefined,
    status: 'in_force',
    limit: PAGE_SIZE,
    offset: (k.page - 1) * PAGE_SIZE,
  };
  const found = await svc.catalogue.search(em, params);
  const title = k.q ? `Tra cứu “${k.q}”` : 'Tra cứu thủ tục hành chính';
  return respond(
    c,
    200,
    page({
      title,
      url: pageUrl(ports, c),
      body: html`<h1>Tra cứu thủ tục hành chính</h1>
<p>Tìm thủ tục theo tên, từ khóa hoặc mã; xem thành phần hồ sơ, thời hạn, phí, lệ phí và căn cứ pháp lý.</p>
${searchForm(k, sectors)}
<h2>Kết quả</h2>
${results(k, found)}`,
    }),
  );
}

function caseSection(cs: ProcedureDocument['cases'][number], i: number) {
  return html`<section aria-labelledby="th-${i}"><h3 id="th-${i}">${cs.name}</h3>
<table><caption>Thời hạn giải quyết và phí, lệ phí</caption>
<thead><tr><th scope="col">Hình thức nộp</th><th scope="col">Thời hạn giải quyết</th><th scope="col">Phí, lệ phí</th><th scope="col">Ghi chú</th></tr></thead>
<tbody>${cs.channels.map(
    (ch) =>
      html`<tr><th scope="row">${channelLabels[ch.channel]}</th><td>${timeText(ch.time)}</td><td>${feesText(ch.fees).map((f, j) => html`${j ? html`<br>` : ''}${f}`)}</td><td>${ch.note ?? ''}</td></tr>`,
  )}</tbody></table>
${
  cs.documents.length
    ? html`<table><caption>Thành phần hồ sơ</caption>
<thead><tr><th scope="col">Tên giấy tờ</th><th scope="col">Số bản chính</th><th scope="col">Số bản sao</th></tr></thead>
<tbody>${cs.documents.map(
        (d) =>
          html`<tr><th scope="row">${d.name}${d.optional ? ' (nếu có)' : ''}</th><td class="n">${d.originals}</td><td class="n">${d.copies}</td></tr>`,
      )}</tbody></table>`
    : html`<p>Không yêu cầu thành phần hồ sơ.</p>`
}
<dl><dt>Bổ sung hồ sơ</dt><dd>${supplementText(cs.supplement)}</dd>
${isSameDay(cs) ? html`<dt>Trả kết quả trong ngày</dt><dd>Hồ sơ nhận sau ${cs.sameDayCutoff} được trả kết quả trong ngày làm việc tiếp theo.</dd>` : ''}</dl>
</section>`;
}

function legalTable(doc: ProcedureDocument) {
  if (doc.legalBasis.length === 0) return html`<p>Chưa cập nhật căn cứ pháp lý.</p>`;
  return html`<table><caption>Văn bản quy phạm pháp luật làm căn cứ</caption>
<thead><tr><th scope="col">Số ký hiệu</th><th scope="col">Trích yếu</th><th scope="col">Ngày ban hành</th><th scope="col">Ngày có hiệu lực</th><th scope="col">Cơ quan ban hành</th></tr></thead>
<tbody>${doc.legalBasis.map(
    (l) =>
      html`<tr><th scope="row">${l.number}</th><td>${l.title}</td><td>${date(l.issuedOn)}</td><td>${date(l.effectiveOn)}</td><td>${l.issuer ?? ''}</td></tr>`,
  )}</tbody></table>`;
}

const codeLinks = (linked: string[]) =>
  html`<ul>${linked.map((code) => html`<li><a href="/thu-tuc/${encodeURIComponent(code)}" class="code">${code}</a></li>`)}</ul>`;

function detailBody(v: ProcedureVersion) {
  const d = v.document;
  const agency = (label: string, items: { name: string }[]) => (items.length ? html`<dt>${label}</dt><dd>${names(items)}</dd>` : '');
  return html`<h1>${d.name}</h1>
<p>Mã thủ tục: <strong class="code">${d.code}</strong></p>
<h2>Thông tin chung</h2>
<dl><dt>Mã thủ tục</dt><dd class="code">${d.code}</dd>
<dt>Lĩnh vực</dt><dd>${names(d.sectors)}</dd>
<dt>Cấp thực hiện</dt><dd>${list(d.levels.map((l) => levelLabels[l]))}</dd>
${agency('Cơ quan thực hiện', d.agencies.implementing)}${agency('Cơ quan có thẩm quyền', d.agencies.competent)}${agency('Cơ quan được ủy quyền', d.agencies.authorised)}${agency('Cơ quan phối hợp', d.agencies.coordinating)}
<dt>Mức độ trực tuyến</dt><dd>${onlineLabels[d.onlineLevel]}</dd>
${d.targetSubjects.length ? html`<dt>Đối tượng thực hiện</dt><dd>${list(d.targetSubjects)}</dd>` : ''}
${d.receptionAddress ? html`<dt>Địa chỉ tiếp nhận</dt><dd>${d.receptionAddress}</dd>` : ''}
${d.announcedBy ? html`<dt>Quyết định công bố</dt><dd>${d.announcedBy.number}${d.announcedBy.date ? ` ngày ${date(d.announcedBy.date)}` : ''}${d.announcedBy.issuer ? ` của ${d.announcedBy.issuer}` : ''}</dd>` : ''}
<dt>Áp dụng từ ngày</dt><dd>${date(v.effectiveFrom) || 'Chưa xác định'}</dd>
${v.effectiveTo ? html`<dt>Hết hiệu lực từ ngày</dt><dd>${date(v.effectiveTo)}</dd>` : ''}</dl>
${d.description ? html`<h2>Mô tả</h2><p>${d.description}</p>` : ''}
<h2>Yêu cầu, điều kiện thực hiện</h2>
<p>${d.conditions ?? 'Không có.'}</p>
<h2>Kết quả thực hiện</h2>
<ul>${d.results.map((r) => html`<li>${r.name}</li>`)}</ul>
<h2>Thời hạn, phí và hồ sơ theo từng trường hợp</h2>
${d.cases.map(caseSection)}
<h2>Căn cứ pháp lý</h2>
${legalTable(d)}
${d.relatedCodes.length ? html`<h2>Thủ tục liên quan</h2>${codeLinks(d.relatedCodes)}` : ''}
${d.interlinkedCodes.length ? html`<h2>Thủ tục liên thông</h2>${codeLinks(d.interlinkedCodes)}` : ''}
<p class="no-print"><a href="/thu-tuc">← Quay lại tra cứu thủ tục hành chính</a></p>`;
}

async function detailPage(ports: PublicPorts, c: Context<AppEnv>) {
  const code = c.req.param('code') ?? '';
  const notFound = () =>
    respond(
      c,
      404,
      messagePage(
        pageUrl(ports, c),
        'Không tìm thấy thủ tục',
        'Không có thủ tục hành chính đã công bố với mã này. Hãy kiểm tra lại mã hoặc tra cứu theo tên.',
      ),
    );
  if (!procedureCode.safeParse(code).success) return notFound();
  const svc = ports;
  const p = await svc.catalogue.get(svc.db.em(), code, { drafts: false });
  // The version in force today (a published one taking effect later waits for its date): a
  // retired procedure, or one with only a draft, is not found.
  const inForce = p?.publishedVersion ? await svc.catalogue.inForce(svc.db.em(), code) : null;
  const v = inForce ? p!.versions.find((x) => x.version === inForce.version) : undefined;
  if (!v) return notFound();
  return respond(c, 200, page({ title: `${v.document.name} (${v.code})`, url: pageUrl(ports, c), body: detailBody(v) }));
}

/** Renders a Vietnamese 500 page instead of the API's JSON problem when reading fails. */
function guarded(ports: PublicPorts, handler: (ports: PublicPorts, c: Context<AppEnv>) => Promise<Response>) {
  return async (c: Context<AppEnv>) => {
    try {
      return await handler(ports, c);
    } catch (err) {
      ports.log.error({ err, requestId: c.get('requestId'), path: c.req.path }, 'public catalogue page failed');
      return respond(
        c,
        500,
        messagePage(pageUrl(ports, c), 'Hệ thống đang gặp sự cố', `Vui lòng thử lại sau. Mã yêu cầu: ${c.get('requestId')}.`),
      );
    }
  };
}

export function registerPublicCataloguePages(app: OpenAPIHono<AppEnv>, ports: PublicPorts): void {
  serveStylesheet(app, PUBLIC_STYLESHEET, PUBLIC_CSS);
  app.get('/thu-tuc', guarded(ports, searchPage));
  app.get('/thu-tuc/:code', guarded(ports, detailPage));
}
