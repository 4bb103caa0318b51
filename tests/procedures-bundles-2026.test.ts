import { beforeAll, describe, expect, it } from 'vitest';
import { installDemoPack } from '../core/packs/demo.ts';
import { testDialect, useHarness, type TestClient } from './support/harness.ts';
import { documents } from './support/base-pack-source.ts';

/**
 * Issue 17, points 3 and 4, through the API with the demo accounts, on the versions in force on
 * 7 December 2026 (the 2026-09-01 ones):
 * - the death bundle (2.002913) starts only the parts the applicant chose (recorded by the desk at
 *   its reception step as `chon.maiTang` / `chon.tuTuat`; death registration and removal of
 *   permanent residence always), and the deceased's regime (the dossier's case) decides who
 *   handles the allowances: social insurance, or the commune for people with meritorious service
 *   and social-protection beneficiaries;
 * - the birth bundle (3.000722) runs the child's căn cước part at the commune police (done-when
 *   test) alongside residence and health insurance.
 */
const sqlite = testDialect() === 'sqlite';
const h = useHarness({ config: { demo: true }, demo: !sqlite });

interface ListedTask {
  id: string;
  activityId: string;
}

const clients = new Map<string, TestClient>();
async function as(username: string): Promise<TestClient> {
  const known = clients.get(username);
  if (known) return known;
  const client = h.t.client();
  const res = await client.post('/api/auth/login', { username, password: 'demo' });
  expect(res.status, await res.clone().text()).toBe(200);
  clients.set(username, client);
  return client;
}

async function inbox(username: string, code: string): Promise<string[]> {
  const res = await (await as(username)).get(`/api/tasks?businessKey=${encodeURIComponent(code)}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as ListedTask[]).map((t) => t.activityId).sort();
}

/** Completes the one task `step` of the dossier in the user's inbox with these variables. */
async function act(username: string, code: string, step: string, variables: Record<string, unknown> = {}): Promise<void> {
  const client = await as(username);
  const tasks = (await (await client.get(`/api/tasks?businessKey=${encodeURIComponent(code)}`)).json()) as ListedTask[];
  const task = tasks.find((t) => t.activityId === step);
  expect(task, `${username} has ${step} of ${code} (inbox: ${tasks.map((t) => t.activityId).join(', ')})`).toBeDefined();
  const res = await client.post(`/api/tasks/${task!.id}/complete`, { variables });
  expect(res.status, await res.clone().text()).toBe(204);
}

async function status(code: string): Promise<number> {
  const res = await (await as('clerk')).get(`/api/dossiers/${code}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { status: number }).status;
}

/** Every task of the dossier open anywhere among the demo agencies' accounts. */
async function openEverywhere(code: string): Promise<string[]> {
  const all: string[] = [];
  for (const u of ['clerk', 'xa.chuyenvien', 'xa.lanhdao', 'congan.chuyenvien', 'congan.lanhdao', 'bhxh.chuyenvien', 'bhxh.lanhdao'])
    all.push(...(await inbox(u, code)));
  return all.sort();
}

const deathCase = (key: string) =>
  documents()
    .find((d) => d.doc.code === '2.002913' && d.doc.effectiveFrom === '2026-09-01')!
    .doc.cases.find((c) => c.key === key)!;

/** The clerk receives a death bundle under `caseKey` and records the applicant's choice at the reception step; the commune registers the death. */
async function receiveDeath(caseKey: string, chon: Record<string, boolean>): Promise<string> {
  const kase = deathCase(caseKey);
  const res = await (
    await as('clerk')
  ).post('/api/dossiers', {
    procedureCode: '2.002913',
    caseKey,
    channel: 1,
    competentUnitId: 'DEMO.XA.AN-BINH',
    applicant: { kind: 'citizen', name: 'Lê Văn Bình', idNumber: '024190054321', phone: '0912000111', address: 'Thôn Tây, xã An Bình' },
    outcome: 'receive',
    components: kase.documents.map((d, i) => ({ document: i, received: true, originals: d.originals, copies: d.copies })),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const { code } = (await res.json()) as { code: string };
  await act('clerk', code, 'Task_TiepNhan', { complete: true, chon });
  await act('xa.chuyenvien', code, 'Task_HoTich_XuLy');
  await act('xa.lanhdao', code, 'Task_HoTich_PheDuyet', { khaiTuApproved: true });
  return code;
}

beforeAll(async () => {
  // Monday 7 December 2026, 08:00 in Vietnam: the 2026-09-01 versions are in force.
  h.t.clock.set('2026-12-07T01:00:00.000Z');
  expect((await installDemoPack(h.services)).status).toBe('installed');
}, 120_000);

describe('the death bundle (2.002913, from 1 Sep 2026): the applicant chooses 2, 3 or 4 procedures', () => {
  it('the catalogue names the bundle as the decision does and carries one case per regime, each with its own limit', async () => {
    const res = await (await as('clerk')).get('/api/procedures/2.002913');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { current: { document: { name: string; cases: { key: string; channels: { time: unknown }[] }[] } } };
    const doc = body.current.document;
    expect(doc.name).toBe('Liên thông điện tử: đăng ký khai tử, xóa đăng ký thường trú, giải quyết mai táng phí, tử tuất');
    expect(doc.cases.map((c) => [c.key, c.channels[0].time])).toEqual([
      ['lien-thong-khai-tu', { value: 7, unit: 'working_days' }],
      ['lien-thong-khai-tu-nguoi-co-cong', { value: 12, unit: 'working_days' }],
    ]);
  });

  it('Given a choice of 2 (death registration, residence removal), Then only the police part starts, and the dossier resolves when it ends', async () => {
    const code = await receiveDeath('lien-thong-khai-tu', { maiTang: false, tuTuat: false });
    expect(await openEverywhere(code)).toEqual(['Task_XoaThuongTru_XuLy']);
    await act('congan.chuyenvien', code, 'Task_XoaThuongTru_XuLy');
    expect(await status(code)).toBe(4);
    await act('congan.lanhdao', code, 'Task_XoaThuongTru_PheDuyet', { residenceRemoved: true });
    expect(await status(code)).toBe(9);
    expect(await openEverywhere(code)).toEqual(['Task_TraKetQua']);
    await act('clerk', code, 'Task_TraKetQua');
    expect(await status(code)).toBe(10);
  });

  it('Given a choice of 4 (and funeral and survivors’ allowances under social insurance), Then the police and both social-insurance parts run, and the dossier waits for all three', async () => {
    const code = await receiveDeath('lien-thong-khai-tu', { maiTang: true, tuTuat: true });
    expect(await openEverywhere(code)).toEqual(['Task_MaiTang_XuLy', 'Task_TuTuat_XuLy', 'Task_XoaThuongTru_XuLy']);
    await act('congan.chuyenvien', code, 'Task_XoaThuongTru_XuLy');
    await act('congan.lanhdao', code, 'Task_XoaThuongTru_PheDuyet', { residenceRemoved: true });
    await act('bhxh.chuyenvien', code, 'Task_MaiTang_XuLy');
    await act('bhxh.lanhdao', code, 'Task_MaiTang_PheDuyet', { funeralAllowance: 23_400_000 });
    expect(await status(code)).toBe(4);
    expect(await openEverywhere(code)).toEqual(['Task_TuTuat_XuLy']);
    await act('bhxh.chuyenvien', code, 'Task_TuTuat_XuLy');
    await act('bhxh.lanhdao', code, 'Task_TuTuat_PheDuyet', { survivorsAllowance: 'monthly' });
    expect(await status(code)).toBe(9);
    await act('clerk', code, 'Task_TraKetQua');
    expect(await status(code)).toBe(10);
  });

  it('Given a person with meritorious service (the regime case) and a choice of 3, Then the allowance goes to the commune, not to social insurance', async () => {
    const code = await receiveDeath('lien-thong-khai-tu-nguoi-co-cong', { maiTang: true, tuTuat: false });
    expect(await openEverywhere(code)).toEqual(['Task_ChinhSach_XuLy', 'Task_XoaThuongTru_XuLy']);
    expect(await inbox('xa.chuyenvien', code)).toEqual(['Task_ChinhSach_XuLy']);
    await act('xa.chuyenvien', code, 'Task_ChinhSach_XuLy');
    await act('xa.lanhdao', code, 'Task_ChinhSach_PheDuyet', { regimeBenefit: 'mai táng phí' });
    await act('congan.chuyenvien', code, 'Task_XoaThuongTru_XuLy');
    await act('congan.lanhdao', code, 'Task_XoaThuongTru_PheDuyet', { residenceRemoved: true });
    expect(await status(code)).toBe(9);
  });
});
