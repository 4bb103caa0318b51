import { beforeAll, describe, expect, it } from 'vitest';
import { TestClient, useTestPlatform } from '../../tests/support/platform.ts';

const ctx = useTestPlatform();
const PW = 'Truong-Son-Range-7';

let admin: TestClient;
let seq = 0;
beforeAll(async () => {
  admin = await ctx.t.login('admin');
});

/** A unique request id, so each change can be traced to its audit record. */
const rid = (what: string) => ({ 'x-request-id': `${what}-${++seq}` });

async function auditFor(headers: { 'x-request-id': string }) {
  const rows = await ctx.t.platform.services.db
    .em()
    .execute<{ action: string; actor_name: string; target_id: string; summary: unknown }[]>(
      'SELECT action, actor_name, target_id, summary FROM audit_log WHERE request_id = ? ORDER BY id',
      [headers['x-request-id']],
    );
  return rows.map((r) => ({ ...r, summary: typeof r.summary === 'string' ? JSON.parse(r.summary) : r.summary }));
}

async function createUser(username: string, extra: Record<string, unknown> = {}) {
  const res = await admin.post('/api/users', { username, displayName: `Cán bộ ${username}`, unitId: 'DEMO.STP', password: PW, ...extra });
  expect(res.status).toBe(201);
  return (await res.json()).user as { id: string; username: string; version: number };
}

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect((await res.json()).code).toBe(code);
}

const login = (username: string, password: string) => ctx.t.client().post('/api/auth/login', { username, password });

describe('users admin API', () => {
  it('creates a user, returning a generated password once when none is given', async () => {
    const h = rid('create');
    const res = await admin.post(
      '/api/users',
      { username: 'Vo.Thi.D', displayName: 'Võ Thị D', email: 'vtd@example.gov.vn', sex: 'female', unitId: 'DEMO.SXD' },
      h,
    );
    expect(res.status).toBe(201);
    const { user, generatedPassword } = await res.json();
    const sxd = await (await admin.get('/api/units/DEMO.SXD')).json();
    expect(user).toMatchObject({ username: 'vo.thi.d', displayName: 'Võ Thị D', unitId: sxd.id, active: true, locked: false, version: 1 });
    expect(generatedPassword).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await login('vo.thi.d', generatedPassword)).status).toBe(200);
    const audit = await auditFor(h);
    expect(audit).toEqual([expect.objectContaining({ action: 'user.created', actor_name: 'admin', target_id: user.id })]);
    expect(JSON.stringify(audit)).not.toContain(generatedPassword);

    const withPassword = await admin.post('/api/users', {
      username: 'dang-van-e',
      displayName: 'Đặng Văn E',
      unitId: 'DEMO.SXD',
      password: PW,
    });
    expect(await withPassword.json()).not.toHaveProperty('generatedPassword');
    await expectProblem(await admin.post('/api/users', { username: 'dang-van-e', displayName: 'again', password: PW }), 409, 'user.exists');
    await expectProblem(await admin.post('/api/users', { username: 'bad name', displayName: 'x', password: PW }), 400, 'request.invalid');
    await expectProblem(
      await admin.post('/api/users', { username: 'nowhere', displayName: 'x', unitId: 'NO.SUCH', password: PW }),
      404,
      'unit.not_found',
    );
  });

  it('gets a user by id or username, with grants', async () => {
    const byName = await admin.get('/api/users/clerk');
    expect(byName.status).toBe(200);
    const clerk = await byName.json();
    expect(clerk.grants).toEqual([expect.objectContaining({ role: 'receptionist', unitCode: 'DEMO.TTPVHCC.Q1' })]);
    expect(clerk).not.toHaveProperty('passwordHash');
    expect((await (await admin.get(`/api/users/${clerk.id}`)).json()).username).toBe('clerk');
    await expectProblem(await admin.get('/api/users/nobody-here'), 404, 'user.not_found');
    const list = await (await admin.get('/api/users?q=clerk')).json();
    expect(list.map((u: { username: string }) => u.username)).toEqual(['clerk']);
  });

  it('edits under optimistic locking: a stale version gets 409 conflict.stale and changes nothing', async () => {
    const u = await createUser('pham-f');
    const h = rid('patch');
    const res = await admin.patch(`/api/users/${u.id}`, { version: u.version, displayName: 'Phạm F', unitId: 'DEMO.SXD' }, h);
    expect(res.status).toBe(200);
    const edited = await res.json();
    expect(edited).toMatchObject({ displayName: 'Phạm F', version: u.version + 1 });
    expect((await auditFor(h))[0]).toMatchObject({ action: 'user.updated', summary: { displayName: [`Cán bộ pham-f`, 'Phạm F'] } });

    await expectProblem(await admin.patch(`/api/users/${u.id}`, { version: u.version, displayName: 'Overwritten' }), 409, 'conflict.stale');
    expect(await (await admin.get(`/api/users/${u.id}`)).json()).toMatchObject({ displayName: 'Phạm F', version: edited.version });
  });

  it('disables, enables and unlocks, each audited with the request id', async () => {
    const u = await createUser('hoang-g');
    const session = await ctx.t.login(u.username, PW);
    const steps: [string, string, Record<string, unknown>][] = [
      ['disable', 'user.disabled', { active: false }],
      ['enable', 'user.enabled', { active: true }],
      ['unlock', 'user.unlocked', { locked: false, failedLogins: 0 }],
    ];
    for (const [action, audited, expected] of steps) {
      const h = rid(action);
      const res = await admin.post(`/api/users/${u.id}/${action}`, undefined, h);
      expect(res.status, action).toBe(200);
      expect(await res.json()).toMatchObject(expected);
      expect((await auditFor(h)).map((a) => [a.action, a.target_id])).toEqual([[audited, u.id]]);
      if (action === 'disable') {
        expect((await session.get('/api/me')).status).toBe(401);
        const inactive = await (await admin.get('/api/users?active=false')).json();
        expect(inactive.map((x: { username: string }) => x.username)).toEqual([u.username]);
      }
    }
    expect((await login(u.username, PW)).status).toBe(200);
    const me = await (await admin.get('/api/me')).json();
    await expectProblem(await admin.post(`/api/users/${me.user.id}/disable`), 400, 'request.invalid');
    await expectProblem(await admin.post('/api/users/nobody-here/disable'), 404, 'user.not_found');
  });

  it("resets a password (given or generated), ending the user's sessions", async () => {
    const u = await createUser('bui-h');
    const session = await ctx.t.login(u.username, PW);
    const h = rid('reset');
    const res = await admin.post(`/api/users/${u.id}/password`, {}, h);
    expect(res.status).toBe(200);
    const { generatedPassword } = await res.json();
    expect(generatedPassword).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await auditFor(h)).map((a) => a.action)).toEqual(['user.password_reset']);
    expect(JSON.stringify(await auditFor(h))).not.toContain(generatedPassword);
    expect((await session.get('/api/me')).status).toBe(401);
    expect((await login(u.username, PW)).status).toBe(401);
    expect((await login(u.username, generatedPassword)).status).toBe(200);

    const given = await admin.post(`/api/users/${u.id}/password`, { password: 'Cuu-Long-River-42' });
    expect(await given.json()).toEqual({});
    expect((await login(u.username, 'Cuu-Long-River-42')).status).toBe(200);
  });

  it('grants and revokes roles; the grant changes what the user may do', async () => {
    const u = await createUser('ngo-i');
    const session = await ctx.t.login(u.username, PW);
    await expectProblem(await session.get('/api/users'), 403, 'auth.forbidden');

    const hg = rid('grant');
    const granted = await admin.post('/api/role-assignments', { userId: u.username, role: 'hr', unitId: 'DEMO.STP' }, hg);
    expect(granted.status).toBe(201);
    const ra = await granted.json();
    expect(ra).toMatchObject({ userId: u.id, role: 'hr' });
    expect((await auditFor(hg))[0]).toMatchObject({ action: 'role.granted', target_id: u.id, summary: { role: 'hr', unit: 'DEMO.STP' } });
    const detail = await (await admin.get(`/api/users/${u.id}`)).json();
    expect(detail.grants).toEqual([{ id: ra.id, role: 'hr', unitId: ra.unitId, unitCode: 'DEMO.STP', unitName: 'Sở Tư pháp' }]);
    expect((await session.get('/api/users')).status).toBe(200);
    expect((await (await session.get('/api/me')).json()).permissions).toContain('user.read');

    const hr = rid('revoke');
    expect((await admin.delete(`/api/role-assignments/${ra.id}`, hr)).status).toBe(204);
    expect((await auditFor(hr))[0]).toMatchObject({ action: 'role.revoked', target_id: u.id, summary: { role: 'hr' } });
    expect((await (await admin.get(`/api/users/${u.id}`)).json()).grants).toEqual([]);
    await expectProblem(await session.get('/api/users'), 403, 'auth.forbidden');
    await expectProblem(await admin.delete(`/api/role-assignments/${ra.id}`), 404, 'role.assignment_not_found');
  });

  it('refuses an unknown role with 422 role.unknown and grants nothing', async () => {
    const u = await createUser('ly-k');
    const h = rid('unknown-role');
    await expectProblem(
      await admin.post('/api/role-assignments', { userId: u.id, role: 'superuser', unitId: 'DEMO' }, h),
      422,
      'role.unknown',
    );
    await expectProblem(await admin.post('/api/role-assignments', { userId: u.id, role: 'toString', unitId: 'DEMO' }), 422, 'role.unknown');
    expect((await (await admin.get(`/api/users/${u.id}`)).json()).grants).toEqual([]);
    expect(await auditFor(h)).toEqual([]);
  });

  it('granting the same role twice keeps one assignment', async () => {
    const u = await createUser('mai-l');
    const first = await (await admin.post('/api/role-assignments', { userId: u.id, role: 'viewer', unitId: 'DEMO.SXD' })).json();
    const second = await admin.post('/api/role-assignments', { userId: u.id, role: 'viewer', unitId: 'DEMO.SXD' });
    expect((await second.json()).id).toBe(first.id);
    expect((await (await admin.get(`/api/users/${u.id}`)).json()).grants).toHaveLength(1);
  });

  it('is for administrators only', async () => {
    const leader = await ctx.t.login('leader');
    const u = await createUser('trinh-m');
    await expectProblem(await leader.post('/api/users', { username: 'by-leader', displayName: 'x', password: PW }), 403, 'auth.forbidden');
    await expectProblem(await leader.patch(`/api/users/${u.id}`, { version: u.version, displayName: 'x' }), 403, 'auth.forbidden');
    await expectProblem(await leader.post(`/api/users/${u.id}/disable`), 403, 'auth.forbidden');
    await expectProblem(
      await leader.post('/api/role-assignments', { userId: u.id, role: 'leader', unitId: 'DEMO.STP' }),
      403,
      'auth.forbidden',
    );
  });
});
