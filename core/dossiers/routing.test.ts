import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import { applicant, complete, procedure, publish } from './fixtures/procedures.ts';
import type { DossierView } from './service.ts';

/**
 * Routing (issue 15 point 4): a diagram drawn without motcua attributes still crosses units.
 * Receptionist steps go to the receiving desk, the others to the competent agency chosen at
 * receipt; a Camunda-style diagram whose lanes are agencies goes by the lanes the case maps.
 */
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
const { deploy } = h.process({ as: () => admin });
const SYSTEM = { actor: { id: null, name: 'test:routing' }, requestId: null };
let clerk: TestClient;
let admin: TestClient;

async function receive(code: string, extra: Record<string, unknown> = {}, status = 201) {
  const res = await clerk.post('/api/dossiers', {
    procedureCode: code,
    caseKey: 'standard',
    channel: 1,
    applicant,
    outcome: 'receive',
    components: complete,
    ...extra,
  });
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as DossierView & { code: string; detail?: string; candidates?: string[] };
}

/** The open task of the dossier's instance: its activity and the code of its unit. */
async function openStep(d: DossierView): Promise<{ activity: string; unit: string }> {
  const rows = await h
    .em()
    .execute<{ activity_id: string; code: string }[]>(
      "SELECT t.activity_id, u.code FROM tasks t JOIN units u ON u.id = t.unit_id WHERE t.instance_id = ? AND t.status = 'open'",
      [d.instanceIds[0]],
    );
  expect(rows).toHaveLength(1);
  return { activity: rows[0].activity_id, unit: rows[0].code };
}

async function walk(d: DossierView, steps: number): Promise<{ activity: string; unit: string }[]> {
  const seen = [await openStep(d)];
  const engine = h.services.engine;
  for (let i = 1; i < steps; i++) {
    // Completed by the engine directly: who may work each unit's task is the entitlement tests' concern.
    const [{ id }] = await h
      .em()
      .execute<{ id: string }[]>("SELECT id FROM tasks WHERE instance_id = ? AND status = 'open'", [d.instanceIds[0]]);
    const task = await engine.loadTask(h.em(), id);
    await h.em().transactional((em) => engine.completeTask(em, SYSTEM, task, {}));
    seen.push(await openStep(d));
  }
  return seen;
}

const dossierCount = async () => Number((await h.em().execute<{ n: number }[]>('SELECT COUNT(*) AS n FROM dossiers'))[0].n);

beforeAll(async () => {
  clerk = await h.login('clerk');
  admin = await h.login('admin');
  await deploy('roles.bpmn');
  await deploy('lanes.bpmn');
  await publish(h.services, [
    procedure('1.910001', { process: 'roles', competent: ['DEMO.XA.AN-BINH'] }),
    procedure('1.910002', { process: 'roles', competent: ['DEMO.XA.AN-BINH', 'DEMO.XA.HOA-LAC'] }),
    procedure('1.910003', { process: 'lanes', lanes: { Lane_Civil: 'DEMO.XA.AN-BINH', Lane_Police: 'DEMO.XA.HOA-LAC' } }),
  ]);
});

describe('Routing of a dossier steps', () => {
  it('Given a diagram without motcua attributes, When a dossier is received, Then receptionist steps go to the receiving desk and the others to the competent agency', async () => {
    const d = await receive('1.910001');
    expect(d.competentUnitId).not.toBeNull();
    expect(await walk(d, 4)).toEqual([
      { activity: 'check', unit: 'DEMO.TTPVHCC.Q1' },
      { activity: 'appraise', unit: 'DEMO.XA.AN-BINH' },
      { activity: 'sign', unit: 'DEMO.XA.AN-BINH' },
      { activity: 'hand_back', unit: 'DEMO.TTPVHCC.Q1' },
    ]);
  });

  it('Given a procedure with two competent agencies in the province, When the clerk names none, Then the receipt is refused with the choices and nothing is stored', async () => {
    const before = await dossierCount();
    const res = await receive('1.910002', {}, 422);
    expect(res).toMatchObject({
      code: 'dossier.competent_unit_required',
      candidates: expect.arrayContaining(['DEMO.XA.AN-BINH', 'DEMO.XA.HOA-LAC']),
    });
    const wrong = await receive('1.910002', { competentUnitId: 'DEMO.STP' }, 422);
    expect(wrong).toMatchObject({ code: 'dossier.not_competent_unit' });
    expect(await dossierCount()).toBe(before);
  });

  it('Given two competent agencies, When the clerk names one, Then its steps go there', async () => {
    const d = await receive('1.910002', { competentUnitId: 'DEMO.XA.HOA-LAC' });
    expect(await walk(d, 3)).toEqual([
      { activity: 'check', unit: 'DEMO.TTPVHCC.Q1' },
      { activity: 'appraise', unit: 'DEMO.XA.HOA-LAC' },
      { activity: 'sign', unit: 'DEMO.XA.HOA-LAC' },
    ]);
  });

  it('Given a Camunda-style diagram whose lanes are agencies, When a dossier is received, Then each step goes to the unit the case maps its lane to', async () => {
    const d = await receive('1.910003');
    expect(await walk(d, 3)).toEqual([
      { activity: 'check', unit: 'DEMO.TTPVHCC.Q1' },
      { activity: 'register', unit: 'DEMO.XA.AN-BINH' },
      { activity: 'residence', unit: 'DEMO.XA.HOA-LAC' },
    ]);
  });

  it('Given a raw start by an analyst, Then its steps stay in the start unit as before (no routing)', async () => {
    const res = await admin.post('/api/instances', { definitionKey: 'dossier-fixture-roles' });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const [row] = await h.em().execute<{ routing: string | null }[]>('SELECT routing FROM process_instances WHERE id = ?', [id]);
    expect(row.routing).toBeNull();
  });
});
