import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../../tests/support/harness.ts';
import { applicant, procedure, publish } from '../fixtures/procedures.ts';
import type { DossierView } from '../service.ts';

/**
 * Issue 15: "every form (rendered HTML checked for its key fields)". Each statutory form 01–07,
 * rendered through the API (`GET /api/dossiers/{code}/forms/{no}`; 07 per unit and period), for
 * a dossier that went through what the form records, checked for the key fields the one-stop
 * rules list for it (receiving unit, place and date, code and QR, applicant, request, owner,
 * components with counts, sets, statutory time, appointment date and hour, place of return, fee
 * mode, signatures; what is missing and the officer; the reasons; the late unit and the new
 * appointment; every hop; a row per dossier). Vietnam time, the default working hours.
 */
const h = useHarness({ fixtures: new URL('../fixtures/', import.meta.url) });
const { deploy } = h.process({ as: () => analyst });
let analyst: TestClient;
const vn = (local: string) => new Date(`${local}+07:00`).toISOString();
const CLERK = 'Trần Thị Tiếp Nhận (demo)';
const DESK = 'Quầy tiếp nhận và trả kết quả số 1';
const CENTRE = 'Trung tâm Phục vụ hành chính công tỉnh';

const fullApplicant = { ...applicant, email: 'nguyenvanan@example.vn', address: 'Thôn Đông, xã An Bình' };
const owner = { name: 'Nguyễn Thị Bình', idNumber: '001304054321', address: 'Thôn Tây, xã An Bình' };

async function at(local: string) {
  h.t.clock.set(new Date(`${local}+07:00`));
}

/** The page as a reader sees it: tags dropped, entities decoded, spaces collapsed. */
async function form(path: string, as = 'clerk'): Promise<{ html: string; text: string }> {
  const res = await (await h.login(as)).get(path);
  const html = await res.text();
  expect(res.status, html).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  const text = html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x([0-9a-f]+);/gi, (_, x: string) => String.fromCodePoint(parseInt(x, 16)))
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
  return { html, text };
}

async function post(as: string, path: string, body: unknown): Promise<DossierView> {
  const res = await (await h.login(as)).post(path, body);
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return (await res.json()) as DossierView;
}

async function receive(body: Record<string, unknown> = {}): Promise<DossierView> {
  return post('clerk', '/api/dossiers', {
    procedureCode: '1.950001',
    caseKey: 'standard',
    channel: 1,
    applicant: fullApplicant,
    outcome: 'receive',
    components: [
      { document: 0, originals: 1, digitised: true },
      { document: 1, certifiedCopies: 2, copies: 1 },
    ],
    ...body,
  });
}

async function work(as: string, code: string): Promise<void> {
  const c = await h.login(as);
  const tasks = (await (await c.get(`/api/tasks?businessKey=${encodeURIComponent(code)}`)).json()) as { id: string }[];
  expect(tasks).toHaveLength(1);
  const res = await c.post(`/api/tasks/${tasks[0].id}/complete`, { variables: {} });
  expect(res.status, await res.clone().text()).toBe(204);
}

/** Received Friday 6 March 16:40 (three working days: Wednesday 11 March 16:40), extended Monday, appraised Tuesday 09:00, returned Tuesday 14:00. */
let returned: DossierView;

beforeAll(async () => {
  await at('2026-03-06T08:00:00');
  analyst = await h.login('analyst');
  await deploy('registration.bpmn');
  await publish(h.services, [procedure('1.950001')]);

  await at('2026-03-06T16:40:00');
  returned = await receive({ owner, fees: { paid: 0, mode: 'cash' } });
  expect(returned.appointmentAt).toBe(vn('2026-03-11T16:40:00'));
  await at('2026-03-09T10:00:00');
  await post('xa.lanhdao', `/api/dossiers/${returned.code}/extension`, {
    reason: 'Cần xác minh thông tin tại cơ quan đăng ký cũ',
    newAppointmentAt: vn('2026-03-13T16:00:00'),
    signerTitle: 'CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ',
  });
  await at('2026-03-10T09:00:00');
  await work('xa.chuyenvien', returned.code);
  await at('2026-03-10T14:00:00');
  returned = await post('clerk', `/api/dossiers/${returned.code}/result-return`, {
    recipient: { name: 'Nguyễn Văn An', relation: 'bản thân' },
    method: 'desk',
  });
  expect(returned.status).toBe(10);
});

describe('Each statutory form, rendered through the API, carries its key fields', () => {
  it('Given a dossier received Friday 16:40 with an owner, Then form 01 has the receiving unit, place and date, code and QR, applicant, request, owner, components with counts, sets, statutory time, appointment date and hour, place of return, fee mode and both signatures', async () => {
    const { html, text } = await form(`/api/dossiers/${returned.code}/forms/01`);
    expect(text).toContain(`${DESK}, ${CENTRE}`); // receiving unit
    expect(text).toMatch(/Tỉnh Demo[^,]*, ngày 06 tháng 03 năm 2026/); // place and date
    expect(text).toContain(`Mã hồ sơ: ${returned.code}`);
    expect(html).toMatch(/<svg class="qr"[^>]*role="img"/);
    expect(text).toContain(`/tra-cuu?code=${encodeURIComponent(returned.code)}`);
    expect(text).toContain('Tiếp nhận hồ sơ của: Nguyễn Văn An');
    expect(text).toContain('Số định danh cá nhân / mã số: 001204012345');
    expect(text).toContain('Địa chỉ: Thôn Đông, xã An Bình');
    expect(text).toContain('Số điện thoại: 0912345678 Thư điện tử: nguyenvanan@example.vn');
    expect(text).toContain('Chủ hồ sơ: Nguyễn Thị Bình , số định danh 001304054321, địa chỉ: Thôn Tây, xã An Bình');
    // The case is named when the procedure has several (forms/service.ts); this one has one.
    expect(text).toContain('Nội dung yêu cầu giải quyết: Thủ tục thử 1.950001 (mã thủ tục 1.950001).');
    expect(text).toContain('1 Tờ khai theo mẫu 1 0 0'); // originals, certified copies, photocopies
    expect(text).toContain('2 Giấy tờ tùy thân 0 2 1');
    expect(text).toContain('Số lượng hồ sơ: 1 (bộ).');
    expect(text).toContain('Thời gian giải quyết hồ sơ theo quy định: 3 ngày làm việc');
    expect(text).toContain('Thời gian nhận hồ sơ: 16:40 ngày 06/03/2026');
    // A reprint carries the appointment as it stands (extended to Friday 16:00); form 04 keeps the one before.
    expect(text).toContain('Thời gian trả kết quả giải quyết hồ sơ: 16:00 ngày 13/03/2026');
    expect(text).toContain(`Nhận kết quả tại: ${DESK}, ${CENTRE}`);
    expect(text).toContain('Phí, lệ phí: 8.000 đồng, hình thức nộp: tiền mặt; đã nộp 0 đồng.');
    expect(text).toContain('NGƯỜI NỘP HỒ SƠ (Ký và ghi rõ họ tên) Nguyễn Văn An');
    expect(text).toContain(`NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) ${CLERK}`);
  });

  it('Given a supplement asked during processing, Then form 02 has its code, the applicant, the request, the table of what is missing, the reason, the contact officer and the signature', async () => {
    await at('2026-03-16T08:00:00');
    const d = await receive();
    await at('2026-03-16T09:00:00');
    await post('xa.chuyenvien', `/api/dossiers/${d.code}/supplement-request`, {
      missing: ['Bản sao giấy khai sinh', 'Tờ khai có chữ ký'],
      reason: 'Thông tin trên tờ khai chưa khớp',
    });
    const { text } = await form(`/api/dossiers/${d.code}/forms/02`);
    expect(text).toContain('PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ');
    expect(text).toContain(`Mã hồ sơ: ${d.code}`);
    expect(text).toContain('Hồ sơ của: Nguyễn Văn An');
    expect(text).toContain('Nội dung yêu cầu giải quyết: Thủ tục thử 1.950001 (mã thủ tục 1.950001)');
    expect(text).toContain('1 Bản sao giấy khai sinh 2 Tờ khai có chữ ký');
    expect(text).toContain('Lý do: Thông tin trên tờ khai chưa khớp');
    expect(text).toMatch(/liên hệ với [^,]+, Xã An Bình/);
    expect(text).toMatch(/NGƯỜI HƯỚNG DẪN \(Ký và ghi rõ họ tên\) \S/);
  });

  it('Given a dossier refused at the desk, Then form 03 has the applicant, the request, each reason and the signature', async () => {
    await at('2026-03-16T10:00:00');
    const d = await receive({ outcome: 'refuse', reasons: ['Không thuộc đối tượng', 'Hồ sơ đã được giải quyết'] });
    const { text } = await form(`/api/dossiers/${d.code}/forms/03`);
    expect(text).toContain('PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ');
    expect(text).toContain(`tiếp nhận hồ sơ của: Nguyễn Văn An`);
    expect(text).toContain('Nội dung yêu cầu giải quyết: Thủ tục thử 1.950001');
    expect(text).toContain('Không thuộc đối tượng');
    expect(text).toContain('Hồ sơ đã được giải quyết');
    expect(text).toContain(`NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) ${CLERK}`);
  });

  it('Given the extension by the commune leader, Then form 04 has the addressee, the date received, the code, the original appointment, the late unit and cause, the apology, the new date, time and place, and the head signing', async () => {
    const { text } = await form(`/api/dossiers/${returned.code}/forms/04`);
    expect(text).toContain('Kính gửi: Nguyễn Văn An');
    expect(text).toContain(`Ngày 06/03/2026, ${DESK}, ${CENTRE} tiếp nhận giải quyết hồ sơ của ông/bà, mã hồ sơ ${returned.code}`);
    expect(text).toContain('Thời gian hẹn trả kết quả: 16:40 ngày 11/03/2026.');
    expect(text).toContain(
      'Xã An Bình chưa trả kết quả giải quyết hồ sơ cho ông/bà đúng hạn. Lý do: Cần xác minh thông tin tại cơ quan đăng ký cũ',
    );
    expect(text).toContain('Xã An Bình xin lỗi ông/bà');
    expect(text).toContain(`hẹn trả kết quả vào 16:00 ngày 13/03/2026 tại ${DESK}`);
    expect(text).toMatch(/CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ \(Ký, ghi rõ họ tên và đóng dấu\) \S/);
  });

  it('Given a dossier stopped by the commune, Then form 05 has the dossier, the reason and the signature', async () => {
    await at('2026-03-16T11:00:00');
    const d = await receive();
    await post('xa.chuyenvien', `/api/dossiers/${d.code}/stop`, {
      reasons: ['Người nộp không bổ sung trong thời hạn'],
      legalGround: 'Khoản 3 Điều 18 Nghị định 118/2025/NĐ-CP',
      signerTitle: 'CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ',
    });
    const { text } = await form(`/api/dossiers/${d.code}/forms/05`);
    expect(text).toContain('THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ');
    expect(text).toContain(d.code);
    expect(text).toContain('Người nộp không bổ sung trong thời hạn');
    expect(text).toContain('Căn cứ: Khoản 3 Điều 18 Nghị định 118/2025/NĐ-CP.');
    expect(text).toContain('CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ');
  });

  it('Given the dossier handed to the commune and back, Then form 06 has a row per hop: from and to unit, hour, minute and date, giver and receiver, and result (classes against deadlines: hops.test.ts)', async () => {
    const { text } = await form(`/api/dossiers/${returned.code}/forms/06`);
    expect(text).toContain('PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ');
    expect(text).toContain(`Mã hồ sơ: ${returned.code}`);
    expect(text).toContain(`1 Giao: ${DESK} Nhận: Xã An Bình 16:40 ngày 06/03/2026 ${CLERK}`);
    expect(text).toMatch(/Tiếp nhận hồ sơ/);
    expect(text).toMatch(/2 Giao: Xã An Bình Nhận: Quầy tiếp nhận và trả kết quả số 1 09:00 ngày 10\/03\/2026 \S.* Hoàn thành: Thẩm định/);
  });

  it('Given the unit and March, Then form 07 has a row for the dossier: no., code, content, sets, owner (the applicant when none), address, phone, received date and by, appointment, hand-overs, returned date and status', async () => {
    const { text } = await form(`/api/units/DEMO.TTPVHCC.Q1/forms/07?from=2026-03-01&to=2026-03-31`);
    expect(text).toContain('SỔ THEO DÕI HỒ SƠ');
    expect(text).toContain(`${DESK}: từ ngày 01/03/2026 đến ngày 31/03/2026`);
    expect(text).toContain(
      `1 ${returned.code} Thủ tục thử 1.950001 1 Nguyễn Thị Bình Thôn Tây, xã An Bình 16:40 06/03/2026 ${CLERK} 16:00 13/03/2026 ` +
        `Xã An Bình 16:40 06/03/2026; ${DESK} 09:00 10/03/2026 10/03/2026 Đã trả kết quả`,
    );
    // A dossier without an owner: the applicant, with address and phone.
    expect(text).toMatch(
      /2 DEMO\.TTPVHCC-260316-\d{4} Thủ tục thử 1\.950001 1 Nguyễn Văn An Thôn Đông, xã An Bình 0912345678 08:00 16\/03\/2026/,
    );
  });
});
