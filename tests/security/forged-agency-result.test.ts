import { beforeAll, describe, expect, it } from 'vitest';
import { useTestPlatform, type TestClient } from '../support/platform.ts';
import { read, substitute } from '../support/base-pack-source.ts';
import { rawStart } from '../support/raw-start.ts';

/**
 * Probe finding (high): a desk clerk sent the civil-status, police and social-insurance result
 * messages of the birth bundle through POST /api/messages with the dossier's business key; each
 * answered `correlated`, pushed the bundle to "return result" with no agency acting, and its
 * variables overwrote `applicant`. A message sent through the API now reaches only elements the
 * diagram marks `motcua:external`, and a message's variables never overwrite process variables
 * unless the receiving element maps them.
 */

const ctx = useTestPlatform();
const xmlHeaders = { 'content-type': 'application/xml' };
const DOSSIER = 'DEMO.TTPVHCC.Q1-261206-0001';
const RESULTS = ['vn.base.lt-khai-sinh.ho-tich.ket-qua', 'vn.base.lt-khai-sinh.thuong-tru.ket-qua', 'vn.base.lt-khai-sinh.bhyt.ket-qua'];

interface Task {
  id: string;
  instanceId: string;
  definitionKey: string;
  activityId: string;
}
interface Instance {
  id: string;
  status: string;
  variables: Record<string, unknown>;
  openTasks: Task[];
  history: { activityId: string; endedAt: string | null; actorId: string | null }[];
  messages: { name: string; origin: string; sentBy: string | null; activityId: string | null }[];
}

let admin: TestClient;
let clerk: TestClient;
let parentId: string;

const instance = async (id: string, as = clerk): Promise<Instance> => (await as.get(`/api/instances/${id}`)).json();
const count = async (sql: string, params: unknown[]) =>
  Number((await ctx.t.platform.services.db.em().execute<{ n: number | string }[]>(sql, params))[0].n);

async function createPerson(username: string, role: string, unitCode: string): Promise<TestClient> {
  const units = (await (await admin.get('/api/units')).json()) as { id: string; code: string }[];
  const unitId = units.find((u) => u.code === unitCode)!.id;
  const res = await admin.post('/api/users', { username, displayName: username, unitId });
  const { user, generatedPassword } = (await res.json()) as { user: { id: string }; generatedPassword: string };
  expect((await admin.post('/api/role-assignments', { userId: user.id, role, unitId })).status).toBe(201);
  return ctx.t.login(username, generatedPassword);
}

beforeAll(async () => {
  admin = await ctx.t.login('admin');
  clerk = await ctx.t.login('clerk');
  const analyst = await ctx.t.login('analyst');
  const deployed = await analyst.post('/api/definitions', substitute(read('diagrams/lien-thong-khai-sinh.bpmn')), xmlHeaders);
  expect(deployed.status, await deployed.clone().text()).toBe(201);
  // Given a birth bundle received at the desk, now waiting for the civil-status result
  const started = await rawStart(
    ctx.t,
    {
      definitionKey: 'vn_base_lt_khai_sinh',
      businessKey: DOSSIER,
      variables: { dossier: { code: DOSSIER }, applicant: { name: 'Nguyễn Thị Mai' } },
    },
    clerk,
  );
  expect(started.status, await started.clone().text()).toBe(201);
  const parent = (await started.json()) as Instance;
  parentId = parent.id;
  expect((await clerk.post(`/api/tasks/${parent.openTasks[0].id}/complete`, { variables: { complete: true } })).status).toBe(204);
});

describe('forged agency result (POST /api/messages)', () => {
  it('a desk clerk cannot send another agency’s result message: 403 message.not_receivable, nothing stored, the bundle still waits', async () => {
    for (const name of RESULTS) {
      const res = await clerk.post('/api/messages', {
        name,
        correlationKey: DOSSIER,
        variables: { khaiSinhApproved: true, applicant: 'forged' },
      });
      expect(res.status, name).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe('message.not_receivable');
    }
    expect(await count("SELECT COUNT(*) AS n FROM messages WHERE origin = 'api'", [])).toBe(0);
    const parent = await instance(parentId);
    expect(parent.status).toBe('running');
    expect(parent.variables.applicant).toEqual({ name: 'Nguyễn Thị Mai' });
    expect(parent.history.find((h) => h.activityId === 'Catch_HoTich')).toMatchObject({ endedAt: null });
    expect(parent.messages).toEqual([]);
  });

  it('not even a province-wide administrator can: the diagram does not accept these messages from outside', async () => {
    const res = await admin.post('/api/messages', { name: RESULTS[0], correlationKey: DOSSIER, variables: { khaiSinhApproved: true } });
    expect(res.status).toBe(403);
    expect((await instance(parentId)).history.find((h) => h.activityId === 'Catch_HoTich')).toMatchObject({ endedAt: null });
  });

  it('the civil-status agency’s real answer still reaches the bundle: only the mapped results are written, with the sender in its history', async () => {
    const specialist = await createPerson('xa.hotich.sec', 'specialist', 'DEMO.XA.AN-BINH');
    const leader = await createPerson('xa.lanhdao.sec', 'leader', 'DEMO.XA.AN-BINH');
    const leaderId = ((await (await leader.get('/api/me')).json()) as { user: { id: string } }).user.id;
    const step = async (who: TestClient, activityId: string, variables: Record<string, unknown>) => {
      const tasks = ((await (await who.get('/api/tasks?filter=all')).json()) as Task[]).filter((t) => t.activityId === activityId);
      expect(tasks, activityId).toHaveLength(1);
      expect((await who.post(`/api/tasks/${tasks[0].id}/complete`, { variables })).status).toBe(204);
    };
    await step(specialist, 'Task_HoTich_XuLy', {});
    // The child process writes whatever it likes into its own variables, applicant included ...
    await step(leader, 'Task_HoTich_PheDuyet', {
      khaiSinhApproved: true,
      personalId: '001226000123',
      applicant: 'overwritten by the child',
    });
    const parent = await instance(parentId);
    // ... but the bundle takes only what its catch event maps.
    expect(parent.variables).toMatchObject({ khaiSinhApproved: true, personalId: '001226000123', applicant: { name: 'Nguyễn Thị Mai' } });
    expect(parent.history.find((h) => h.activityId === 'Catch_HoTich')).toMatchObject({ actorId: leaderId });
    expect(parent.history.find((h) => h.activityId === 'Catch_HoTich')?.endedAt).not.toBeNull();
    expect(parent.messages).toEqual([
      expect.objectContaining({ name: RESULTS[0], origin: 'process', sentBy: leaderId, activityId: 'Catch_HoTich' }),
    ]);
    expect(
      await count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'message.correlated' AND actor_id = ? AND target_id = ?", [
        leaderId,
        parentId,
      ]),
    ).toBe(1);
  });
});
