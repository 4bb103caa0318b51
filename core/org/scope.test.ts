import { beforeAll, describe, expect, it } from 'vitest';
import { TestClient, useTestPlatform } from '../../tests/support/platform.ts';
import { roleNames, type Role } from './roles.ts';

/**
 * Role AND unit scope: every role, held only in the commune An Bình, reaches An Bình and
 * nothing else — not the neighbouring commune Hòa Lạc, not the province.
 */
const ctx = useTestPlatform();
const PW = 'Ben-Thanh-Market-5';
const HOME = 'DEMO.XA.AN-BINH';
const OTHER = 'DEMO.XA.HOA-LAC';

const holders: Partial<Record<Role, TestClient>> = {};
const units: Record<string, { id: string; path: string; version: number }> = {};
let admin: TestClient;

beforeAll(async () => {
  admin = await ctx.t.login('admin');
  for (const code of ['DEMO', HOME, OTHER]) units[code] = await (await admin.get(`/api/units/${code}`)).json();
  for (const [username, role, unit] of [...roleNames.map((r) => [`xa-${r}`, r, HOME]), ['hoa-lac-staff', 'specialist', OTHER]]) {
    const res = await admin.post('/api/users', { username, displayName: username, unitId: unit, password: PW });
    expect(res.status).toBe(201);
    const { user } = await res.json();
    expect((await admin.post('/api/role-assignments', { userId: user.id, role, unitId: unit })).status).toBe(201);
  }
  for (const role of roleNames) holders[role] = await ctx.t.login(`xa-${role}`, PW);
}, 60_000);

const as = (role: Role) => holders[role]!;

/** Ids of An Bình and every unit below it, as they are now. */
async function homeSubtree(): Promise<Set<string>> {
  const rows = await ctx.t.platform.services.db
    .em()
    .execute<{ id: string }[]>('SELECT id FROM units WHERE path LIKE ?', [`${units[HOME].path}%`]);
  return new Set(rows.map((r) => r.id));
}

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect((await res.json()).code).toBe(code);
}

const holds = (role: Role, permission: string) => ctx.t.platform.services.permissions.roleGrants(role, permission);
/**
 * Without the permission anywhere: 403 auth.forbidden, before anything is looked up. With it,
 * but outside its units: what the caller may not see answers as missing (ADR 0004), and only
 * what names no resource (a new root unit) is 403 auth.forbidden_scope.
 */
const denial = (role: Role, permission: string, outside: [number, string]): [number, string] =>
  holds(role, permission) ? outside : [403, 'auth.forbidden'];

describe('each role, held only in commune An Bình', () => {
  it.each(roleNames)('%s reads its own unit, not the other commune nor the province; lists only its subtree', async (role) => {
    expect((await as(role).get(`/api/units/${units[HOME].id}`)).status).toBe(200);
    await expectProblem(await as(role).get(`/api/units/${units[OTHER].id}`), 404, 'unit.not_found');
    await expectProblem(await as(role).get('/api/units/DEMO'), 404, 'unit.not_found');
    const list = await (await as(role).get('/api/units?includeRetired=true')).json();
    const subtree = await homeSubtree();
    expect(list.map((u: { id: string }) => u.id)).toContain(units[HOME].id);
    expect(list.filter((u: { id: string }) => !subtree.has(u.id))).toEqual([]);
  });

  it.each(roleNames)('%s sees user accounts only in its commune, or none without user.read', async (role) => {
    const res = await as(role).get('/api/users');
    if (!holds(role, 'user.read')) {
      await expectProblem(res, 403, 'auth.forbidden');
      await expectProblem(await as(role).get('/api/users/xa-viewer'), 403, 'auth.forbidden');
      return;
    }
    expect(res.status).toBe(200);
    const users: { username: string; unitId: string | null }[] = await res.json();
    const subtree = await homeSubtree();
    expect(users.filter((u) => !u.unitId || !subtree.has(u.unitId))).toEqual([]);
    expect(users.map((u) => u.username)).toEqual(expect.arrayContaining(roleNames.map((r) => `xa-${r}`)));
    expect((await as(role).get('/api/users/xa-viewer')).status).toBe(200);
    for (const outsider of ['hoa-lac-staff', 'clerk', 'admin']) {
      await expectProblem(await as(role).get(`/api/users/${outsider}`), 404, 'user.not_found');
    }
  });

  it.each(roleNames)('%s reads the audit trail only of its commune, or not at all without audit.read', async (role) => {
    const res = await as(role).get('/api/audit?limit=500');
    if (!holds(role, 'audit.read')) {
      await expectProblem(res, 403, 'auth.forbidden');
      return;
    }
    expect(res.status).toBe(200);
    const { records }: { records: { unitId: string | null; action: string }[] } = await res.json();
    const subtree = await homeSubtree();
    expect(records.length).toBeGreaterThan(0);
    expect(records.filter((r) => !r.unitId || !subtree.has(r.unitId))).toEqual([]);
    expect(records.map((r) => r.action)).toContain('role.granted');
    expect((await as(role).get(`/api/audit?unitId=${units[HOME].id}`)).status).toBe(200);
    await expectProblem(await as(role).get(`/api/audit?unitId=${units[OTHER].id}`), 403, 'auth.forbidden_scope');
    await expectProblem(await as(role).get(`/api/audit?unitId=${units.DEMO.id}`), 403, 'auth.forbidden_scope');
    await expectProblem(await as(role).get('/api/audit/verify'), 403, 'auth.forbidden_scope');
  });

  it.each(roleNames)('%s changes nothing in the other commune or at province level', async (role) => {
    const other = units[OTHER];
    const unseenUnit: [number, string] = [404, 'unit.not_found'];
    const checks: [string, Promise<Response>, [number, string]][] = [
      ['user.manage', as(role).post('/api/users', { username: `by-${role}`, displayName: 'x', unitId: OTHER, password: PW }), unseenUnit],
      [
        'user.manage',
        as(role).post('/api/users', { username: `by-${role}-2`, displayName: 'x', unitId: 'DEMO', password: PW }),
        unseenUnit,
      ],
      ['user.manage', as(role).post('/api/users/hoa-lac-staff/disable'), [404, 'user.not_found']],
      ['role.assign', as(role).post('/api/role-assignments', { userId: `xa-${role}`, role: 'admin', unitId: OTHER }), unseenUnit],
      ['role.assign', as(role).post('/api/role-assignments', { userId: `xa-${role}`, role: 'admin', unitId: 'DEMO' }), unseenUnit],
      ['unit.manage', as(role).patch(`/api/units/${other.id}`, { version: other.version, name: 'Taken over' }), unseenUnit],
      ['unit.manage', as(role).post('/api/units', { code: `${OTHER}.${role}`, name: 'x', level: 'desk', parentId: OTHER }), unseenUnit],
      [
        'unit.manage',
        as(role).post('/api/units', { code: `NEW.${role}`, name: 'x', level: 'province', parentId: null }),
        [403, 'auth.forbidden_scope'],
      ],
    ];
    for (const [permission, pending, outside] of checks) await expectProblem(await pending, ...denial(role, permission, outside));
    expect(await (await admin.get(`/api/units/${other.id}`)).json()).toMatchObject({ name: 'Phường Hòa Lạc', version: other.version });
    expect((await admin.get(`/api/users/by-${role}`)).status).toBe(404);
    expect((await (await admin.get('/api/users/hoa-lac-staff')).json()).active).toBe(true);
    expect((await (await admin.get(`/api/users/xa-${role}`)).json()).grants.map((g: { role: string }) => g.role)).toEqual([role]);
  });
});

describe('a commune administrator', () => {
  // Also the regression test for scope checks made inside a handler's transaction: on SQLite
  // the lookup of the unit's path used a second connection and waited for the transaction forever.
  it('manages accounts, roles and units inside the commune', async () => {
    const a = as('admin');
    const created = await a.post('/api/users', { username: 'an-binh-new', displayName: 'Cán bộ mới', unitId: HOME, password: PW });
    expect(created.status).toBe(201);
    const { user } = await created.json();
    expect((await a.post('/api/role-assignments', { userId: user.id, role: 'receptionist', unitId: HOME })).status).toBe(201);
    const desk = await a.post('/api/units', { code: `${HOME}.MC`, name: 'Bộ phận một cửa', level: 'desk', parentId: HOME });
    expect(desk.status).toBe(201);
    const home = await (await a.get(`/api/units/${units[HOME].id}`)).json();
    expect((await a.patch(`/api/units/${home.id}`, { version: home.version, name: 'Xã An Bình (mới)' })).status).toBe(200);
    expect((await a.post(`/api/users/${user.id}/disable`)).status).toBe(200);
  });

  it('cannot reach out: create accounts without a unit, move its units or accounts away, merge into another commune, touch province grants', async () => {
    const a = as('admin');
    await expectProblem(
      await a.post('/api/users', { username: 'no-unit', displayName: 'x', unitId: null, password: PW }),
      403,
      'auth.forbidden_scope',
    );
    const home = await (await a.get(`/api/units/${units[HOME].id}`)).json();
    await expectProblem(
      await a.patch(`/api/units/${home.id}`, { version: home.version, parentId: units[OTHER].id }),
      404,
      'unit.not_found',
    );
    await expectProblem(await a.patch(`/api/units/${home.id}`, { version: home.version, parentId: null }), 403, 'auth.forbidden_scope');
    await expectProblem(
      await a.patch(`/api/units/${home.id}`, { version: home.version, successorId: units[OTHER].id, validTo: '2026-01-01' }),
      404,
      'unit.not_found',
    );
    expect(await (await admin.get(`/api/units/${home.id}`)).json()).toMatchObject({
      version: home.version,
      successorId: null,
      validTo: null,
    });

    const viewer = await (await a.get('/api/users/xa-viewer')).json();
    await expectProblem(await a.patch(`/api/users/${viewer.id}`, { version: viewer.version, unitId: OTHER }), 404, 'unit.not_found');
    await expectProblem(await a.patch('/api/users/hoa-lac-staff', { version: 1, unitId: HOME }), 404, 'user.not_found');
    for (const action of ['disable', 'unlock', 'password']) {
      await expectProblem(await a.post(`/api/users/clerk/${action}`, {}), 404, 'user.not_found');
    }
    const provinceGrant = (await (await admin.get('/api/users/admin')).json()).grants[0];
    await expectProblem(await a.delete(`/api/role-assignments/${provinceGrant.id}`), 404, 'role.assignment_not_found');
    expect((await (await admin.get('/api/users/admin')).json()).grants).toEqual([provinceGrant]);
  });
});

describe('without the permission at all', () => {
  it('a receptionist may not list users and a viewer may not read the audit trail: 403 auth.forbidden', async () => {
    await expectProblem(await as('receptionist').get('/api/users'), 403, 'auth.forbidden');
    await expectProblem(await as('viewer').get('/api/audit'), 403, 'auth.forbidden');
    await expectProblem(await (await ctx.t.login('clerk')).get('/api/users'), 403, 'auth.forbidden');
  });

  it('hr and leader read accounts in their commune but cannot change them', async () => {
    for (const role of ['hr', 'leader'] as const) {
      const viewer = await (await as(role).get('/api/users/xa-viewer')).json();
      expect(viewer.grants).toEqual([expect.objectContaining({ role: 'viewer', unitCode: HOME })]);
      await expectProblem(
        await as(role).patch(`/api/users/${viewer.id}`, { version: viewer.version, displayName: 'x' }),
        403,
        'auth.forbidden',
      );
      await expectProblem(
        await as(role).post('/api/role-assignments', { userId: viewer.id, role: 'hr', unitId: HOME }),
        403,
        'auth.forbidden',
      );
    }
  });
});
