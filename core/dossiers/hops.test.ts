import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import { applicant, complete, procedure, publish } from './fixtures/procedures.ts';
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
