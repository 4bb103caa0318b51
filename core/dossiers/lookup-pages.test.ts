import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import { Dossier } from './entities.ts';
import { INDICATORS } from './evaluation-model.ts';
import { applicant, complete, procedure, publish } from './fixtures/procedures.ts';
import { CLIENT_LIMIT } from './lookup-throttle.ts';
import type { DossierView } from './service.ts';

/**
 * The public lookup page `/tra-cuu`: the form, the result rendered on the server, the errors
 * tied to their fields, and the evaluation form. Status 10 is set through the entity manager
 * (no transition to it exists yet).
 */
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url), config: { trustProxy: true } });
const { deploy } = h.process({ as: () => clerk });
let clerk: TestClient;
let citizen: TestClient;
let d: DossierView;

let nextIp = 1;
const newIp = () => `198.51.100.${nextIp++}`;

/** A form post as a browser sends it from the page. */
function submit(path: string, fields: Record<string, string>, ip = newIp()) {
  return citizen.request('POST', path, new URLSearchParams(fields).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
    'sec-fetch-site': 'same-origin',
    'x-forwarded-for': ip,
  });
}
async function html(res: Response, status: number): Promise<string> {
  const body = await res.text();
  expect(res.status, body.slice(0, 800)).toBe(status);
  expect(res.headers.get('content-type')).toContain('text/html');
  expect(res.headers.get('cache-control')).toBe('no-store');
  return body;
}

beforeAll(async () => {
  h.t.clock.set(new Date('2026-03-06T16:40:00+07:00'));
  clerk = await h.login('clerk');
  citizen = h.t.client();
  await deploy('registration.bpmn');
  await publish(h.services, [procedure('1.900001')]);
  const res = await clerk.post('/api/dossiers', {
    procedureCode: '1.900001',
    caseKey: 'standard',
    channel: 1,
    applicant,
    outcome: 'receive',
    components: complete,
  });
  expect(res.status).toBe(201);
  d = (await res.json()) as DossierView;
});

describe('The lookup page /tra-cuu', () => {
  it('Given the QR link of form 01, When the citizen opens it, Then the form has the code filled in, labelled fields and hints, no script, and the page stylesheet', async () => {
    const body = await html(await citizen.get(`/tra-cuu?code=${encodeURIComponent(d.code)}`), 200);
    expect(body).toContain('<html lang="vi">');
    expect(body).toContain('<h1>Tra cứu tình trạng hồ sơ</h1>');
    expect(body).toContain('<form class="lookup" method="post" action="/tra-cuu" novalidate');
    expect(body).toMatch(
      /<label for="code">Mã hồ sơ<\/label>[\s\S]*<input id="code" name="code" value="DEMO\.TTPVHCC-260306-0001" aria-describedby="code-goi-y"/,
    );
    expect(body).toMatch(/<label for="secret">4 số cuối của số định danh cá nhân hoặc số điện thoại<\/label>/);
    expect(body).toMatch(
      /<input id="secret" name="secret" value="" aria-describedby="secret-goi-y" class="secret" type="text" inputmode="numeric"/,
    );
    expect(body).toContain('<link rel="stylesheet" href="/assets/tra-cuu.css">');
    expect(body).not.toContain('<script');
    expect(body).not.toContain('style=');
    const css = await citizen.get('/assets/tra-cuu.css');
    expect(await css.text()).toContain('@media print');
  });

  it('When the citizen posts the code and the last four digits, Then the result is rendered on the server, without personal data', async () => {
    const body = await html(await submit('/tra-cuu', { code: d.code, secret: '5678' }), 200);
    expect(body).toContain(`<title>Hồ sơ ${d.code} — motcua</title>`);
    expect(body).toContain('<dt>Thủ tục</dt><dd>Thủ tục thử 1.900001</dd>');
    expect(body).toContain('<dt>Tình trạng</dt><dd class="status-now">Đã tiếp nhận</dd>');
    expect(body).toContain('<dt>Ngày tiếp nhận</dt><dd>06/03/2026 16:40</dd>');
    expect(body).toContain('<dt>Ngày hẹn trả kết quả</dt><dd>11/03/2026 16:40</dd>');
    expect(body).toContain('<li>06/03/2026 16:40: Hồ sơ đã được tiếp nhận.</li>');
    expect(body).toContain('Sau khi nhận kết quả, bạn có thể quay lại trang này để đánh giá');
    expect(body).not.toContain('<form class="evaluation"');
    for (const secret of [applicant.name, applicant.idNumber, applicant.phone, d.id]) expect(body).not.toContain(secret);
    // A GET with both fields renders the same result.
    const viaGet = await html(
      await citizen.get(`/tra-cuu?code=${encodeURIComponent(d.code)}&secret=2345`, { 'x-forwarded-for': newIp() }),
      200,
    );
    expect(viaGet).toContain('<dd class="status-now">Đã tiếp nhận</dd>');
  });

  it('Given empty or malformed fields, Then an error summary links to each field, and each message is tied to its field', async () => {
    const body = await html(await submit('/tra-cuu', { code: '', secret: '12a' }), 400);
    expect(body).toContain('<title>Lỗi: Tra cứu hồ sơ — motcua</title>');
    expect(body).toContain('<div class="error-summary" role="alert" aria-labelledby="loi-tieu-de" tabindex="-1" autofocus>');
    expect(body).toContain('<a href="#code">Nhập mã hồ sơ.</a>');
    expect(body).toContain('<a href="#secret">4 số cuối phải gồm đúng 4 chữ số, ví dụ 0361.</a>');
    expect(body).toContain('<span class="field-error" id="code-loi">Lỗi: Nhập mã hồ sơ.</span>');
    expect(body).toMatch(/<input id="code" name="code" value="" aria-describedby="code-goi-y code-loi" aria-invalid="true"/);
    expect(body).toMatch(/<input id="secret" name="secret" value="12a" aria-describedby="secret-goi-y secret-loi" aria-invalid="true"/);
  });

  it('Given a wrong code or a wrong secret, Then the page says the same thing for both, keeping what was typed', async () => {
    const wrongSecret = await html(await submit('/tra-cuu', { code: d.code, secret: '0000' }), 404);
    const wrongCode = await html(await submit('/tra-cuu', { code: 'DEMO.TTPVHCC-260306-7777', secret: '5678' }), 404);
    const message = 'Không tìm thấy hồ sơ khớp với mã hồ sơ và 4 số cuối đã nhập.';
    expect(wrongSecret).toContain(message);
    expect(wrongCode).toContain(message);
    const strip = (s: string) => s.replace(/value="[^"]*"/g, 'value=""');
    expect(strip(wrongCode)).toEqual(strip(wrongSecret));
  });

  it('Given too many lookups from one address, Then the page answers 429 with Retry-After in words', async () => {
    const ip = newIp();
    for (let i = 0; i < CLIENT_LIMIT; i++) await submit('/tra-cuu', { code: `KHONG-CO-${i}`, secret: '1234' }, ip);
    const res = await submit('/tra-cuu', { code: d.code, secret: '5678' }, ip);
    const body = await html(res, 429);
    expect(res.headers.get('retry-after')).toBe('900');
    expect(body).toContain('Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau khoảng 15 phút.');
  });

  it('refuses a post from another site with a page, not JSON', async () => {
    const res = await citizen.request('POST', '/tra-cuu', `code=${d.code}&secret=5678`, {
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'https://evil.example',
      'x-forwarded-for': newIp(),
    });
    expect(await html(res, 403)).toContain('Yêu cầu không hợp lệ');
  });

  it('Given a returned dossier, Then the page offers the evaluation form; posted, it is stored once; again, refused', async () => {
    await h.em().nativeUpdate(Dossier, { id: d.id }, { status: 10 });
    const result = await html(await submit('/tra-cuu', { code: d.code, secret: '2345' }), 200);
    expect(result).toContain('<form class="evaluation" method="post" action="/tra-cuu/danh-gia" novalidate aria-labelledby="danh-gia">');
    expect(result).toContain(`<input type="hidden" name="code" value="${d.code}">`);
    expect(result.match(/<fieldset/g)).toHaveLength(INDICATORS.length + 1);
    expect(result).toContain('<legend>1. Tổng thời gian giải quyết hồ sơ so với thời gian quy định</legend>');
    expect(result).toMatch(
      /<input type="radio" id="totalTime-2" name="totalTime" value="2">\s*<label for="totalTime-2">Sớm hơn thời gian quy định<\/label>/,
    );
    expect(result).toContain('<label for="satisfaction-5">Rất hài lòng</label>');

    // Half answered: each unanswered question gets its message, answers are kept, nothing is stored.
    const half = await html(await submit('/tra-cuu/danh-gia', { code: d.code, secret: '2345', totalTime: '2', contacts: '1' }), 400);
    expect(half).toContain('<a href="#agencyTime-2">Chọn một mức cho tiêu chí “Thời gian giải quyết tại từng cơ quan, đơn vị”.</a>');
    expect(half).toContain('<a href="#satisfaction-5">Chọn mức độ hài lòng chung của bạn.</a>');
    expect(half).toContain('<fieldset class="invalid" aria-describedby="agencyTime-loi">');
    expect(half).toMatch(/id="totalTime-2" name="totalTime" value="2" checked>/);
    expect(half).toMatch(/id="contacts-1" name="contacts" value="1" checked>/);
    expect(await h.em().execute('SELECT id FROM dossier_evaluations')).toEqual([]);

    const all = Object.fromEntries(INDICATORS.map((i) => [i.key, '2']));
    const done = await html(
      await submit('/tra-cuu/danh-gia', { code: d.code, secret: '2345', ...all, online: '1', satisfaction: '5' }),
      200,
    );
    expect(done).toContain('Tổng điểm các tiêu chí: <strong>17/18</strong>. Mức độ hài lòng: <strong>Rất hài lòng</strong>.');
    const [row] = await h
      .em()
      .execute<{ total_points: number; satisfaction: number }[]>('SELECT total_points, satisfaction FROM dossier_evaluations');
    expect(row).toEqual({ total_points: 17, satisfaction: 5 });

    const again = await html(await submit('/tra-cuu/danh-gia', { code: d.code, secret: '2345', ...all, satisfaction: '1' }), 409);
    expect(again).toContain('Mỗi hồ sơ chỉ được đánh giá một lần');
    const after = await html(await submit('/tra-cuu', { code: d.code, secret: '2345' }), 200);
    expect(after).toContain('Bạn đã đánh giá việc giải quyết hồ sơ này.');
    expect(after).not.toContain('<form class="evaluation"');
  });

  it('refuses an evaluation of a dossier whose result is not returned, in words', async () => {
    const res = await clerk.post('/api/dossiers', {
      procedureCode: '1.900001',
      caseKey: 'standard',
      channel: 1,
      applicant,
      outcome: 'receive',
      components: complete,
    });
    const other = (await res.json()) as DossierView;
    const all = Object.fromEntries(INDICATORS.map((i) => [i.key, '2']));
    const body = await html(await submit('/tra-cuu/danh-gia', { code: other.code, secret: '2345', ...all, satisfaction: '4' }), 409);
    expect(body).toContain('Hồ sơ chưa trả kết quả nên chưa thể đánh giá.');
  });
});
