import { beforeAll, describe, expect, it } from 'vitest';
import { runMotcua } from '../../tests/support/cli.ts';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import { complete, procedure, publish } from './fixtures/procedures.ts';
import { Authz } from '../org/authz.ts';
import { findUnit } from '../org/units-service.ts';
import { searchDossiers, type Caps, type DossierPage } from './search.ts';
import type { DossierView } from './service.ts';

const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
const { deploy } = h.process({ as: () => clerk });
let clerk: TestClient;
let clerk2: TestClient;
let specialist: TestClient;
let admin: TestClient;

/** Moves the injected clock to a Vietnam local time; signs in again (sessions expire while time jumps). */
async function at(local: string) {
  h.t.clock.set(new Date(`${local}+07:00`));
  [clerk, clerk2, specialist, admin] = await Promise.all(['clerk', 'quay2.tiepnhan', 'specialist', 'admin'].map((u) => h.login(u)));
}

async function receive(name: string, body: Record<string, unknown> = {}, as = clerk): Promise<DossierView> {
  const res = await as.post('/api/dossiers', {
    procedureCode: '1.900301',
    caseKey: 'standard',
    channel: 1,
    applicant: { kind: 'citizen', name },
    outcome: 'receive',
    components: complete,
    ...body,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as DossierView;
}

async function list(query: string, as = clerk, status = 200): Promise<DossierPage> {
  const res = await as.get(`/api/dossiers${query ? `?${query}` : ''}`);
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as DossierPage;
}
const codes = (p: DossierPage) => p.items.map((i) => i.code);

const d: Record<string, DossierView> = {};

beforeAll(async () => {
  // The demo province's second desk (DEMO.TTPVHCC.Q2) has its own receptionist, quay2.tiepnhan.
  await at('2026-03-02T09:00:00');
  await deploy('registration.bpmn');
  await publish(h.services, [procedure('1.900301'), procedure('1.900302')]);
  // Monday 09:00: appointment three working days on, Thursday 09:00.
  d.an = await receive('Nguyễn Văn An', {
    applicant: { kind: 'citizen', name: 'Nguyễn Văn An', idNumber: '001204012345', phone: '0912 345 678' },
  });
  await at('2026-03-03T09:00:00');
  d.ngan = await receive('Trần Thị Ngân', { procedureCode: '1.900302' });
  await at('2026-03-04T00:30:00'); // Wednesday 00:30 in Vietnam is still Tuesday in UTC
  d.night = await receive('Lê Thị Hoa');
  await at('2026-03-04T10:00:00');
  d.refused = await receive('Lê Anh', {
    owner: { kind: 'citizen', name: 'Đặng Văn Bình' },
    outcome: 'refuse',
    reasons: ['Không thuộc thẩm quyền'],
  });
  await at('2026-03-04T10:05:00');
  d.online = await receive('Phạm Minh Đức', { channel: 2, outcome: 'submit', components: [] });
  await at('2026-03-04T10:10:00');
  d.q2 = await receive('Nguyễn Văn Anh', {}, clerk2);
  await at('2026-03-05T10:00:00');
}, 120_000);

describe('Dossier search: GET /api/dossiers', () => {
  it('Given dossiers at two desks, When each clerk lists, Then each sees exactly their desk’s, newest received first; a specialist of another department sees none', async () => {
    expect(codes(await list(''))).toEqual([d.online, d.refused, d.night, d.ngan, d.an].map((x) => x.code));
    expect(codes(await list('', clerk2))).toEqual([d.q2.code]);
    expect((await list('', specialist)).items).toEqual([]);
    // The province's administrator reads every desk.
    expect(codes(await list('', admin))).toEqual([d.q2, d.online, d.refused, d.night, d.ngan, d.an].map((x) => x.code));
    // Searching for another desk's dossier by its code, name or unit finds nothing
    expect((await list(`q=${encodeURIComponent(d.q2.code)}`)).items).toEqual([]);
    expect((await list('q=anh')).items.map((i) => i.applicantName)).toEqual(['Lê Anh']);
    expect((await list('unitId=DEMO.TTPVHCC.Q2')).items).toEqual([]);
  });

  it('Given a dossier, Then its summary holds code, status and name, applicant, procedure, receipt, appointment, desk and the overdue flag', async () => {
    const [item] = (await list(`q=${encodeURIComponent(d.an.code)}`)).items;
    expect(item).toEqual({
      code: d.an.code,
      status: 2,
      statusName: 'Đã tiếp nhận',
      applicantName: 'Nguyễn Văn An',
      procedure: { code: '1.900301', name: 'Thủ tục thử 1.900301' },
      receivedAt: new Date('2026-03-02T09:00:00+07:00').toISOString(),
      appointmentAt: new Date('2026-03-05T09:00:00+07:00').toISOString(),
      unit: { id: d.an.unitId, code: 'DEMO.TTPVHCC.Q1', name: 'Quầy tiếp nhận và trả kết quả số 1' },
      overdue: true,
    });
  });

  it('Given names with diacritics, When searched without them, Then the words typed start words of the applicant’s or the owner’s name in their order, the last one as a prefix', async () => {
    const names = async (q: string, as = clerk) => (await list(`q=${encodeURIComponent(q)}`, as)).items.map((i) => i.applicantName);
    expect(await names('nguyen van an')).toEqual(['Nguyễn Văn An']);
    expect(await names('NGUYỄN văn')).toEqual(['Nguyễn Văn An']);
    // "an" starts "Anh" too: the last word typed is a prefix
    expect(await names('van an', admin)).toEqual(['Nguyễn Văn Anh', 'Nguyễn Văn An']);
    expect(await names('nguyen van a', admin)).toEqual(['Nguyễn Văn Anh', 'Nguyễn Văn An']);
    // words may be skipped, not reordered; the words before the last are whole words
    expect(await names('nguyen an', admin)).toEqual(['Nguyễn Văn Anh', 'Nguyễn Văn An']);
    expect(await names('an nguyen', admin)).toEqual([]);
    expect(await names('nguy van an', admin)).toEqual([]);
    // "an" is inside "Ngân" but starts none of its words
    expect(await names('an')).toEqual(['Lê Anh', 'Nguyễn Văn An']);
    expect(await names('ngan')).toEqual(['Trần Thị Ngân']);
    expect(await names('thi')).toEqual(['Lê Thị Hoa', 'Trần Thị Ngân']);
    // the owner's name counts; đ is d; one query word is enough to find either name
    expect(await names('dang binh')).toEqual(['Lê Anh']);
    expect(await names('binh')).toEqual(['Lê Anh']);
    expect(await names('le anh')).toEqual(['Lê Anh']);
    // the words of one name: Lê Anh's "anh" and his owner's "binh" make no pair
    expect(await names('anh binh')).toEqual([]);
    expect(await names('pham minh duc')).toEqual(['Phạm Minh Đức']);
    expect(await names('nguyen xyz')).toEqual([]);
    expect(await names('...')).toEqual([]);
  });

  it('Given words or pairs too common to drive the search, Then the newest-first walk finds the same dossiers as the word and pair indexes', async () => {
    const province = await findUnit(h.em(), 'DEMO');
    const reader = new Authz([{ role: 'admin', unitId: province.id, unitPath: province.path }], h.services.permissions, async () => null);
    const names = async (q: string, caps: Caps) =>
      (await searchDossiers(h.em(), reader, { q }, h.t.clock.now(), caps)).items.map((i) => i.applicantName);
    // 1: every word and pair is common (the walk); 2: a word or pair of one dossier drives; 1000: every one drives
    for (const cap of [1, 2, 1000]) {
      const caps = { word: cap, pair: cap, batch: 2 };
      expect(await names('nguyen van an', caps)).toEqual(['Nguyễn Văn Anh', 'Nguyễn Văn An']);
      expect(await names('nguyen anh', caps)).toEqual(['Nguyễn Văn Anh']);
      expect(await names('an', caps)).toEqual(['Nguyễn Văn Anh', 'Lê Anh', 'Nguyễn Văn An']);
      expect(await names('ngan', caps)).toEqual(['Trần Thị Ngân']);
      expect(await names('dang binh', caps)).toEqual(['Lê Anh']);
      expect(await names('thi hoa', caps)).toEqual(['Lê Thị Hoa']);
      expect(await names('anh binh', caps)).toEqual([]);
    }
  });

  it('Given a code or its prefix, Then q finds it, with or without its punctuation and case', async () => {
    expect(codes(await list(`q=${encodeURIComponent(d.an.code)}`))).toEqual([d.an.code]);
    expect(codes(await list(`q=${encodeURIComponent(d.an.code.toLowerCase())}`))).toEqual([d.an.code]);
    // DEMO.TTPVHCC-260302-0001 → every code of the day starts "DEMO.TTPVHCC-260302"
    expect(codes(await list('q=DEMO.TTPVHCC-260302'))).toEqual([d.an.code]);
    expect(codes(await list('q=demo.ttpvhcc-2603'))).toEqual([d.online, d.refused, d.night, d.ngan, d.an].map((x) => x.code));
    expect((await list('q=DEMO.TTPVHCC-270101')).items).toEqual([]);
  });

  it('Given the exact filters, Then idNumber, phone, procedure, status (one or several) and unit each narrow the list', async () => {
    expect(codes(await list('idNumber=001204012345'))).toEqual([d.an.code]);
    expect((await list('idNumber=00120401234')).items).toEqual([]); // exact, not a prefix
    expect(codes(await list('phone=0912345678'))).toEqual([d.an.code]);
    expect(codes(await list(`phone=${encodeURIComponent('+84 912.345.678')}`))).toEqual([d.an.code]);
    expect(codes(await list('procedureCode=1.900302'))).toEqual([d.ngan.code]);
    expect(codes(await list('status=3'))).toEqual([d.refused.code]);
    expect(codes(await list('status=1&status=3'))).toEqual([d.online.code, d.refused.code]);
    expect(codes(await list('status=1,3'))).toEqual([d.online.code, d.refused.code]);
    expect(codes(await list('status=2&procedureCode=1.900301'))).toEqual([d.night.code, d.an.code]);
    expect(codes(await list('unitId=DEMO.TTPVHCC.Q2', admin))).toEqual([d.q2.code]);
    expect(codes(await list('unitId=DEMO.TTPVHCC', admin))).toHaveLength(6); // a unit's subtree: both desks
    expect((await list('unitId=NO.SUCH.UNIT', clerk, 404)) as unknown).toMatchObject({ code: 'unit.not_found' });
    for (const bad of [
      'status=0',
      'status=11',
      'status=x',
      'limit=101',
      'limit=0',
      'phone=abc',
      'overdue=yes',
      'receivedFrom=2026-3-1',
      'cursor=nope',
    ]) {
      expect((await list(bad, clerk, 400)) as unknown, bad).toMatchObject({ code: 'request.invalid' });
    }
  });

  it('Given receipt dates, Then receivedFrom / receivedTo are Vietnam dates, both included, and dossiers never received are left out', async () => {
    expect(codes(await list('receivedFrom=2026-03-03&receivedTo=2026-03-03'))).toEqual([d.ngan.code]);
    // 00:30 on the 4th in Vietnam is the 3rd in UTC: it belongs to the 4th
    expect(codes(await list('receivedFrom=2026-03-04'))).toEqual([d.night.code]);
    expect(codes(await list('receivedTo=2026-03-03'))).toEqual([d.ngan.code, d.an.code]);
    expect((await list('receivedFrom=2026-03-05&receivedTo=2026-03-04', clerk, 400)) as unknown).toMatchObject({ code: 'request.invalid' });
  });

  it('Given the injected clock, Then overdue=true lists the open dossiers whose appointment has passed, and the flag follows the clock', async () => {
    // Thursday 10:00: An's appointment (Thursday 09:00) has passed; Ngân's is Friday 09:00
    expect(codes(await list('overdue=true'))).toEqual([d.an.code]);
    const notOverdue = codes(await list('overdue=false'));
    expect(notOverdue).toEqual([d.online, d.refused, d.night, d.ngan].map((x) => x.code));
    await at('2026-03-06T09:30:00');
    expect(codes(await list('overdue=true'))).toEqual([d.ngan.code, d.an.code]);
    // Province-wide, one at a time from the smallest batch: the window of appointments widens until each page is exact
    const province = await findUnit(h.em(), 'DEMO');
    const reader = new Authz([{ role: 'admin', unitId: province.id, unitPath: province.path }], h.services.permissions, async () => null);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await searchDossiers(h.em(), reader, { overdue: true, limit: 1, cursor }, h.t.clock.now(), {
        word: 1,
        pair: 1,
        batch: 1,
      });
      seen.push(...codes(page));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([d.ngan.code, d.an.code]);
    expect((await list('')).items.filter((i) => i.overdue).map((i) => i.code)).toEqual([d.ngan.code, d.an.code]);
    await at('2026-03-05T10:00:00');
  });

  it('Given dossiers received at the same instant, When paged two at a time, Then every one appears once, in a stable order', async () => {
    await at('2026-03-09T08:00:00');
    const same: string[] = [];
    for (const name of ['Cùng Giờ Một', 'Cùng Giờ Hai', 'Cùng Giờ Ba', 'Cùng Giờ Bốn', 'Cùng Giờ Năm'])
      same.push((await receive(name)).code);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: DossierPage = await list(`q=cung gio&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...codes(page));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect([...seen].sort()).toEqual([...same].sort());
    expect(new Set(seen).size).toBe(5);
    // the same pages again give the same order
    const first = await list('q=cung gio&limit=2');
    expect(codes(first)).toEqual(seen.slice(0, 2));
    const rest = await list(`q=cung gio&limit=10&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(codes(rest)).toEqual(seen.slice(2));
    expect(rest.nextCursor).toBeNull();
    await at('2026-03-05T10:00:00');
  });

  it('Given a common full name among many similar ones, When searched and paged, Then every dossier of that name in order, and no other, newest first, whatever drives the search', async () => {
    await at('2026-03-10T08:00:00');
    const similar = ['Nguyễn Anh Văn', 'Trần Văn Anh', 'Nguyễn Thị Anh', 'Nguyễn Văn Bình', 'Văn Nguyễn Anh', 'Nguyễn Văn Lanh'];
    const expected: string[] = [];
    for (let i = 0; i < 18; i++) {
      h.t.clock.set(new Date(Date.parse('2026-03-10T08:00:00+07:00') + i * 60_000));
      const name = i % 3 === 2 ? similar[(i - 2) / 3] : i === 4 ? 'Nguyễn Văn Ánh' : i === 7 ? 'Nguyễn Văn Anh Thư' : 'Nguyễn Văn Anh';
      const code = (await receive(name)).code;
      if (i % 3 !== 2) expected.unshift(code);
    }
    expect(expected).toHaveLength(12);
    const province = await findUnit(h.em(), 'DEMO');
    const reader = new Authz([{ role: 'admin', unitId: province.id, unitPath: province.path }], h.services.permissions, async () => null);
    const q = 'nguyen van anh';
    for (const caps of [undefined, { word: 1, pair: 1, batch: 2 }, { word: 1000, pair: 1000, batch: 2 }]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await searchDossiers(h.em(), reader, { q, limit: 5, cursor }, h.t.clock.now(), caps);
        expect(page.items.length).toBeLessThanOrEqual(5);
        seen.push(...codes(page));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      // then the province's older one, received at desk 2 (Nguyễn Văn An is not "anh")
      expect(seen.slice(0, 12), JSON.stringify(caps)).toEqual(expected);
      expect(seen.slice(12), JSON.stringify(caps)).toEqual([d.q2.code]);
    }
    // through the API, a clerk of desk 1 sees its own: the same twelve, in pages of five
    const first = await list(`q=${encodeURIComponent('Nguyễn Văn Anh')}&limit=5`);
    expect(codes(first)).toEqual(expected.slice(0, 5));
    const second = await list(`q=nguyen%20van%20anh&limit=5&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(codes(second)).toEqual(expected.slice(5, 10));
    await at('2026-03-05T10:00:00');
  });

  it('Given an online submission received at the desk later, Then it moves to its receipt time in the list, by name too', async () => {
    const province = await findUnit(h.em(), 'DEMO');
    const reader = new Authz([{ role: 'admin', unitId: province.id, unitPath: province.path }], h.services.permissions, async () => null);
    const byPairs = async () =>
      codes(await searchDossiers(h.em(), reader, { q: 'ho si qu' }, h.t.clock.now(), { word: 1000, pair: 1000, batch: 1 }));
    await at('2026-03-11T08:00:00');
    const online = await receive('Hồ Sĩ Quý', { channel: 2, outcome: 'submit', components: [] });
    await at('2026-03-11T08:30:00');
    const desk = await receive('Hồ Sĩ Quân');
    expect(await byPairs()).toEqual([desk.code, online.code]);
    await at('2026-03-11T09:00:00');
    const res = await clerk.post(`/api/dossiers/${online.code}/receive`, { outcome: 'receive', components: complete });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await byPairs()).toEqual([online.code, desk.code]);
    expect(codes(await list('q=ho%20si%20qu'))).toEqual([online.code, desk.code]);
    await at('2026-03-05T10:00:00');
  });
});

describe('motcua dossier show <code>', () => {
  it('Given a received dossier with an owner, When an operator shows it, Then its key fields, components and history print in Vietnamese, Vietnam time; an unknown code is refused', async () => {
    const r = await runMotcua(h.t.db, ['dossier', 'show', d.an.code]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        `Hồ sơ ${d.an.code}`,
        'Trạng thái: 2 — Đã tiếp nhận',
        'Thủ tục: 1.900301 — Thủ tục thử 1.900301 (phiên bản 1, trường hợp standard)',
        'Kênh nộp: trực tiếp',
        'Người nộp: Nguyễn Văn An (công dân), số định danh 001204012345, điện thoại 0912 345 678',
        'Tiếp nhận lúc: 09:00 02/03/2026, bởi clerk',
        'Hẹn trả kết quả: 09:00 05/03/2026',
        'Phí, lệ phí: phải nộp 8.000 đồng, đã nộp 0 đồng',
        '  1. Tờ khai theo mẫu: đã nhận (1 bản chính), đã số hóa',
        '  2. Giấy tờ tùy thân: đã nhận (1 bản sao)',
        '  3. Giấy ủy quyền (không bắt buộc): chưa nhận',
        '  09:00 02/03/2026  Đã tiếp nhận (clerk)',
      ]),
    );
    const refused = await runMotcua(h.t.db, ['dossier', 'show', d.refused.code]);
    expect(refused.stdout).toContain('Chủ hồ sơ: Đặng Văn Bình');
    expect(refused.stdout).toContain('Lý do từ chối: Không thuộc thẩm quyền');
    expect(refused.stdout).toContain('Hẹn trả kết quả: —');
    const none = await runMotcua(h.t.db, ['dossier', 'show', 'NO-SUCH-CODE']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('dossier.not_found');
  }, 120_000);
});
