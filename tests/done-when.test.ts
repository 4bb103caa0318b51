import { beforeAll, describe, expect, it } from 'vitest';
import { installDemoPack } from '../core/packs/demo.ts';
import { INDICATOR_KEYS } from '../core/dossiers/evaluation-model.ts';
import { testDialect, useHarness, type TestClient } from './support/harness.ts';
import { documents } from './support/base-pack-source.ts';

/**
 * Issue 15, "Done when": a new user starts the demo, logs in as `clerk`, and through the API
 * receives a birth-bundle dossier (3.000722: birth, residence, health-insurance and căn cước cards), prints its form 01, the three agencies' users act
 * on their tasks, the result is returned, and the citizen looks it up and evaluates it. Every
 * step goes through HTTP as the README's "First ten minutes" does with curl, with the demo
 * accounts only; on SQLite the platform is the demo server itself, on PostgreSQL the harness
 * seeds the same province.
 */
const sqlite = testDialect() === 'sqlite';
const h = useHarness({ config: { demo: true }, demo: !sqlite });

interface ListedTask {
  id: string;
  activityId: string;
  businessKey: string;
}
interface Dossier {
  code: string;
  status: number;
  appointmentAt: string;
  applicant: { idNumber: string };
  result: { returnedAt: string; method: string | null } | null;
}

const applicant = {
  kind: 'citizen',
  name: 'Nguyễn Thị Hoa',
  idNumber: '024190012345',
  sex: 'female',
  phone: '0912345678',
  address: 'Thôn Đông, xã An Bình',
};
let code = '';

/** A demo account signed in the way a browser or curl does: POST /api/auth/login, then its cookie. */
async function logIn(username: string): Promise<TestClient> {
  const client = h.t.client();
  const res = await client.post('/api/auth/login', { username, password: 'demo' });
  expect(res.status, await res.clone().text()).toBe(200);
  return client;
}

async function dossier(as: TestClient): Promise<Dossier> {
  const res = await as.get(`/api/dossiers/${code}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Dossier;
}

/** The user's inbox for this dossier: GET /api/tasks?businessKey=… */
async function inbox(as: TestClient): Promise<ListedTask[]> {
  const res = await as.get(`/api/tasks?businessKey=${encodeURIComponent(code)}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as ListedTask[];
}

/** Finds exactly one task of the dossier in the user's inbox, the step expected, and completes it. */
async function act(as: TestClient, step: string): Promise<void> {
  const tasks = await inbox(as);
  expect(tasks.map((t) => t.activityId)).toEqual([step]);
  const res = await as.post(`/api/tasks/${tasks[0].id}/complete`, { variables: {} });
  expect(res.status, await res.clone().text()).toBe(204);
}

/** Completes the task `step` of the dossier among others in the user's inbox. */
async function actOn(as: TestClient, step: string): Promise<void> {
  const task = (await inbox(as)).find((t) => t.activityId === step);
  expect(task, step).toBeDefined();
  const res = await as.post(`/api/tasks/${task!.id}/complete`, { variables: {} });
  expect(res.status, await res.clone().text()).toBe(204);
}

beforeAll(async () => {
  // Monday 7 December 2026, 08:00 in Vietnam.
  h.t.clock.set('2026-12-07T01:00:00.000Z');
  expect((await installDemoPack(h.services)).status).toBe('installed');
}, 120_000);

describe('Done when (issue 15): the birth bundle from the desk to the citizen’s evaluation', () => {
  let clerk: TestClient;

  it('Given the demo server, When clerk logs in, Then the session knows them at desk 1', async () => {
    clerk = await logIn('clerk');
    const me = (await (await clerk.get('/api/me')).json()) as { user: { username: string }; permissions: string[] };
    expect(me.user.username).toBe('clerk');
    expect(me.permissions).toContain('dossier.receive');
  });

  it('When clerk receives a birth-bundle dossier (3.000722) naming the commune as competent, Then it is received (status 2) with a code and the appointment of the bundle’s 3 working days', async () => {
    const kase = documents()
      .find((d) => d.doc.code === '3.000722' && !d.doc.effectiveFrom)!
      .doc.cases.find((c) => c.key === 'lien-thong-khai-sinh')!;
    const res = await clerk.post('/api/dossiers', {
      procedureCode: '3.000722',
      caseKey: 'lien-thong-khai-sinh',
      channel: 1,
      competentUnitId: 'DEMO.XA.AN-BINH',
      applicant,
      outcome: 'receive',
      components: kase.documents.map((d, i) => ({ document: i, received: true, originals: d.originals, copies: d.copies })),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const d = (await res.json()) as Dossier;
    code = d.code;
    expect(d.code).toMatch(/^DEMO\.TTPVHCC-261207-\d{4}$/);
    expect(d.status).toBe(2);
    // The bundle's limit is 3 working days (its 15:00 cut-off is the civil-status part's): Monday 08:00 → Thursday 08:00.
    expect(d.appointmentAt).toBe('2026-12-10T01:00:00.000Z');
  });

  it('When clerk prints form 01, Then the HTML slip carries the code and the QR code of the public lookup', async () => {
    const res = await clerk.get(`/api/dossiers/${code}/forms/01`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain(code);
    expect(html).toContain('GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ');
    expect(html).toMatch(/<svg class="qr"[^>]*role="img"/);
  });

  it('When clerk works the reception step in the inbox, Then the dossier goes to the civil-status office (status 4)', async () => {
    await act(clerk, 'Task_TiepNhan');
    expect((await dossier(clerk)).status).toBe(4);
  });

  it('When the civil-status, police (residence, căn cước) and social-insurance users each find their tasks in their inbox and complete them, Then the result comes back to the desk (status 9)', async () => {
    // The commune registers the birth first; then the police and social insurance work at once.
    await act(await logIn('xa.chuyenvien'), 'Task_HoTich_XuLy');
    await act(await logIn('xa.lanhdao'), 'Task_HoTich_PheDuyet');
    const police = await logIn('congan.chuyenvien');
    const insurance = await logIn('bhxh.chuyenvien');
    // Since 1 Sep 2026 the police also issue the child's căn cước card, alongside residence registration.
    expect((await inbox(police)).map((t) => t.activityId).sort()).toEqual(['Task_CanCuoc_XuLy', 'Task_ThuongTru_XuLy']);
    expect((await inbox(insurance)).map((t) => t.activityId)).toEqual(['Task_Bhyt_XuLy']);
    await actOn(police, 'Task_ThuongTru_XuLy');
    await act(police, 'Task_CanCuoc_XuLy');
    await act(insurance, 'Task_Bhyt_XuLy');
    const policeLeader = await logIn('congan.lanhdao');
    await actOn(policeLeader, 'Task_ThuongTru_PheDuyet');
    await act(policeLeader, 'Task_CanCuoc_PheDuyet');
    expect((await dossier(clerk)).status).toBe(4);
    await act(await logIn('bhxh.lanhdao'), 'Task_Bhyt_PheDuyet');
    expect((await dossier(clerk)).status).toBe(9);
  });

  it('When clerk returns the result from the inbox, Then the dossier is delivered (status 10)', async () => {
    // Tuesday 10:00: the clerk signs in again (yesterday's session has ended).
    h.t.clock.set('2026-12-08T03:00:00.000Z');
    clerk = await logIn('clerk');
    await act(clerk, 'Task_TraKetQua');
    const d = await dossier(clerk);
    expect(d.status).toBe(10);
    expect(d.result?.returnedAt).toBe('2026-12-08T03:00:00.000Z');
  });

  it('When the citizen looks the dossier up by code and the last four digits of the ID number, and evaluates it, Then the lookup shows it delivered and the evaluation is kept once', async () => {
    const citizen = h.t.client();
    const secret = applicant.idNumber.slice(-4);
    const found = await citizen.post('/api/public/dossiers/lookup', { code, secret });
    expect(found.status, await found.clone().text()).toBe(200);
    const view = (await found.json()) as { status: number; statusName: string; evaluation: string; history: { text: string }[] };
    expect(view).toMatchObject({ status: 10, statusName: 'Đã trả kết quả', evaluation: 'open' });
    expect(view.history.map((l) => l.text).join('\n')).toContain('Công an xã An Bình');

    const indicators = Object.fromEntries(INDICATOR_KEYS.map((k) => [k, 2]));
    const evaluated = await citizen.post('/api/public/dossiers/evaluation', { code, secret, indicators, satisfaction: 5 });
    expect(evaluated.status, await evaluated.clone().text()).toBe(201);
    expect(await evaluated.json()).toMatchObject({ code, totalPoints: 18, satisfaction: 5 });

    const again = await citizen.post('/api/public/dossiers/lookup', { code, secret });
    expect(((await again.json()) as { evaluation: string }).evaluation).toBe('done');
  });
});
