import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runMotcua } from '../../../tests/support/cli.ts';
import { useHarness, type TestClient } from '../../../tests/support/harness.ts';
import { publicOrigin } from '../../http/public-origin.ts';
import { applicant, complete, procedure, publish } from '../fixtures/procedures.ts';
import type { DossierView } from '../service.ts';

const h = useHarness({ fixtures: new URL('../fixtures/', import.meta.url) });
const { deploy } = h.process({ as: () => clerk });
let clerk: TestClient;
let specialist: TestClient;

async function at(local: string) {
  h.t.clock.set(new Date(`${local}+07:00`));
  clerk = await h.login('clerk');
  specialist = await h.login('specialist');
}

async function post(body: Record<string, unknown>): Promise<DossierView> {
  const res = await clerk.post('/api/dossiers', { procedureCode: '1.900101', caseKey: 'standard', channel: 1, applicant, ...body });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as DossierView;
}

/** The form's text as a reader sees it. */
async function form(code: string, no: string, as = clerk): Promise<{ status: number; html: string; text: string; res: Response }> {
  const res = await as.get(`/api/dossiers/${encodeURIComponent(code)}/forms/${no}`);
  const html = await res.text();
  const text = html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x([0-9a-f]+);/gi, (_, x: string) => String.fromCodePoint(parseInt(x, 16)))
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
  return { status: res.status, html, text, res };
}

beforeAll(async () => {
  clerk = await h.login('clerk');
  specialist = await h.login('specialist');
  await deploy('registration.bpmn');
  await publish(h.services, [procedure('1.900101')]);
});

describe('Statutory forms of a dossier (GET /api/dossiers/{code}/forms/{no})', () => {
  it('Given a dossier received at 16:40 on a Friday, When the clerk prints form 01, Then it shows the code, the applicant, the checklist, the appointment on Wednesday 16:40 Vietnam time and a QR code to the public lookup', async () => {
    await at('2026-03-06T16:40:00');
    const d = await post({
      outcome: 'receive',
      components: complete,
      applicant: { ...applicant, name: 'Nguyễn Thị Hồng Nhung', address: 'Phường Kinh Bắc' },
      fees: { paid: 8000, mode: 'cash' },
    });
    const f = await form(d.code, '01');
    expect(f.status, f.html).toBe(200);
    expect(f.res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(f.res.headers.get('content-security-policy')).toContain("style-src 'self'");
    expect(f.html).toContain('<link rel="stylesheet" href="/assets/forms.css">');
    expect(f.text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc');
    expect(f.text).toContain('Tỉnh Demo (dữ liệu mẫu) Trung tâm Phục vụ hành chính công tỉnh');
    expect(f.text).toContain('ngày 06 tháng 03 năm 2026');
    expect(f.text).toContain(`Mã hồ sơ: ${d.code}`);
    expect(f.text).toContain('Tiếp nhận hồ sơ của: Nguyễn Thị Hồng Nhung');
    expect(f.text).toContain('Số định danh cá nhân / mã số: 001204012345');
    expect(f.text).toContain('Thủ tục thử 1.900101 (mã thủ tục 1.900101)');
    expect(f.text).toContain('1 Tờ khai theo mẫu 1 0 0 Đã số hóa');
    expect(f.text).toContain('2 Giấy tờ tùy thân 0 0 1');
    expect(f.text).not.toContain('Giấy ủy quyền'); // not handed in
    expect(f.text).toContain('Thời gian giải quyết hồ sơ theo quy định: 3 ngày làm việc');
    expect(f.text).toContain('Thời gian nhận hồ sơ: 16:40 ngày 06/03/2026');
    expect(f.text).toContain('Thời gian trả kết quả giải quyết hồ sơ: 16:40 ngày 11/03/2026');
    expect(f.text).toContain('Nhận kết quả tại: Quầy tiếp nhận và trả kết quả số 1, Trung tâm Phục vụ hành chính công tỉnh');
    expect(f.text).toContain('Phí, lệ phí: 8.000 đồng, hình thức nộp: tiền mặt; đã nộp 8.000 đồng');
    expect(f.text).toContain('NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Trần Thị Tiếp Nhận (demo)');
    const url = `${publicOrigin(h.services.config)}/tra-cuu?code=${encodeURIComponent(d.code)}`;
    expect(f.html).toMatch(
      /<svg class="qr" xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="-4 -4 \d+ \d+" role="img" aria-label="[^"]+"[^>]*><rect [^>]+\/><path fill="#000" d="M[^"]+"\/><\/svg>/,
    );
    expect(f.text).toContain(`Tra cứu hồ sơ: ${url}`);
    // "1" is form 01 too
    expect((await form(d.code, '1')).html).toBe(f.html);
    // Its stylesheet is served, with the A4 page
    const css = await clerk.get('/assets/forms.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('@page { size: A4;');
  });

  it('Given a dossier waiting for a supplement, Then form 02 lists every missing document and item, with the officer to contact; it has no form 01 yet', async () => {
    await at('2026-03-09T09:00:00');
    const d = await post({ outcome: 'request_supplement', components: [complete[0]], missing: ['Tờ khai chưa có chữ ký'] });
    const f = await form(d.code, '02');
    expect(f.status, f.html).toBe(200);
    expect(f.text).toContain('PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ');
    expect(f.text).toContain(`Mã hồ sơ: ${d.code}`);
    expect(f.text).toContain('Hồ sơ của: Nguyễn Văn An');
    expect(f.text).toContain('1 Giấy tờ tùy thân');
    expect(f.text).toContain('2 Tờ khai chưa có chữ ký');
    expect(f.text).toContain('liên hệ với Trần Thị Tiếp Nhận (demo), Quầy tiếp nhận và trả kết quả số 1');
    expect(f.text).toContain('ngày 09 tháng 03 năm 2026');
    const none = await form(d.code, '01');
    expect(none.status).toBe(404);
    expect(JSON.parse(none.html)).toMatchObject({
      code: 'dossier.form_not_available',
      detail: expect.stringMatching(/has not been received/),
    });
  });

  it('Given a refused dossier, Then form 03 states each reason; form 01 and 02 are not available', async () => {
    const d = await post({
      outcome: 'refuse',
      components: complete,
      reasons: ['Người nộp không thuộc đối tượng', 'Hồ sơ đã được giải quyết trước đó'],
    });
    const f = await form(d.code, '03');
    expect(f.status, f.html).toBe(200);
    expect(f.text).toContain('PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ');
    expect(f.text).toContain('tiếp nhận hồ sơ của: Nguyễn Văn An');
    expect(f.text).toContain('Người nộp không thuộc đối tượng');
    expect(f.text).toContain('Hồ sơ đã được giải quyết trước đó');
    for (const no of ['01', '02']) expect((await form(d.code, no)).status).toBe(404);
  });

  it('Given an applicant named <script>alert(1)</script>, Then the form prints the name escaped', async () => {
    const d = await post({ outcome: 'receive', components: complete, applicant: { ...applicant, name: '<script>alert(1)</script>' } });
    const f = await form(d.code, '01');
    expect(f.status).toBe(200);
    expect(f.html).not.toContain('<script');
    expect(f.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('Given a received dossier, Then form 03, forms 04–05 and 07 (a unit log) answer 404 form_not_available, a number outside 01–07 answers 400, and a dossier outside your units answers 404', async () => {
    const d = await post({ outcome: 'receive', components: complete });
    const three = await form(d.code, '03');
    expect(three.status).toBe(404);
    expect(JSON.parse(three.html)).toMatchObject({ code: 'dossier.form_not_available', detail: expect.stringMatching(/was not refused/) });
    expect((await form(d.code, '06')).status).toBe(200); // its receipt hop (core/dossiers/hops.test.ts)
    for (const no of ['04', '05', '07']) {
      const f = await form(d.code, no);
      expect(f.status).toBe(404);
      expect(JSON.parse(f.html)).toMatchObject({ code: 'dossier.form_not_available' });
    }
    for (const no of ['00', '08', '8', 'x', '001']) {
      const f = await form(d.code, no);
      expect(f.status, no).toBe(400);
      expect(JSON.parse(f.html)).toMatchObject({ code: 'request.invalid' });
    }
    // The specialist of another department does not see the dossier, so not its forms either
    const theirs = await form(d.code, '01', specialist);
    expect(theirs.status).toBe(404);
    expect(JSON.parse(theirs.html)).toMatchObject({ code: 'dossier.not_found' });
    expect((await form('NO-SUCH-CODE', '01')).status).toBe(404);
  });

  it('Given a received dossier, When an operator runs motcua dossier form <code> 01 --out file, Then the file holds form 01; a bad number or code is refused', async () => {
    const d = await post({ outcome: 'receive', components: complete });
    const dir = mkdtempSync(join(tmpdir(), 'motcua-form-'));
    try {
      const file = join(dir, 'form.html');
      const r = await runMotcua(h.t.db, ['dossier', 'form', d.code, '01', '--out', file]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`form 01 of ${d.code} written to ${file}`);
      const html = readFileSync(file, 'utf8');
      expect(html).toContain('GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ');
      expect(html).toContain(d.code);
      const bad = await runMotcua(h.t.db, ['dossier', 'form', d.code, '09', '--out', file]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('request.invalid');
      const none = await runMotcua(h.t.db, ['dossier', 'form', 'NO-SUCH-CODE', '01', '--out', file]);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('dossier.not_found');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
