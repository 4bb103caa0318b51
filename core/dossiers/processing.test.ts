import { beforeAll, describe, expect, it } from 'vitest';
import { rawStart, useHarness, type TestClient } from '../../tests/support/harness.ts';
import { procedure, publish, receiveDossier } from './fixtures/procedures.ts';
import type { DossierView } from './service.ts';
import type { TaskDossier } from './task-details.ts';

/**
 * Processing (issue 15 point 5): tasks carry their dossier, and the status a step sets moves it.
 */
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
const { deploy } = h.process({ as: () => admin });
const SYSTEM = { actor: { id: null, name: 'test:processing' }, requestId: null };
let clerk: TestClient;
let admin: TestClient;

interface ListedTask {
  id: string;
  activityId: string;
  businessKey: string | null;
  dossier: TaskDossier | null;
}

async function at(local: string) {
  h.t.clock.set(new Date(`${local}+07:00`));
  clerk = await h.login('clerk');
  admin = await h.login('admin');
}

async function receive(): Promise<DossierView> {
  return await receiveDossier(clerk, '1.920001');
}

async function tasks(as: TestClient, query = ''): Promise<ListedTask[]> {
  const res = await as.get(`/api/tasks${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as ListedTask[];
}

async function completeOpen(d: DossierView) {
  const [{ id }] = await h
    .em()
    .execute<{ id: string }[]>("SELECT id FROM tasks WHERE instance_id = ? AND status = 'open'", [d.instanceIds[0]]);
  const engine = h.services.engine;
  const task = await engine.loadTask(h.em(), id);
  await h.em().transactional((em) => engine.completeTask(em, SYSTEM, task, {}));
}

async function dossier(code: string): Promise<DossierView> {
  const res = await admin.get(`/api/dossiers/${code}`);
  expect(res.status).toBe(200);
  return (await res.json()) as DossierView;
}

beforeAll(async () => {
  await at('2026-03-06T16:40:00');
  await deploy('steps.bpmn');
  await publish(h.services, [procedure('1.920001', { process: 'steps' })]);
});

describe('Tasks carry their dossier', () => {
  it('Given a dossier received at 16:40 on a Friday, When the clerk lists tasks, Then its task shows the code, applicant, procedure, appointment and the working time left', async () => {
    await at('2026-03-06T16:40:00');
    const d = await receive();
    const mine = (await tasks(clerk)).filter((t) => t.businessKey === d.code);
    expect(mine).toHaveLength(1);
    expect(mine[0].dossier).toEqual({
      code: d.code,
      status: 2,
      statusName: 'Đã tiếp nhận',
      applicantName: 'Nguyễn Văn An',
      procedure: { code: '1.920001', name: 'Thủ tục thử 1.920001' },
      receivedAt: new Date('2026-03-06T16:40:00+07:00').toISOString(),
      appointmentAt: new Date('2026-03-11T16:40:00+07:00').toISOString(),
      remainingWorkingMinutes: 3 * 8 * 60,
      overdue: false,
      band: 'early',
    });
    // Monday 09:00: 20 minutes on Friday and 2 hours on Monday have been worked.
    await at('2026-03-09T09:00:00');
    const [later] = (await tasks(clerk, `?businessKey=${encodeURIComponent(d.code)}`)) as ListedTask[];
    expect(later.dossier?.remainingWorkingMinutes).toBe(3 * 8 * 60 - 20 - 120);
    // Thursday 08:00, after the appointment: overdue, negative time left (Wednesday 16:40–17:00 and Thursday 07:00–08:00).
    await at('2026-03-12T08:00:00');
    const [late] = await tasks(clerk, `?businessKey=${encodeURIComponent(d.code)}`);
    expect(late.dossier).toMatchObject({ overdue: true, remainingWorkingMinutes: -80 });
  });

  it('Given two dossiers, When tasks are filtered by one code, Then only that dossier tasks are listed', async () => {
    await at('2026-03-13T08:00:00');
    const a = await receive();
    const b = await receive();
    const listed = await tasks(clerk, `?businessKey=${encodeURIComponent(a.code)}`);
    expect(listed.map((t) => t.businessKey)).toEqual([a.code]);
    expect(listed.map((t) => t.dossier?.code)).toEqual([a.code]);
    expect((await tasks(clerk, `?businessKey=${encodeURIComponent(b.code)}`)).map((t) => t.businessKey)).toEqual([b.code]);
  });

  it('Given a raw instance without a dossier, Then its tasks list with dossier null', async () => {
    const res = await rawStart(h.t, { definitionKey: 'dossier-fixture-steps', businessKey: 'NOT-A-DOSSIER' }, clerk);
    expect(res.status).toBe(201);
    const listed = await tasks(clerk, '?businessKey=NOT-A-DOSSIER');
    expect(listed).toHaveLength(1);
    expect(listed[0].dossier).toBeNull();
  });
});

describe('The status a step sets moves the dossier', () => {
  it('Given a received dossier, When its steps open, Then the dossier goes 2 → 4 → 9 with each move in its history', async () => {
    await at('2026-03-16T08:00:00');
    const d = await receive();
    const received = await dossier(d.code);
    expect(received.status).toBe(2);
    expect(received.parts).toEqual([
      expect.objectContaining({
        instanceId: d.instanceIds[0],
        definitionKey: 'dossier-fixture-steps',
        main: true,
        status: 'running',
        unit: expect.objectContaining({ code: 'DEMO.TTPVHCC.Q1' }),
      }),
    ]);
    await completeOpen(d); // check → appraise (4)
    const processing = await dossier(d.code);
    expect(processing.status).toBe(4);
    expect(processing.history.at(-1)).toMatchObject({ from: 2, to: 4, reason: 'Thẩm định: Đang xử lý' });
    await completeOpen(d); // appraise → hand back (9)
    const resolved = await dossier(d.code);
    expect(resolved.status).toBe(9);
    expect(resolved.history.map((x) => [x.from, x.to])).toEqual([
      [null, 2],
      [2, 4],
      [4, 9],
    ]);
  });
});

describe('Whoever works on a dossier may read it', () => {
  const PW = 'Truong-Son-Range-7';
  async function userAt(username: string, unit: string, role: string): Promise<TestClient> {
    const created = await admin.post('/api/users', { username, displayName: `Cán bộ ${username}`, unitId: unit, password: PW });
    expect(created.status, await created.clone().text()).toBe(201);
    const granted = await admin.post('/api/role-assignments', { userId: username, role, unitId: unit });
    expect(granted.status, await granted.clone().text()).toBe(201);
    return h.login(username, PW);
  }

  it('Given a dossier received at the provincial desk and appraised at the commune, Then the commune specialist reads it and its scans, and a specialist of an uninvolved unit gets 404', async () => {
    await at('2026-03-17T08:00:00');
    const commune = await userAt('chuyen-vien-an-binh', 'DEMO.XA.AN-BINH', 'specialist');
    const other = await userAt('chuyen-vien-sxd', 'DEMO.SXD', 'specialist');
    const d = await receive();
    await completeOpen(d); // the appraisal opens at the competent commune
    const seen = await commune.get(`/api/dossiers/${d.code}`);
    expect(seen.status, await seen.clone().text()).toBe(200);
    expect(((await seen.json()) as DossierView).status).toBe(4);
    expect((await commune.get(`/api/dossiers/${d.code}/attachments`)).status).toBe(200);
    const listed = await tasks(commune, `?businessKey=${encodeURIComponent(d.code)}`);
    expect(listed.map((t) => [t.activityId, t.dossier?.code])).toEqual([['appraise', d.code]]);
    // …and the process instance, with its variables (it was 403 / 404 before: the instance belongs to the desk).
    const instance = await commune.get(`/api/instances/${d.instanceIds[0]}`);
    expect(instance.status, await instance.clone().text()).toBe(200);
    expect(((await instance.json()) as { variables: Record<string, unknown> }).variables).toMatchObject({ dossierCode: d.code });
    expect((await other.get(`/api/instances/${d.instanceIds[0]}`)).status).toBe(404);
    expect((await other.get(`/api/dossiers/${d.code}`)).status).toBe(404);
    expect((await other.get(`/api/dossiers/${d.code}/attachments`)).status).toBe(404);
  });
});
