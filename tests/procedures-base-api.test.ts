import { beforeAll, describe, expect, it } from 'vitest';
import { useTestPlatform, type TestClient } from './support/platform.ts';
import { diagramFiles, documents, mapping, pack, processIds, read, resolve, substitute } from './support/base-pack-source.ts';
import { rawStart } from './support/raw-start.ts';

/**
 * The base pack through the HTTP API on the demo province: every diagram deploys once its
 * placeholders carry the demo mapping, the catalogue API accepts and publishes every resolved
 * document, and the two interlinked bundles (Decree 63/2024) and 2.000908 run to their end as
 * the demo users of the mapped units and roles.
 */

const ctx = useTestPlatform();
const xmlHeaders = { 'content-type': 'application/xml' };

interface Task {
  id: string;
  instanceId: string;
  definitionKey: string;
  activityId: string;
  unitId: string | null;
  candidateGroups: string[];
}
interface Instance {
  id: string;
  status: string;
  businessKey: string | null;
  definitionKey: string;
  unitId: string | null;
  variables: Record<string, unknown>;
  openTasks: Task[];
  history: { activityId: string; endedAt: string | null }[];
}

let admin: TestClient;
let analyst: TestClient;
let clerk: TestClient;
let stpSpecialist: TestClient;
/** The demo accounts of the commune, its police and the social insurance (core/seed.ts). */
const people: Record<string, TestClient> = {};
const unitIds = new Map<string, string>();
const deployed = new Map<string, { warnings: string[]; keys: string[] }>();

beforeAll(async () => {
  admin = await ctx.t.login('admin');
  analyst = await ctx.t.login('analyst');
  clerk = await ctx.t.login('clerk');
  stpSpecialist = await ctx.t.login('specialist');
  for (const u of (await (await admin.get('/api/units')).json()) as { id: string; code: string }[]) unitIds.set(u.code, u.id);
  people.xaChuyenVien = await ctx.t.login('xa.chuyenvien');
  people.xaLanhDao = await ctx.t.login('xa.lanhdao');
  people.congAnChuyenVien = await ctx.t.login('congan.chuyenvien');
  people.congAnLanhDao = await ctx.t.login('congan.lanhdao');
  people.bhxhChuyenVien = await ctx.t.login('bhxh.chuyenvien');
  people.bhxhLanhDao = await ctx.t.login('bhxh.lanhdao');
  for (const f of diagramFiles) {
    const res = await analyst.post(
      `/api/definitions?name=${encodeURIComponent(`vn.motcua.base/${f}`)}`,
      substitute(read(`diagrams/${f}`)),
      xmlHeaders,
    );
    const body = (await res.json()) as { definitions?: { key: string }[]; warnings?: string[]; code?: string; detail?: string };
    deployed.set(f, {
      warnings: body.warnings ?? [`HTTP ${res.status}: ${body.code} ${body.detail}`],
      keys: (body.definitions ?? []).map((d) => d.key),
    });
  }
}, 120_000);

describe('procedures/base through the API (demo mapping)', () => {
  it('the demo mapping names demo units and roles that exist', async () => {
    const roles = ((await (await admin.get('/api/roles')).json()) as { role: string }[]).map((r) => r.role);
    for (const p of pack.placeholders) {
      if (p.kind === 'agency') expect(unitIds.has(String(mapping[p.token])), `${p.token} → ${mapping[p.token]}`).toBe(true);
      if (p.kind === 'role') expect(roles, p.token).toContain(mapping[p.token]);
    }
  });

  it('every diagram deploys through POST /api/definitions without refusal; the only warnings are the drawn message flows being set aside', () => {
    const cases = documents().flatMap((d) => d.doc.cases);
    for (const f of diagramFiles) {
      const d = deployed.get(f)!;
      expect(d.keys.length, `${f}: ${d.warnings.join(' | ')}`).toBeGreaterThan(0);
      expect(d.keys.sort(), f).toEqual(processIds(read(`diagrams/${f}`)).sort());
      for (const w of d.warnings) {
        expect(w, f).toMatch(
          /^(Collapsed pool "Công dân, tổ chức" \(Participant_CongDan\) is an outside participant: its message flows|Message flows between "[^"]+" and "[^"]+") \([^)]+\) were set aside/,
        );
      }
    }
    const keys = new Set([...deployed.values()].flatMap((d) => d.keys));
    for (const c of cases) expect(keys.has(c.process.definitionKey), c.process.definitionKey).toBe(true);
  });

  it('every procedure, resolved with the demo mapping, is accepted and published by the catalogue API, and can be found', async () => {
    // The undated version first, then the dated ones in date order, each published from its date.
    const ordered = documents().sort((a, b) => (a.doc.effectiveFrom ?? '').localeCompare(b.doc.effectiveFrom ?? ''));
    for (const { file, doc } of ordered) {
      const resolved = resolve(JSON.parse(read(`procedures/${file}`)));
      const path = `/api/procedures/${encodeURIComponent(doc.code)}`;
      let lockVersion: number;
      if (!doc.effectiveFrom) {
        const created = await analyst.post('/api/procedures', resolved);
        expect(created.status, `${file}: ${await created.clone().text()}`).toBe(201);
        ({ lockVersion } = (await created.json()) as { lockVersion: number });
      } else {
        const current = (await (await analyst.get(path)).json()) as { lockVersion: number };
        const saved = await analyst.request('PUT', path, { lockVersion: current.lockVersion, document: resolved });
        expect(saved.status, `${file}: ${await saved.clone().text()}`).toBe(200);
        ({ lockVersion } = (await saved.json()) as { lockVersion: number });
      }
      const published = await analyst.post(`${path}/publish`, { lockVersion });
      expect(published.status, `${file}: ${await published.clone().text()}`).toBe(200);
      const { versions } = (await published.json()) as { versions: { effectiveFrom: string }[] };
      if (doc.effectiveFrom) expect(versions.at(-1)!.effectiveFrom, file).toBe(doc.effectiveFrom);
    }
    const search = async (q: string) =>
      ((await (await clerk.get(`/api/procedures?q=${encodeURIComponent(q)}`)).json()) as { items: { code: string }[] }).items.map(
        (i) => i.code,
      );
    expect((await search('2.000908'))[0]).toBe('2.000908');
    expect(await search('ho kinh doanh')).toContain('1.001612');
    expect(await search('khai sinh')).toEqual(expect.arrayContaining(['1.001193', '3.000722']));
    const bundle = (await (await clerk.get('/api/procedures/3.000722')).json()) as {
      status: string;
      current: { bindings: { caseKey: string; definitionKey: string }[] };
    };
    expect(bundle.status).toBe('published');
    expect(bundle.current.bindings).toEqual([
      expect.objectContaining({ caseKey: 'lien-thong-khai-sinh', definitionKey: 'vn_base_lt_khai_sinh' }),
    ]);
  });

  const instance = async (id: string, as: TestClient = admin): Promise<Instance> => {
    const res = await as.get(`/api/instances/${id}`);
    expect(res.status).toBe(200);
    return res.json();
  };
  const openTasks = async (as: TestClient, keys: string[]): Promise<Task[]> =>
    ((await (await as.get('/api/tasks?filter=all')).json()) as Task[]).filter((t) => keys.includes(t.definitionKey));
  const complete = async (as: TestClient, task: Task, variables: Record<string, unknown> = {}) => {
    const res = await as.post(`/api/tasks/${task.id}/complete`, { variables });
    expect(res.status, `${task.definitionKey}/${task.activityId}: ${await res.clone().text()}`).toBe(204);
  };

  /**
   * Runs an interlinked bundle through the API: the clerk starts the parent at the desk, then every open task of the
   * bundle is completed by the demo user of the unit and role it belongs to, until nothing is left.
   */
  async function runBundle(o: {
    parent: string;
    civil: string;
    dossier: string;
    civilVariable: string;
    variables: Record<string, Record<string, unknown>>;
    /** The two agencies served at once after the civil status: process key, element id stem, unit, [specialist, leader]. */
    a: { key: string; id: string; unit: string; people: [TestClient, TestClient] };
    b: { key: string; id: string; unit: string; people: [TestClient, TestClient] };
  }) {
    const keys = [o.parent, o.civil, o.a.key, o.b.key];
    const started = await rawStart(
      ctx.t,
      {
        definitionKey: o.parent,
        businessKey: o.dossier,
        variables: { dossier: { code: o.dossier }, applicant: { name: 'Nguyễn Thị Mai' } },
      },
      clerk,
    );
    expect(started.status, await started.clone().text()).toBe(201);
    const parent = (await started.json()) as Instance;
    expect(parent.unitId).toBe(unitIds.get('DEMO.TTPVHCC.Q1'));
    expect(parent.openTasks.map((t) => t.activityId)).toEqual(['Task_TiepNhan']);

    // Who acts on each step: the demo users of the mapped units and roles.
    const actor: Record<string, TestClient> = {
      [`${o.parent}/Task_TiepNhan`]: clerk,
      [`${o.civil}/Task_HoTich_XuLy`]: people.xaChuyenVien,
      [`${o.civil}/Task_HoTich_PheDuyet`]: people.xaLanhDao,
      [`${o.a.key}/Task_${o.a.id}_XuLy`]: o.a.people[0],
      [`${o.a.key}/Task_${o.a.id}_PheDuyet`]: o.a.people[1],
      [`${o.b.key}/Task_${o.b.id}_XuLy`]: o.b.people[0],
      [`${o.b.key}/Task_${o.b.id}_PheDuyet`]: o.b.people[1],
      [`${o.parent}/Task_TraKetQua`]: clerk,
    };
    const unitOf: Record<string, string> = {
      [o.parent]: 'DEMO.TTPVHCC.Q1',
      [o.civil]: 'DEMO.XA.AN-BINH',
      [o.a.key]: o.a.unit,
      [o.b.key]: o.b.unit,
    };
    const done: string[] = [];
    const instancesSeen = new Map<string, string>();
    for (let round = 0; round < 20; round++) {
      const visible = new Map<string, Task>();
      for (const who of [clerk, ...Object.values(people)]) for (const t of await openTasks(who, keys)) visible.set(t.id, t);
      if (visible.size === 0) break;
      for (const t of visible.values()) {
        const step = `${t.definitionKey}/${t.activityId}`;
        const who = actor[step];
        expect(who, `unexpected step ${step}`).toBeDefined();
        // Each task lies in the unit the demo mapping gives its agency, and people of other units may not even see it (404, ADR 0004).
        expect(t.unitId, step).toBe(unitIds.get(unitOf[t.definitionKey]));
        if (t.definitionKey !== o.parent)
          expect((await stpSpecialist.post(`/api/tasks/${t.id}/complete`, { variables: {} })).status, step).toBe(404);
        instancesSeen.set(t.definitionKey, t.instanceId);
        await complete(who, t, o.variables[step] ?? {});
        done.push(step);
      }
    }
    // Then every step ran once, and the parent heard from the civil status before it sent to the other two.
    expect(done.sort()).toEqual(Object.keys(actor).sort());
    const finished = await instance(parent.id, clerk);
    expect(finished.status).toBe('completed');
    const path = finished.history.map((h) => h.activityId);
    const [a, b] = [o.a.id, o.b.id];
    for (const step of [
      'Throw_HoTich',
      'Catch_HoTich',
      'Fork_LienThong',
      `Throw_${a}`,
      `Throw_${b}`,
      `Catch_${a}`,
      `Catch_${b}`,
      'Join_LienThong',
      'Task_TraKetQua',
      'End_DaTraKetQua',
    ])
      expect(path).toContain(step);
    expect(path.indexOf('Catch_HoTich')).toBeLessThan(path.indexOf(`Throw_${a}`));
    expect(path.indexOf('Catch_HoTich')).toBeLessThan(path.indexOf(`Throw_${b}`));
    expect(finished.variables[o.civilVariable]).toBe(true);
    // And the three agencies' instances, started by messages with the dossier code as business key, completed in their own units.
    expect([...instancesSeen.keys()].sort()).toEqual([...keys].sort());
    for (const key of keys.slice(1)) {
      const child = await instance(instancesSeen.get(key)!);
      expect(child, key).toMatchObject({
        status: 'completed',
        businessKey: o.dossier,
        definitionKey: key,
        unitId: unitIds.get(unitOf[key]),
      });
    }
    return finished;
  }

  it('the interlinked birth bundle (Decree 63/2024) runs end to end: desk → civil status → police and social insurance → desk', async () => {
    const finished = await runBundle({
      parent: 'vn_base_lt_khai_sinh',
      civil: 'vn_base_lt_ks_ho_tich',
      dossier: 'DEMO.TTPVHCC.Q1-260302-0001',
      civilVariable: 'khaiSinhApproved',
      a: {
        key: 'vn_base_lt_ks_thuong_tru',
        id: 'ThuongTru',
        unit: 'DEMO.CA.AN-BINH',
        people: [people.congAnChuyenVien, people.congAnLanhDao],
      },
      b: { key: 'vn_base_lt_ks_bhyt', id: 'Bhyt', unit: 'DEMO.BHXH', people: [people.bhxhChuyenVien, people.bhxhLanhDao] },
      variables: {
        'vn_base_lt_khai_sinh/Task_TiepNhan': { complete: true },
        'vn_base_lt_ks_ho_tich/Task_HoTich_PheDuyet': { khaiSinhApproved: true, personalId: '001226000123' },
        'vn_base_lt_ks_thuong_tru/Task_ThuongTru_PheDuyet': { thuongTruApproved: true },
        'vn_base_lt_ks_bhyt/Task_Bhyt_PheDuyet': { bhytApproved: true, healthInsuranceCard: 'TE1010000000123' },
      },
    });
    // The results of all three agencies came back to the desk with their messages.
    expect(finished.variables).toMatchObject({
      thuongTruApproved: true,
      bhytApproved: true,
      personalId: '001226000123',
      healthInsuranceCard: 'TE1010000000123',
    });
  });

  it('the interlinked death bundle runs end to end: desk → civil status → residence removal and funeral allowance → desk', async () => {
    const finished = await runBundle({
      parent: 'vn_base_lt_khai_tu',
      civil: 'vn_base_lt_kt_ho_tich',
      dossier: 'DEMO.TTPVHCC.Q1-260302-0004',
      civilVariable: 'khaiTuApproved',
      a: {
        key: 'vn_base_lt_kt_xoa_thuong_tru',
        id: 'XoaThuongTru',
        unit: 'DEMO.CA.AN-BINH',
        people: [people.congAnChuyenVien, people.congAnLanhDao],
      },
      b: { key: 'vn_base_lt_kt_mai_tang', id: 'MaiTang', unit: 'DEMO.BHXH', people: [people.bhxhChuyenVien, people.bhxhLanhDao] },
      variables: {
        'vn_base_lt_khai_tu/Task_TiepNhan': { complete: true },
        'vn_base_lt_kt_ho_tich/Task_HoTich_PheDuyet': { khaiTuApproved: true },
        'vn_base_lt_kt_xoa_thuong_tru/Task_XoaThuongTru_PheDuyet': { residenceRemoved: true },
        'vn_base_lt_kt_mai_tang/Task_MaiTang_PheDuyet': { funeralAllowance: 23_400_000 },
      },
    });
    expect(finished.variables).toMatchObject({ residenceRemoved: true, funeralAllowance: 23_400_000 });
  });

  it('2.000908 (certified copy from the original register) runs from receipt to return; a leader’s refusal is returned in writing; an incomplete dossier is refused at the desk', async () => {
    const keys = ['vn_base_ban_sao_so_goc'];
    // Received at the desk (POST /api/dossiers): the routing pinned at receipt sends the appraisal and the signature
    // to the competent commune and the return to the desk (the diagram names no unit).
    const kase = documents().find((d) => d.doc.code === '2.000908')!.doc.cases[0];
    const start = async (_label: string) => {
      const res = await clerk.post('/api/dossiers', {
        procedureCode: '2.000908',
        caseKey: kase.key,
        channel: 1,
        applicant: { kind: 'citizen', name: 'Nguyễn Thị Mai', idNumber: '001204012345', phone: '0912345678' },
        outcome: 'receive',
        components: kase.documents.map((_d, i) => ({ document: i, received: true })),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      const { instanceIds } = (await res.json()) as { instanceIds: string[] };
      return { id: instanceIds[0] };
    };
    const inst = await start('DEMO.TTPVHCC.Q1-260302-0002');
    const steps: [string, TestClient, Record<string, unknown>][] = [
      ['Task_TiepNhan', clerk, { complete: true }],
      ['Task_XuLy', people.xaChuyenVien, {}],
      ['Task_PheDuyet', people.xaLanhDao, { approved: true }],
      ['Task_TraKetQua', clerk, {}],
    ];
    for (const [activity, who, vars] of steps) {
      const [task] = (await openTasks(who, keys)).filter((t) => t.instanceId === inst.id);
      expect(task?.activityId, activity).toBe(activity);
      await complete(who, task, vars);
    }
    const done = await instance(inst.id, clerk);
    expect(done.status).toBe('completed');
    expect(done.history.map((h) => h.activityId)).toContain('End_DaTraKetQua');

    // A leader's refusal takes the refusal branch: the desk returns a written refusal.
    const declined = await start('DEMO.TTPVHCC.Q1-260302-0005');
    for (const [activity, who, vars] of [
      ...steps.slice(0, 2),
      ['Task_PheDuyet', people.xaLanhDao, { approved: false }],
      ['Task_TraTuChoi', clerk, {}],
    ] as typeof steps) {
      const [task] = (await openTasks(who, keys)).filter((t) => t.instanceId === declined.id);
      expect(task?.activityId, activity).toBe(activity);
      await complete(who, task, vars);
    }
    const declinedView = await instance(declined.id, clerk);
    expect(declinedView.status).toBe('completed');
    expect(declinedView.history.map((h) => h.activityId)).toContain('End_TuChoiGiaiQuyet');
    expect(declinedView.history.map((h) => h.activityId)).not.toContain('Task_TraKetQua');

    const refused = await start('DEMO.TTPVHCC.Q1-260302-0003');
    const [task] = (await openTasks(clerk, keys)).filter((t) => t.instanceId === refused.id);
    await complete(clerk, task, { complete: false });
    const ended = await instance(refused.id, clerk);
    expect(ended.status).toBe('completed');
    expect(ended.history.map((h) => h.activityId)).toContain('End_TuChoiTiepNhan');
    expect(ended.history.map((h) => h.activityId)).not.toContain('Task_XuLy');
  });
});
