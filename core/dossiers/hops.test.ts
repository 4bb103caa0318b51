import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import { applicant, complete, procedure, publish, receiveDossier } from './fixtures/procedures.ts';
import type { HopView } from './hops.ts';
import type { DossierView } from './service.ts';

/**
 * Hops between units and forms 06 / 07 (issue 15 point 5): a dossier through three steps in
 * two units, each with its budget in working hours, moved by an injected clock.
 */
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
const { deploy, complete: completeTask } = h.process({ as: () => clerk });
const PW = 'Truong-Son-Range-7';
let clerk: TestClient;
let admin: TestClient;
let commune: TestClient;
let d: DossierView;
let desk: { id: string; name: string };
let communeUnit: { id: string; name: string };

const vn = (local: string) => new Date(`${local}+07:00`).toISOString();
/** Moves the clock and signs everyone in again (sessions expire while time moves). */
async function at(local: string) {
  h.t.clock.set(new Date(`${local}+07:00`));
  clerk = await h.login('clerk');
  admin = await h.login('admin');
  if (commune) commune = await h.login('chuyen-vien-hops', PW);
}

async function read(code: string, as = admin): Promise<DossierView> {
  const res = await as.get(`/api/dossiers/${encodeURIComponent(code)}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as DossierView;
}

/** The page's text as a reader sees it. */
function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x([0-9a-f]+);/gi, (_, x: string) => String.fromCodePoint(parseInt(x, 16)))
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

beforeAll(async () => {
  await at('2026-03-16T07:30:00');
  const commUnit = (await (await admin.get('/api/units/DEMO.XA.AN-BINH')).json()) as { id: string; name: string };
  const deskUnit = (await (await admin.get('/api/units/DEMO.TTPVHCC.Q1')).json()) as { id: string; name: string };
  communeUnit = { id: commUnit.id, name: commUnit.name };
  desk = { id: deskUnit.id, name: deskUnit.name };
  const created = await admin.post('/api/users', {
    username: 'chuyen-vien-hops',
    displayName: 'Đỗ Thị Thẩm Định',
    unitId: 'DEMO.XA.AN-BINH',
    password: PW,
  });
  expect(created.status, await created.clone().text()).toBe(201);
  expect(
    (await admin.post('/api/role-assignments', { userId: 'chuyen-vien-hops', role: 'specialist', unitId: 'DEMO.XA.AN-BINH' })).status,
  ).toBe(201);
  commune = await h.login('chuyen-vien-hops', PW);
  await deploy('hops.bpmn', { as: admin });
  await publish(h.services, [procedure('1.930001', { process: 'hops' })]);

  // Monday 16 March 2026, 08:00: received; the check (8 working hours) is due Tuesday 08:00.
  await at('2026-03-16T08:00:00');
  const res = await clerk.post('/api/dossiers', {
    procedureCode: '1.930001',
    caseKey: 'standard',
    channel: 1,
    applicant: { ...applicant, address: 'Thôn Đông, xã An Bình' },
    outcome: 'receive',
    components: complete,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  d = (await res.json()) as DossierView;
  // Monday 10:00: checked, a day early; the appraisal (4 h) is due Monday 16:00.
  await at('2026-03-16T10:00:00');
  await completeTask(d.instanceIds[0], { as: clerk });
  // Tuesday 09:00: appraised, late; the hand-back (2 h) is due Tuesday 11:00.
  await at('2026-03-17T09:00:00');
  await completeTask(d.instanceIds[0], { as: commune });
  // Tuesday 10:30: handed back on time; the process ends.
  await at('2026-03-17T10:30:00');
  await completeTask(d.instanceIds[0], { as: clerk });
});

describe('Hops between units', () => {
  it('Given three steps in two units worked early, late and on time, Then the dossier lists four hops with hand-computed classes and the late unit', async () => {
    const { hops } = await read(d.code);
    const clerkName = 'Trần Thị Tiếp Nhận (demo)';
    const specialist = 'Đỗ Thị Thẩm Định';
    expect(
      hops.map((x) => [x.kind, x.from.name, x.to?.name, x.at, x.step?.activityId ?? null, x.giver?.name, x.receiver?.name ?? null]),
    ).toEqual([
      ['receipt', desk.name, desk.name, vn('2026-03-16T08:00:00'), null, clerkName, clerkName],
      ['step', desk.name, communeUnit.name, vn('2026-03-16T10:00:00'), 'check', clerkName, specialist],
      ['step', communeUnit.name, desk.name, vn('2026-03-17T09:00:00'), 'appraise', specialist, clerkName],
      ['return', desk.name, desk.name, vn('2026-03-17T10:30:00'), 'hand_back', clerkName, null],
    ]);
    expect(hops.map((x) => [x.dueAt, x.timeliness, x.lateUnitId])).toEqual([
      [null, null, null],
      [vn('2026-03-17T08:00:00'), 'early', null],
      [vn('2026-03-16T16:00:00'), 'late', communeUnit.id],
      [vn('2026-03-17T11:00:00'), 'on_time', null],
    ]);
    expect(hops[0].to).toEqual(desk);
    expect(hops[1].from).toEqual(desk);
  });

  it('Given the commune specialist who worked a step, Then they read the dossier and its hops as well', async () => {
    const seen = await read(d.code, commune);
    expect(seen.hops).toHaveLength(4);
  });
});

describe('The public lookup shows hops in plain Vietnamese', () => {
  it('Given the dossier handed over and back, When the applicant looks it up, Then the timeline names units and times only: no people, steps, due times or classes', async () => {
    const res = await h.t.client().post('/api/public/dossiers/lookup', { code: d.code, secret: '2345' });
    expect(res.status, await res.clone().text()).toBe(200);
    const raw = await res.text();
    const body = JSON.parse(raw) as { history: { at: string; text: string }[] };
    expect(Object.keys(body).sort()).toEqual(
      ['appointmentAt', 'code', 'evaluation', 'history', 'procedureName', 'receivedAt', 'status', 'statusName'].sort(),
    );
    expect(body.history.map((l) => l.text)).toEqual([
      '16/03/2026 08:00: Hồ sơ đã được tiếp nhận.',
      '16/03/2026 10:00: Hồ sơ đang được xử lý.',
      `16/03/2026 10:00: Hồ sơ được chuyển từ ${desk.name} đến ${communeUnit.name} để xử lý.`,
      '17/03/2026 09:00: Hồ sơ đã được giải quyết, đang chờ trả kết quả.',
      `17/03/2026 09:00: Hồ sơ được chuyển từ ${communeUnit.name} đến ${desk.name} để xử lý.`,
      `17/03/2026 10:30: Hồ sơ được chuyển về ${desk.name} để trả kết quả.`,
    ]);
    for (const line of body.history) expect(Object.keys(line).sort()).toEqual(['at', 'text']);
    for (const secret of [
      'Trần Thị Tiếp Nhận',
      'Đỗ Thị Thẩm Định',
      'Thẩm định',
      'Kiểm tra',
      'Quá hạn',
      'late',
      'Thôn Đông',
      applicant.name,
      desk.id,
      communeUnit.id,
      d.instanceIds[0],
    ]) {
      expect(raw).not.toContain(secret);
    }
  });
});

describe('Form 06, the process control slip', () => {
  it('Given the dossier handed over four times, When the clerk prints form 06, Then each hop is a row with its units, time, giver, receiver, deadline and class in words', async () => {
    const res = await clerk.get(`/api/dossiers/${encodeURIComponent(d.code)}/forms/06`);
    const html = await res.text();
    expect(res.status, html).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const t = text(html);
    expect(t).toContain('PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ');
    expect(t).toContain(`Mã hồ sơ: ${d.code}`);
    expect(t).toContain('Nhận hồ sơ lúc 08:00 ngày 16/03/2026; hẹn trả kết quả lúc 08:00 ngày 19/03/2026');
    const clerkName = 'Trần Thị Tiếp Nhận (demo)';
    expect(t).toContain(`1 Giao: ${desk.name} Nhận: ${desk.name} 08:00 ngày 16/03/2026 ${clerkName} ${clerkName} Tiếp nhận hồ sơ`);
    expect(t).toContain(
      `2 Giao: ${desk.name} Nhận: ${communeUnit.name} 10:00 ngày 16/03/2026 ${clerkName} Đỗ Thị Thẩm Định Hoàn thành: Kiểm tra hồ sơ Trước hạn Hạn: 08:00 ngày 17/03/2026`,
    );
    expect(t).toContain(
      `3 Giao: ${communeUnit.name} Nhận: ${desk.name} 09:00 ngày 17/03/2026 Đỗ Thị Thẩm Định ${clerkName} Hoàn thành: Thẩm định Quá hạn Hạn: 16:00 ngày 16/03/2026`,
    );
    expect(t).toContain(
      `4 Giao: ${desk.name} Nhận: ${desk.name} 10:30 ngày 17/03/2026 ${clerkName} Hoàn thành: Trả kết quả Đúng hạn Hạn: 11:00 ngày 17/03/2026`,
    );
    expect(html).toContain('<tr class="late">');
  });
});

describe('Form 07, the tracking log of a unit', () => {
  const log = (as: TestClient, unit: string, query: string) => as.get(`/api/units/${encodeURIComponent(unit)}/forms/07${query}`);

  it('Given the dossier received at the desk and handed to the commune, When each prints its log for March, Then both list it with its appointment, hand-overs and status', async () => {
    const desks = await log(clerk, 'DEMO.TTPVHCC.Q1', '?from=2026-03-01&to=2026-03-31');
    const html = await desks.text();
    expect(desks.status, html).toBe(200);
    const t = text(html);
    expect(t).toContain('SỔ THEO DÕI HỒ SƠ');
    expect(t).toContain(`${desk.name}: từ ngày 01/03/2026 đến ngày 31/03/2026`);
    expect(t).toContain(
      `1 ${d.code} Thủ tục thử 1.930001 1 Nguyễn Văn An Thôn Đông, xã An Bình 0912345678 08:00 16/03/2026 Trần Thị Tiếp Nhận (demo) 08:00 19/03/2026 ${communeUnit.name} 10:00 16/03/2026; ${desk.name} 09:00 17/03/2026`,
    );
    expect(t).toContain('Đã giải quyết');
    // The commune received it by the hop of 10:00, from the specialist who worked it.
    const communes = text(await (await log(commune, 'DEMO.XA.AN-BINH', '?from=2026-03-16&to=2026-03-16')).text());
    expect(communes).toContain(`1 ${d.code} Thủ tục thử 1.930001 1 Nguyễn Văn An`);
    expect(communes).toContain('10:00 16/03/2026 Đỗ Thị Thẩm Định 08:00 19/03/2026');
    // A period before it: no row.
    const before = text(await (await log(clerk, 'DEMO.TTPVHCC.Q1', '?from=2026-03-01&to=2026-03-15')).text());
    expect(before).not.toContain(d.code);
  });

  it('Given a unit the caller may not read, a bad period or an unknown unit, Then 404 unit.not_found or 400 request.invalid', async () => {
    const other = await log(commune, 'DEMO.TTPVHCC.Q1', '?from=2026-03-01&to=2026-03-31');
    expect(other.status).toBe(404);
    expect(((await other.json()) as { code: string }).code).toBe('unit.not_found');
    expect((await log(clerk, 'NO-SUCH-UNIT', '?from=2026-03-01&to=2026-03-31')).status).toBe(404);
    for (const query of [
      '',
      '?from=2026-03-01',
      '?from=2026-03-31&to=2026-03-01',
      '?from=2026-02-30&to=2026-03-01',
      '?from=2025-01-01&to=2026-03-01',
    ]) {
      const res = await log(clerk, 'DEMO.TTPVHCC.Q1', query);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { code: string }).code, query).toBe('request.invalid');
    }
  });
});

describe('A step that opens two steps at once', () => {
  it('Given a check followed by a parallel split to the commune and the desk, When the check is done, Then it is handed over twice, both hops classed alike', async () => {
    await deploy('hops-parallel.bpmn', { as: admin });
    await publish(h.services, [procedure('1.930002', { process: 'hops-parallel' })]);
    await at('2026-03-18T08:00:00');
    const p = await receiveDossier(clerk, '1.930002');
    await at('2026-03-18T09:00:00');
    await completeTask(p.instanceIds[0], { as: clerk });
    const hops: HopView[] = (await read(p.code)).hops;
    expect(hops.map((x) => [x.kind, x.from.name, x.to?.name, x.at, x.step?.activityId ?? null, x.timeliness])).toEqual([
      ['receipt', desk.name, desk.name, vn('2026-03-18T08:00:00'), null, null],
      ['step', desk.name, communeUnit.name, vn('2026-03-18T09:00:00'), 'check', 'early'],
      ['step', desk.name, desk.name, vn('2026-03-18T09:00:00'), 'check', 'early'],
    ]);
  });
});

describe('A step in a called process', () => {
  it("Given the case's process calling a child whose one step is the commune's, When that step is done and both end, Then the child's step returns the dossier to the desk", async () => {
    await deploy('hops-call.bpmn', { as: admin });
    await publish(h.services, [procedure('1.930003', { process: 'hops-call' })]);
    await at('2026-03-19T08:00:00');
    const p = await receiveDossier(clerk, '1.930003');
    const [child] = await h.em().execute<{ id: string }[]>('SELECT id FROM process_instances WHERE parent_id = ?', [p.instanceIds[0]]);
    await at('2026-03-19T09:00:00');
    await completeTask(child.id, { as: commune });
    const hops: HopView[] = (await read(p.code)).hops;
    expect(hops.map((x) => [x.kind, x.from.name, x.to?.name, x.at, x.step?.activityId ?? null, x.timeliness])).toEqual([
      ['receipt', desk.name, communeUnit.name, vn('2026-03-19T08:00:00'), null, null],
      ['return', communeUnit.name, desk.name, vn('2026-03-19T09:00:00'), 'appraise', 'on_time'],
    ]);
  });
});
