import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { useTestPlatform, type TestClient } from '../../tests/support/platform.ts';
import { rawStart } from '../../tests/support/raw-start.ts';

/**
 * Multi-instance user tasks, and task attributes given by expression, as Camunda Modeler draws
 * them (fixtures/multi-instance.bpmn): a consultation of several agencies in parallel, then two
 * signatures in sequence by the officer a variable names.
 */
const ctx = useTestPlatform();
const XML = readFileSync(new URL('./fixtures/multi-instance.bpmn', import.meta.url), 'utf8');

let clerk: TestClient;
/** A specialist of DEMO.SXD (the demo has none), created for the consultation. */
let sxd: TestClient;
let specialist: TestClient;
let leader: TestClient;

interface Task {
  id: string;
  activityId: string;
  assignee: string | null;
  unitId: string | null;
  dueAt: string | null;
  variables: Record<string, unknown> | null;
}

beforeAll(async () => {
  const admin = await ctx.t.login('admin');
  [clerk, specialist, leader] = await Promise.all(['clerk', 'specialist', 'leader'].map((u) => ctx.t.login(u)));
  const password = 'Tham-van-so-xay-dung-2026';
  const created = await admin.post('/api/users', {
    username: 'sxd.chuyenvien',
    displayName: 'Chuyên viên Sở Xây dựng',
    unitId: 'DEMO.SXD',
    password,
  });
  expect(created.status).toBe(201);
  const userId = ((await created.json()) as { user: { id: string } }).user.id;
  expect((await admin.post('/api/role-assignments', { userId, role: 'specialist', unitId: await unitId('DEMO.SXD') })).status).toBe(201);
  sxd = await ctx.t.login('sxd.chuyenvien', password);
  expect((await (await ctx.t.login('analyst')).post('/api/definitions', XML, { 'content-type': 'application/xml' })).status).toBe(201);
});

async function start(variables: Record<string, unknown>): Promise<string> {
  const res = await rawStart(ctx.t, { definitionKey: 'consult', variables }, clerk);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}
const tasksOf = async (who: TestClient, id: string) => (await (await who.get(`/api/tasks?instanceId=${id}`)).json()) as Task[];
const instance = async (id: string) =>
  (await (await clerk.get(`/api/instances/${id}`)).json()) as {
    status: string;
    variables: Record<string, unknown>;
    history: { activityId: string; endedAt: string | null }[];
  };
const unitId = async (code: string) =>
  (await ctx.t.platform.services.db.em().execute<{ id: string }[]>('SELECT id FROM units WHERE code = ?', [code]))[0].id;

describe('multi-instance user tasks', () => {
  it('Given a parallel loop over a collection, then each element gets its own task, in the unit the element names, and the process goes on when all are done', async () => {
    const id = await start({ agencies: ['DEMO.STP', 'DEMO.SXD'], officer: 'leader', refused: false });
    // Each specialist sees and may work only the task of their own unit.
    const mine = await tasksOf(specialist, id);
    const other = await tasksOf(sxd, id);
    expect(mine.map((t) => t.variables)).toEqual([{ loopCounter: 0, agency: 'DEMO.STP' }]);
    expect(other.map((t) => t.variables)).toEqual([{ loopCounter: 1, agency: 'DEMO.SXD' }]);
    expect([mine[0].unitId, other[0].unitId]).toEqual([await unitId('DEMO.STP'), await unitId('DEMO.SXD')]);
    expect(mine[0].dueAt && other[0].dueAt).toBeTruthy();
    expect((await specialist.post(`/api/tasks/${other[0].id}/complete`, { variables: {} })).status).toBe(404); // not in their units: not seen
    expect((await specialist.post(`/api/tasks/${mine[0].id}/complete`, { variables: { stp: 'đồng ý' } })).status).toBe(204);
    // One iteration done: the loop still waits for the other, and nothing else is open.
    expect(await tasksOf(specialist, id)).toEqual([]);
    expect(await tasksOf(leader, id)).toEqual([]);
    expect((await sxd.post(`/api/tasks/${other[0].id}/complete`, { variables: { sxd: 'đồng ý' } })).status).toBe(204);
    const next = await tasksOf(leader, id);
    expect(next.map((t) => [t.activityId, t.assignee])).toEqual([['sign', 'leader']]);
    expect((await instance(id)).variables).toMatchObject({ stp: 'đồng ý', sxd: 'đồng ý' });
  });

  it('Given a sequential loop and camunda:assignee="${officer}", then one task at a time goes to that officer, and two signatures complete the instance', async () => {
    const id = await start({ agencies: ['DEMO.STP'], officer: 'leader', refused: false });
    const [opinion] = await tasksOf(specialist, id);
    expect((await specialist.post(`/api/tasks/${opinion.id}/complete`, { variables: {} })).status).toBe(204);
    for (const n of [0, 1]) {
      const tasks = await tasksOf(leader, id);
      expect(tasks.map((t) => [t.activityId, t.assignee, t.variables?.loopCounter])).toEqual([['sign', 'leader', n]]);
      expect((await specialist.post(`/api/tasks/${tasks[0].id}/complete`, { variables: {} })).status).toBe(403);
      expect((await leader.post(`/api/tasks/${tasks[0].id}/complete`, { variables: { [`sign${n}`]: true } })).status).toBe(204);
    }
    const done = await instance(id);
    expect(done.status).toBe('completed');
    // Who signed each iteration is on its task row.
    const signed = await ctx.t.platform.services.db
      .em()
      .execute<{ completed_by: string; status: string }[]>(
        "SELECT t.completed_by, t.status FROM tasks t WHERE t.instance_id = ? AND t.activity_id = 'sign'",
        [id],
      );
    const [me] = await ctx.t.platform.services.db.em().execute<{ id: string }[]>("SELECT id FROM users WHERE username = 'leader'");
    expect(signed).toEqual([
      { completed_by: me.id, status: 'completed' },
      { completed_by: me.id, status: 'completed' },
    ]);
  });

  it('Given an empty collection, then the loop completes at once; given ${refused} true (a bare variable, as in Camunda), then the refusal path ends the instance', async () => {
    const id = await start({ agencies: [], officer: 'leader', refused: true });
    expect(await tasksOf(leader, id)).toEqual([]);
    expect((await instance(id)).status).toBe('completed');
    expect((await instance(id)).history.map((h) => h.activityId)).toContain('end_refused');
  });

  it('Given a collection that is not there, then the start is refused with a clear 422 and nothing is stored', async () => {
    const before = await ctx.t.platform.services.db.em().execute<{ n: number }[]>('SELECT COUNT(*) AS n FROM process_instances');
    const res = await rawStart(ctx.t, { definitionKey: 'consult', variables: { officer: 'leader' } }, clerk);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { code: string; detail: string };
    expect(body.code).toBe('process.engine_error');
    expect(body.detail).toContain('opinions');
    const after = await ctx.t.platform.services.db.em().execute<{ n: number }[]>('SELECT COUNT(*) AS n FROM process_instances');
    expect(Number(after[0].n)).toBe(Number(before[0].n));
  });
});
