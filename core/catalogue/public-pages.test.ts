import { beforeAll, describe, expect, it } from 'vitest';
import { useTestPlatform, type TestClient } from '../../tests/support/platform.ts';
import { installDemoPack } from '../packs/demo.ts';
import { deployFixture, procedureDoc } from './fixtures/documents.ts';

const ctx = useTestPlatform();
const DRAFT = '1.000123';
const SCRIPTED = '1.000124';
const SCRIPT_NAME = 'Thủ tục thử <script>alert("x")</script> & bạn';

let citizen: TestClient;
let analyst: TestClient;
beforeAll(async () => {
  const svc = ctx.t.platform.services;
  expect((await installDemoPack(svc)).status).toBe('installed');
  await deployFixture(ctx.t);
  analyst = await ctx.t.login('analyst');
  citizen = ctx.t.client();
  // A draft that is never published, and a published procedure whose name needs escaping and
  // whose open draft (version 2) must stay invisible.
  expect((await analyst.post('/api/procedures', procedureDoc({ code: DRAFT, name: 'Thủ tục nháp chưa công bố' }))).status).toBe(201);
  expect((await analyst.post('/api/procedures', procedureDoc({ code: SCRIPTED, name: SCRIPT_NAME }))).status).toBe(201);
  expect((await analyst.post(`/api/procedures/${SCRIPTED}/publish`, { lockVersion: 1 })).status).toBe(200);
  const edit = await analyst.request('PUT', `/api/procedures/${SCRIPTED}`, {
    lockVersion: 2,
    document: procedureDoc({ code: SCRIPTED, name: 'Tên bản nháp bí mật' }),
  });
  expect(edit.status).toBe(200);
  // Enough published procedures for a second page (20 a page).
  for (let i = 0; i < 6; i++) {
    const code = `1.00013${i}`;
    expect((await analyst.post('/api/procedures', procedureDoc({ code, name: `Thủ tục mẫu số ${i}` }))).status).toBe(201);
    expect((await analyst.post(`/api/procedures/${code}/publish`, { lockVersion: 1 })).status).toBe(200);
  }
}, 120_000);

async function page(res: Response, status = 200): Promise<string> {
  const body = await res.text();
  expect(res.status, body.slice(0, 500)).toBe(status);
  expect(res.headers.get('content-type')).toContain('text/html');
  return body;
}
/** The codes of the results, in order. */
const resultCodes = (body: string) => [...body.matchAll(/<dt>Mã thủ tục<\/dt><dd class="code">([^<]+)<\/dd>/g)].map((m) => m[1]);
const count = (body: string, re: RegExp) => (body.match(re) ?? []).length;

describe('Public search page /thu-tuc', () => {
  it('Given no session, When a citizen opens it, Then every published procedure is listed on an accessible Vietnamese page', async () => {
    const res = await citizen.get('/thu-tuc');
    const body = await page(res);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(body).toContain('<html lang="vi">');
    expect(count(body, /<h1[ >]/g)).toBe(1);
    expect(body).toMatch(/<label for="q">[^<]+<\/label>\s*<input id="q" name="q" type="search" maxlength="200"/);
    expect(body).toContain('<label for="sector">');
    expect(body).toContain('<label for="level">');
    expect(body).toContain('<a class="skip" href="#noi-dung">');
    expect(body).toContain('<main id="noi-dung"');
    // The layout, print included, is a served stylesheet (the CSP refuses inline styles).
    expect(body).toContain('<link rel="stylesheet" href="/assets/thu-tuc.css">');
    expect(await (await citizen.get('/assets/thu-tuc.css')).text()).toContain('@media print');
    // 15 from the demo pack and 7 fixtures; never the draft.
    expect(body).toContain('Tìm thấy <strong>22</strong> thủ tục; đang xem 1–20.');
    expect(resultCodes(body)).toHaveLength(20);
    expect(body).toContain('<span aria-current="page">Trang 1</span>');
    expect(body).toContain('<a href="/thu-tuc?page=2" rel="next">');
    const second = await page(await citizen.get('/thu-tuc?page=2'));
    expect(second).toContain('đang xem 21–22.');
    expect(second).toContain('<a href="/thu-tuc" rel="prev">');
    expect([...resultCodes(body), ...resultCodes(second)]).not.toContain(DRAFT);
    expect(body).toContain('<option value="ho-tich">Hộ tịch</option>');
  });

  it('When she types words without diacritics, Then the folded search finds the procedure', async () => {
    const body = await page(await citizen.get('/thu-tuc?q=ho+kinh+doanh'));
    expect(resultCodes(body)[0]).toBe('1.001612');
    expect(body).toContain('Đăng ký thành lập hộ kinh doanh');
    expect(body).toContain('value="ho kinh doanh"');
    expect(resultCodes(await page(await citizen.get('/thu-tuc?q=KHAI%20SINH')))).toContain('1.001193');
  });

  it('When she types a code, Then that procedure comes first', async () => {
    expect(resultCodes(await page(await citizen.get('/thu-tuc?q=2.000635')))[0]).toBe('2.000635');
    const prefix = resultCodes(await page(await citizen.get('/thu-tuc?q=1.00')));
    expect(prefix.length).toBeGreaterThan(3);
    expect(prefix.every((c) => c.startsWith('1.00'))).toBe(true);
  });

  it('Filters by sector and level combine with the words; an empty later page says so', async () => {
    const civil = resultCodes(await page(await citizen.get('/thu-tuc?sector=ho-tich&level=commune')));
    expect(civil).toEqual(expect.arrayContaining(['1.001193', '2.000635']));
    expect(civil).not.toContain('1.013225');
    const selected = await page(await citizen.get('/thu-tuc?level=commune'));
    expect(selected).toContain('<option value="commune" selected>');
    const paged = await page(await citizen.get('/thu-tuc?q=thu+tuc+mau&level=commune&page=1'));
    expect(resultCodes(paged)).toHaveLength(6);
    expect(paged).not.toContain('rel="next"');
    const late = await page(await citizen.get('/thu-tuc?page=3'));
    expect(late).toContain('Trang này không có kết quả');
    expect(await page(await citizen.get('/thu-tuc?q=khongcothutucnaoten'))).toContain('Không tìm thấy thủ tục phù hợp');
  });

  it('Bad parameters give a 400 page, never a crash', async () => {
    for (const q of [`q=${'a'.repeat(201)}`, 'page=0', 'page=abc', 'page=99999', 'level=galaxy', `sector=${'x'.repeat(65)}`]) {
      const res = await citizen.get(`/thu-tuc?${q}`);
      const body = await page(res, 400);
      expect(body).toContain('<html lang="vi">');
      expect(body).toContain('Yêu cầu tra cứu không hợp lệ');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    expect((await citizen.get(`/thu-tuc?q=${'a'.repeat(200)}`)).status).toBe(200);
    expect((await citizen.get('/thu-tuc?sector=%00')).status).toBe(400);
    for (const odd of ['q=%ZZ', 'q=%E0%A4', 'q=%00', 'q=a&q=b', 'page='])
      expect((await citizen.get(`/thu-tuc?${odd}`)).status, odd).toBe(200);
  });

  it('A query with markup is echoed escaped', async () => {
    const body = await page(await citizen.get(`/thu-tuc?q=${encodeURIComponent('"><script>alert(1)</script>')}`));
    expect(body).not.toContain('<script>alert(1)');
    expect(body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });
});

describe('Public procedure page /thu-tuc/{code}', () => {
  it('Shows time limits per channel, fees the Vietnamese way, documents, legal basis and dates', async () => {
    const res = await citizen.get('/thu-tuc/2.000635');
    const body = await page(res);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(count(body, /<h1[ >]/g)).toBe(1);
    expect(body).toContain('<h1>Cấp bản sao trích lục hộ tịch</h1>');
    expect(body).toContain('<strong class="code">2.000635</strong>');
    expect(body).toContain('<th scope="row">Trực tiếp</th><td>1 ngày làm việc</td>');
    expect(body).toContain('Phí cấp bản sao trích lục hộ tịch: 8.000 đ / bản sao trích lục');
    expect(body).toContain('<caption>Thành phần hồ sơ</caption>');
    expect(body).toContain('<th scope="col">Số bản chính</th><th scope="col">Số bản sao</th>');
    expect(body).toContain('Tờ khai cấp bản sao trích lục hộ tịch theo mẫu');
    expect(body).toContain('<th scope="row">60/2014/QH13</th><td>Luật Hộ tịch</td><td>20/11/2014</td><td>01/01/2016</td>');
    expect(body).toContain('<dt>Áp dụng từ ngày</dt><dd>02/03/2026</dd>');
    expect(body).toContain('<dt>Lĩnh vực</dt><dd>Hộ tịch</dd>');
    // Issued by the commune or the provincial Department of Justice (issue 17).
    expect(body).toContain('<dt>Cấp thực hiện</dt><dd>Cấp tỉnh, Cấp xã</dd>');
    expect(body).toContain('<dt>Bổ sung hồ sơ</dt>');
    expect(body).toContain('Bản in từ http://localhost/thu-tuc/2.000635');
    // Internal processes are not public.
    expect(body).not.toContain('vn_base_ban_sao_trich_luc');
  });

  it('A free procedure says "Miễn phí" and its same-day cut-off', async () => {
    const body = await page(await citizen.get('/thu-tuc/1.001193'));
    expect(body).toContain('Miễn phí');
    expect(body).toMatch(/Hồ sơ nhận sau 15:00 được trả kết quả/);
    expect(body).toContain(onlineFull);
  });

  it('A name with markup is escaped; the open draft of a published procedure stays hidden, even from its editor', async () => {
    for (const who of [citizen, analyst]) {
      const body = await page(await who.get(`/thu-tuc/${SCRIPTED}`));
      expect(body).not.toContain('<script>');
      expect(body).toContain('Thủ tục thử &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; bạn');
      expect(body).not.toContain('Tên bản nháp bí mật');
    }
    const found = await page(await citizen.get('/thu-tuc?q=thu+tuc+thu'));
    expect(resultCodes(found)).toContain(SCRIPTED);
    expect(found).not.toContain('<script>');
    expect(resultCodes(await page(await citizen.get('/thu-tuc?q=ban+nhap+bi+mat')))).toEqual([]);
  });

  it('Draft, unknown and malformed codes answer a Vietnamese 404 page', async () => {
    for (const code of [DRAFT, '9.999999', 'abc', encodeURIComponent('<b>')]) {
      const body = await page(await citizen.get(`/thu-tuc/${code}`), 404);
      expect(body).toContain('<html lang="vi">');
      expect(body).toContain('<h1>Không tìm thấy thủ tục</h1>');
      expect(body).not.toContain('Thủ tục nháp chưa công bố');
    }
    expect(await page(await analyst.get(`/thu-tuc/${DRAFT}`), 404)).not.toContain('Thủ tục nháp');
  });

  it('The home page links to the catalogue', async () => {
    expect(await page(await citizen.get('/'))).toContain('<a href="/thu-tuc">');
  });
});

const onlineFull = 'Dịch vụ công trực tuyến toàn trình';
