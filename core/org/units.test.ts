import { beforeAll, describe, expect, it } from 'vitest';
import { TestClient, useTestPlatform } from '../../tests/support/platform.ts';

const ctx = useTestPlatform();
const PW = 'Phu-Quoc-Island-9';

interface UnitView {
  id: string;
  code: string;
  name: string;
  parentId: string | null;
  path: string;
  version: number;
  validTo: string | null;
  successorId: string | null;
}

let admin: TestClient;
beforeAll(async () => {
  admin = await ctx.t.login('admin');
});

async function unit(idOrCode: string): Promise<UnitView & { nameHistory: { name: string; code: string }[] }> {
  const res = await admin.get(`/api/units/${idOrCode}`);
  expect(res.status).toBe(200);
  return res.json();
}

async function create(code: string, parentId: string, level = 'department'): Promise<UnitView> {
  const res = await admin.post('/api/units', { code, name: `Đơn vị ${code}`, level, parentId });
  expect(res.status).toBe(201);
  return res.json();
}

async function pathInDb(id: string): Promise<string> {
  const [row] = await ctx.t.platform.services.db.em().execute<{ path: string }[]>('SELECT path FROM units WHERE id = ?', [id]);
  return row.path;
}

/** A user holding `role` only in `unitCode`, signed in. */
async function holder(username: string, role: string, unitCode: string): Promise<TestClient> {
  const created = await admin.post('/api/users', { username, displayName: username, unitId: unitCode, password: PW });
  expect(created.status).toBe(201);
  const { user } = await created.json();
  expect((await admin.post('/api/role-assignments', { userId: user.id, role, unitId: unitCode })).status).toBe(201);
  return ctx.t.login(username, PW);
}

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect((await res.json()).code).toBe(code);
}

describe('units', () => {
  it("an admin creates a unit under a parent; its path extends the parent's", async () => {
    const parent = await unit('DEMO.XA.AN-BINH');
    const res = await admin.post(
      '/api/units',
      { code: 'DEMO.XA.AN-BINH.MC', name: 'Bộ phận một cửa xã An Bình', level: 'desk', parentId: 'DEMO.XA.AN-BINH' },
      { 'x-request-id': 'unit-create-1' },
    );
    expect(res.status).toBe(201);
    const created: UnitView = await res.json();
    expect(created).toMatchObject({ parentId: parent.id, path: `${parent.path}${created.id}/`, version: 1 });
    expect(await pathInDb(created.id)).toBe(created.path);
    const [audit] = await ctx.t.platform.services.db
      .em()
      .execute<{ action: string; target_id: string }[]>('SELECT action, target_id FROM audit_log WHERE request_id = ?', ['unit-create-1']);
    expect(audit).toMatchObject({ action: 'unit.created', target_id: created.id });
  });

  it('refuses a duplicate code with 409 unit.exists, on create and on rename', async () => {
    await expectProblem(
      await admin.post('/api/units', { code: 'DEMO.STP', name: 'Sở Tư pháp 2', level: 'department', parentId: 'DEMO' }),
      409,
      'unit.exists',
    );
    const sxd = await unit('DEMO.SXD');
    await expectProblem(await admin.patch(`/api/units/${sxd.id}`, { version: sxd.version, code: 'DEMO.STP' }), 409, 'unit.exists');
    expect(await unit('DEMO.SXD')).toMatchObject({ code: 'DEMO.SXD', version: sxd.version, nameHistory: [] });
  });

  it('keeps the former name in nameHistory after a rename', async () => {
    const u = await create('DEMO.SKHDT', 'DEMO');
    const res = await admin.patch(`/api/units/${u.id}`, { version: u.version, name: 'Sở Tài chính', code: 'DEMO.STC' });
    expect(res.status).toBe(200);
    expect((await res.json()).version).toBe(u.version + 1);
    const detail = await unit(u.id);
    expect(detail).toMatchObject({ name: 'Sở Tài chính', code: 'DEMO.STC' });
    expect(detail.nameHistory).toEqual([{ name: u.name, code: 'DEMO.SKHDT', validTo: expect.any(String) }]);
    expect((await unit('DEMO.STC')).id).toBe(u.id);
  });

  it('moves a subtree: descendants are re-rooted and grants on the moved unit still reach its children', async () => {
    const hoaLac = await unit('DEMO.XA.HOA-LAC');
    const anBinh = await unit('DEMO.XA.AN-BINH');
    const village = await create('DEMO.XA.AN-BINH.THON1', anBinh.id, 'department');
    const desk = await create('DEMO.XA.AN-BINH.THON1.TO1', village.id, 'desk');
    const villageHead = await holder('truong-thon', 'viewer', village.code);
    const communeViewer = await holder('xem-an-binh', 'viewer', anBinh.code);
    expect((await communeViewer.get(`/api/units/${desk.id}`)).status).toBe(200);

    const res = await admin.patch(`/api/units/${village.id}`, { version: village.version, parentId: hoaLac.id });
    expect(res.status).toBe(200);
    const moved: UnitView = await res.json();
    expect(moved).toMatchObject({ parentId: hoaLac.id, path: `${hoaLac.path}${village.id}/` });
    expect(await pathInDb(village.id)).toBe(moved.path);
    expect(await pathInDb(desk.id)).toBe(`${moved.path}${desk.id}/`);
    expect((await unit(village.id)).version).toBe(moved.version);

    expect((await villageHead.get(`/api/units/${desk.id}`)).status).toBe(200);
    expect((await (await villageHead.get('/api/units')).json()).map((u: UnitView) => u.id)).toEqual([village.id, desk.id]);
    await expectProblem(await communeViewer.get(`/api/units/${desk.id}`), 404, 'unit.not_found');
    const hoaLacViewer = await holder('xem-hoa-lac', 'viewer', hoaLac.code);
    expect((await hoaLacViewer.get(`/api/units/${desk.id}`)).status).toBe(200);
  });

  it('refuses to move a unit under itself or its own subunit (422 unit.invalid_parent)', async () => {
    const top = await create('DEMO.SYT', 'DEMO');
    const child = await create('DEMO.SYT.P1', top.id);
    const grandchild = await create('DEMO.SYT.P1.T1', child.id, 'desk');
    for (const target of [grandchild.id, child.id, top.id]) {
      await expectProblem(
        await admin.patch(`/api/units/${top.id}`, { version: top.version, parentId: target }),
        422,
        'unit.invalid_parent',
      );
    }
    expect(await unit(top.id)).toMatchObject({ parentId: (await unit('DEMO')).id, path: top.path, version: top.version });
    expect(await pathInDb(grandchild.id)).toBe(grandchild.path);
  });

  it('merging sets successor and validTo; retired units leave the list unless includeRetired=true', async () => {
    const a = await create('DEMO.XA.CU', 'DEMO', 'commune');
    const b = await create('DEMO.XA.MOI', 'DEMO', 'commune');
    const soon = await create('DEMO.XA.SAP-NHAP', 'DEMO', 'commune');
    const res = await admin.patch(`/api/units/${a.id}`, { version: a.version, successorId: b.id, validTo: '2026-03-01' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ successorId: b.id, validTo: '2026-03-01' });
    expect((await admin.patch(`/api/units/${soon.id}`, { version: soon.version, validTo: '2099-12-31' })).status).toBe(200);

    const listed = (await (await admin.get('/api/units')).json()).map((u: UnitView) => u.code);
    expect(listed).not.toContain('DEMO.XA.CU');
    expect(listed).toEqual(expect.arrayContaining(['DEMO.XA.MOI', 'DEMO.XA.SAP-NHAP']));
    const all = (await (await admin.get('/api/units?includeRetired=true')).json()).map((u: UnitView) => u.code);
    expect(all).toEqual(expect.arrayContaining(['DEMO.XA.CU', 'DEMO.XA.MOI']));
    expect(await unit(a.id)).toMatchObject({ successorId: b.id, validTo: '2026-03-01' });
    await expectProblem(await admin.patch(`/api/units/${b.id}`, { version: b.version, successorId: b.id }), 422, 'unit.invalid_parent');
  });

  it('refuses the second of two edits made from the same version (409 conflict.stale), changing nothing', async () => {
    const u = await create('DEMO.SCT', 'DEMO');
    const first = await admin.patch(`/api/units/${u.id}`, { version: u.version, name: 'Sở Công Thương' });
    expect(first.status).toBe(200);
    const second = await admin.patch(`/api/units/${u.id}`, { version: u.version, name: 'Sở Công nghiệp' });
    await expectProblem(second, 409, 'conflict.stale');
    const after = await unit(u.id);
    expect(after).toMatchObject({ name: 'Sở Công Thương', version: u.version + 1 });
    expect(after.nameHistory).toHaveLength(1);
  });

  it('lets exactly one of two simultaneous edits of the same version win', async () => {
    const u = await create('DEMO.SNN', 'DEMO');
    const other = await ctx.t.login('admin');
    const results = await Promise.all([
      admin.patch(`/api/units/${u.id}`, { version: u.version, name: 'Sở Nông nghiệp' }),
      other.patch(`/api/units/${u.id}`, { version: u.version, name: 'Sở Nông nghiệp và Môi trường' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = results.find((r) => r.status === 409)!;
    expect((await loser.json()).code).toBe('conflict.stale');
    const winner: UnitView = await results.find((r) => r.status === 200)!.json();
    const after = await unit(u.id);
    expect(after).toMatchObject({ name: winner.name, version: u.version + 1 });
    expect(after.nameHistory).toHaveLength(1);
  });

  it('validates input: unknown parent 404, bad code 400, non-admin 403', async () => {
    await expectProblem(
      await admin.post('/api/units', { code: 'X.Y', name: 'x', level: 'desk', parentId: 'NO.SUCH' }),
      404,
      'unit.not_found',
    );
    await expectProblem(
      await admin.post('/api/units', { code: 'bad code!', name: 'x', level: 'desk', parentId: 'DEMO' }),
      400,
      'request.invalid',
    );
    await expectProblem(await admin.get('/api/units/NO.SUCH'), 404, 'unit.not_found');
    const clerk = await ctx.t.login('clerk');
    await expectProblem(
      await clerk.post('/api/units', { code: 'DEMO.TTPVHCC.Q9', name: 'Quầy 9', level: 'desk', parentId: 'DEMO.TTPVHCC' }),
      403,
      'auth.forbidden',
    );
  });
});

describe('retirement date', () => {
  it('keeps a unit through its last day in Vietnam time (validTo is inclusive)', async () => {
    // 2026-06-30T16:30Z is 23:30 on 30 June in Vietnam: still its last day.
    ctx.t.clock.set('2026-06-30T16:30:00Z');
    const admin = await ctx.t.login('admin');
    const created = await (
      await admin.post('/api/units', { code: 'DEMO.LASTDAY', name: 'Ban sắp giải thể', level: 'department', parentId: 'DEMO' })
    ).json();
    const a = await admin.get(`/api/units/${created.id}`);
    expect((await admin.patch(`/api/units/${created.id}`, { version: (await a.json()).version, validTo: '2026-06-30' })).status).toBe(200);
    const codes = async () => (await (await admin.get('/api/units')).json()).map((u: { code: string }) => u.code);
    expect(await codes()).toContain('DEMO.LASTDAY');
    // 17:00Z is midnight in Vietnam: 1 July, retired.
    ctx.t.clock.set('2026-06-30T17:00:00Z');
    expect(await codes()).not.toContain('DEMO.LASTDAY');
  });
});
