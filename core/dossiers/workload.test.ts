import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import { sql } from '../db/sql.ts';
import { Unit } from '../org/entities.ts';
import { procedure, publish, receiveDossier } from './fixtures/procedures.ts';

/**
 * The leader view (issue 16): per unit, open dossiers, due today and overdue, scoped to the
 * units the caller reads, and the drill-down through GET /api/dossiers. The procedure's limit is
 * 3 working days, so a dossier received on Monday 08:00 is due Thursday 08:00. Now is Friday
 * 2026-03-06 08:00 (Vietnam time).
 */
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
const { deploy } = h.process({ as: () => admin });
const at = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);
let admin: TestClient;
const codes: Record<string, string> = {};

interface Row {
  unit: { id: string; code: string; name: string; parentId: string | null };
  open: number;
  dueToday: number;
  overdue: number;
}

async function receiveAt(label: string, local: string, moveTo?: string) {
  h.t.clock.set(at(local));
  const clerk = await h.login('clerk');
  const d = await receiveDossier(clerk, '1.920001');
  codes[label] = d.code;
  if (moveTo) {
    // As if received at that unit's own desk: the dossier's unit and path.
    const unit = await h.em().findOneOrFail(Unit, { code: moveTo });
    await sql(h.em()).run('UPDATE dossiers SET unit_id = ?, unit_path = ? WHERE code = ?', [unit.id, unit.path, d.code]);
  }
}

async function workload(as: TestClient): Promise<Row[]> {
  const res = await as.get('/api/dossiers/workload');
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { units: Row[] }).units;
}

const counts = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r.unit.code, [r.open, r.dueToday, r.overdue]]));

async function listed(as: TestClient, query: string): Promise<string[]> {
  const res = await as.get(`/api/dossiers?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  const page = (await res.json()) as { items: { code: string }[] };
  const label = (code: string) => Object.entries(codes).find(([, c]) => c === code)?.[0] ?? code;
  return page.items.map((i) => label(i.code)).sort();
}

beforeAll(async () => {
  h.t.clock.set(at('2026-03-02 07:00'));
  admin = await h.login('admin');
  await deploy('steps.bpmn');
  await publish(h.services, [procedure('1.920001', { process: 'steps' })]);
  await receiveAt('A Mon', '2026-03-02 08:00');
  await receiveAt('E Mon, commune', '2026-03-02 08:00', 'DEMO.XA.AN-BINH');
  await receiveAt('B Tue', '2026-03-03 09:00');
  await receiveAt('D Tue, desk 2', '2026-03-03 09:00', 'DEMO.TTPVHCC.Q2');
  await receiveAt('C Wed', '2026-03-04 09:00');
  h.t.clock.set(at('2026-03-06 08:00'));
  admin = await h.login('admin');
});

describe('The leader view', () => {
  it('Given dossiers received at two desks and in the commune, When an administrator asks, Then each unit counts its subtree: open, due today (appointment 09:00), overdue (Thursday 08:00)', async () => {
    const rows = await workload(admin);
    expect(counts(rows)).toMatchObject({
      DEMO: [5, 2, 2],
      'DEMO.TTPVHCC.Q1': [3, 1, 1],
      'DEMO.TTPVHCC.Q2': [1, 1, 0],
      'DEMO.XA.AN-BINH': [1, 0, 1],
    });
    // Tree order: a unit before its subunits, each row naming its parent.
    expect(rows[0].unit).toMatchObject({ code: 'DEMO', parentId: null });
    const q1 = rows.find((r) => r.unit.code === 'DEMO.TTPVHCC.Q1')!;
    expect(rows.findIndex((r) => r.unit.id === q1.unit.parentId)).toBeLessThan(rows.indexOf(q1));
  });

  it('Given a unit of the view, When drilled down through GET /api/dossiers?unitId=, Then the same dossiers are listed', async () => {
    expect(await listed(admin, 'unitId=DEMO.TTPVHCC.Q1&dueToday=true')).toEqual(['B Tue']);
    expect(await listed(admin, 'unitId=DEMO.TTPVHCC.Q1&overdue=true')).toEqual(['A Mon']);
    expect(await listed(admin, 'unitId=DEMO.TTPVHCC.Q1&status=1,2,4,5,6')).toEqual(['A Mon', 'B Tue', 'C Wed']);
    expect(await listed(admin, 'dueToday=true')).toEqual(['B Tue', 'D Tue, desk 2']);
  });

  it("Given the commune's leader, When they ask, Then only the commune's subtree: neither the desks nor the province", async () => {
    const leader = await h.login('xa.lanhdao');
    const rows = await workload(leader);
    expect(rows.map((r) => r.unit.code)).toEqual(['DEMO.XA.AN-BINH']);
    expect(counts(rows)).toEqual({ 'DEMO.XA.AN-BINH': [1, 0, 1] });
    expect(await listed(leader, 'overdue=true')).toEqual(['E Mon, commune']);
    expect(await listed(leader, 'dueToday=true')).toEqual([]);
  });

  it('Given another desk clerk, Then only their desk', async () => {
    const rows = await workload(await h.login('quay2.tiepnhan'));
    expect(counts(rows)).toEqual({ 'DEMO.TTPVHCC.Q2': [1, 1, 0] });
  });
});
