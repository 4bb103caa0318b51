import { describe, expect, it } from 'vitest';
import { useTestPlatform, type TestClient } from '../../tests/support/platform.ts';
import type { AuditRow } from './rows.ts';

// One chain: these tests follow records by their sequence number (chains.test.ts: several chains).
const ctx = useTestPlatform({ config: { auditChains: 1 } });

interface ApiRecord {
  id: number;
  seq: number;
  at: string;
  actorId: string | null;
  actorName: string;
  action: string;
  targetId: string | null;
  summary: Record<string, unknown>;
  requestId: string | null;
}

const sql = async <T>(query: string, params: unknown[] = []): Promise<T> =>
  (await ctx.t.platform.services.db.em().execute(query, params)) as unknown as T;

async function headSeq(): Promise<number> {
  const [row] = await sql<{ seq: number | null }[]>('SELECT MAX(seq) AS seq FROM audit_log');
  return Number(row?.seq ?? 0);
}

async function recordsAfter(seq: number): Promise<(AuditRow & { summary: Record<string, unknown> })[]> {
  const rows = await sql<AuditRow[]>('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq', [seq]);
  return rows.map((r) => ({
    ...r,
    summary: typeof r.summary === 'string' ? (JSON.parse(r.summary) as Record<string, unknown>) : r.summary,
  }));
}

let tick = 0;
/**
 * Runs one request at a fresh clock time and returns the records it appended, after checking
 * what every record must carry: UTC time, actor, target, request id of the response.
 */
async function audited(actor: string, send: () => Promise<Response>, expectedStatus: number) {
  const at = new Date(Date.UTC(2026, 2, 3, 1, 0, 0) + ++tick * 60_000);
  ctx.t.clock.set(at);
  const before = await headSeq();
  const res = await send();
  expect(res.status, await res.clone().text()).toBe(expectedStatus);
  const requestId = res.headers.get('x-request-id');
  expect(requestId).toBeTruthy();
  const rows = await recordsAfter(before);
  for (const r of rows) {
    expect(r.at).toBe(at.toISOString());
    expect(r.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(r.actor_name).toBe(actor);
    expect(r.request_id).toBe(requestId);
    expect(r.target_type).toBeTruthy();
  }
  return { res, rows, actions: rows.map((r) => r.action) };
}

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function auditPage(client: TestClient, query: string) {
  const res = await client.get(`/api/audit?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return json<{ records: ApiRecord[]; nextBefore: number | null }>(res);
}

describe('audit trail: every state-changing action leaves a record', () => {
  it('records logins, unit, user, role, token and password changes with actor, target, summary and request id', async () => {
    const admin = ctx.t.client();
    const login = await audited('admin', () => admin.post('/api/auth/login', { username: 'admin', password: 'demo' }), 200);
    expect(login.actions).toEqual(['auth.login']);
    const adminId = login.rows[0].target_id;
    expect(login.rows[0].actor_id).toBe(adminId);

    const [root] = await sql<{ id: string }[]>("SELECT id FROM units WHERE code = 'DEMO'");
    const unit = await audited(
      'admin',
      () => admin.post('/api/units', { code: 'DEMO.SYT', name: 'Sở Y tế', level: 'department', parentId: root.id }),
      201,
    );
    expect(unit.actions).toEqual(['unit.created']);
    const unitId = (await json<{ id: string }>(unit.res)).id;
    expect(unit.rows[0]).toMatchObject({ actor_id: adminId, target_type: 'unit', target_id: unitId, unit_id: unitId });
    expect(unit.rows[0].summary).toEqual({ code: 'DEMO.SYT', name: 'Sở Y tế', level: 'department', parent: 'DEMO' });

    const rename = await audited('admin', () => admin.patch(`/api/units/${unitId}`, { version: 1, name: 'Sở Y tế tỉnh' }), 200);
    expect(rename.actions).toEqual(['unit.updated']);
    expect(rename.rows[0].summary).toEqual({ name: ['Sở Y tế', 'Sở Y tế tỉnh'] });

    const user = await audited(
      'admin',
      () => admin.post('/api/users', { username: 'bacsi', displayName: 'Bác sĩ Hòa', unitId, password: 'rung-tram-xanh-42' }),
      201,
    );
    expect(user.actions).toEqual(['user.created']);
    const userId = (await json<{ user: { id: string } }>(user.res)).user.id;
    expect(user.rows[0]).toMatchObject({ target_type: 'user', target_id: userId, unit_id: unitId });
    expect(JSON.stringify(user.rows[0].summary)).not.toContain('rung-tram-xanh-42');

    const edit = await audited('admin', () => admin.patch(`/api/users/${userId}`, { version: 1, email: 'hoa@example.vn' }), 200);
    expect(edit.rows[0].summary).toEqual({ email: [null, 'hoa@example.vn'] });
    expect(edit.actions).toEqual(['user.updated']);

    const grant = await audited('admin', () => admin.post('/api/role-assignments', { userId, role: 'specialist', unitId }), 201);
    expect(grant.actions).toEqual(['role.granted']);
    expect(grant.rows[0].summary).toEqual({ username: 'bacsi', role: 'specialist', unit: 'DEMO.SYT' });
    const grantId = (await json<{ id: string }>(grant.res)).id;
    expect((await audited('admin', () => admin.delete(`/api/role-assignments/${grantId}`), 204)).actions).toEqual(['role.revoked']);

    expect((await audited('admin', () => admin.post(`/api/users/${userId}/disable`), 200)).actions).toEqual(['user.disabled']);
    expect((await audited('admin', () => admin.post(`/api/users/${userId}/enable`), 200)).actions).toEqual(['user.enabled']);
    expect((await audited('admin', () => admin.post(`/api/users/${userId}/unlock`), 200)).actions).toEqual(['user.unlocked']);
    const reset = await audited('admin', () => admin.post(`/api/users/${userId}/password`, {}), 200);
    expect(reset.actions).toEqual(['user.password_reset']);
    const generated = (await json<{ generatedPassword: string }>(reset.res)).generatedPassword;
    expect(JSON.stringify(reset.rows[0].summary)).not.toContain(generated);

    const token = await audited('admin', () => admin.post('/api/me/tokens', { name: 'báo cáo' }), 201);
    expect(token.actions).toEqual(['token.created']);
    const tokenBody = await json<{ id: string; token: string }>(token.res);
    expect(JSON.stringify(token.rows[0].summary)).not.toContain(tokenBody.token);
    expect((await audited('admin', () => admin.delete(`/api/me/tokens/${tokenBody.id}`), 204)).actions).toEqual(['token.revoked']);
    expect((await audited('admin', () => admin.post('/api/auth/logout'), 204)).actions).toEqual(['auth.logout']);

    const doctor = ctx.t.client();
    const failed = await audited('bacsi', () => doctor.post('/api/auth/login', { username: 'bacsi', password: 'wrong-password' }), 401);
    expect(failed.actions).toEqual(['auth.login_failed']);
    expect(failed.rows[0].summary).toMatchObject({ reason: 'wrong password', failedLogins: 1 });
    const stranger = await audited(
      'nobody',
      () => ctx.t.client().post('/api/auth/login', { username: 'nobody', password: 'whatever-1' }),
      401,
    );
    expect(stranger.rows[0]).toMatchObject({ action: 'auth.login_failed', actor_id: null, target_id: null });

    await audited('bacsi', () => doctor.post('/api/auth/login', { username: 'bacsi', password: generated }), 200);
    const changed = await audited(
      'bacsi',
      () => doctor.post('/api/me/password', { currentPassword: generated, newPassword: 'song-cau-mua-thu-7' }),
      204,
    );
    expect(changed.actions).toEqual(['user.password_changed']);
  });

  it('records nothing when a change is refused', async () => {
    const admin = await ctx.t.login('admin');
    const duplicate = await audited('admin', () => admin.post('/api/units', { code: 'DEMO', name: 'again', level: 'province' }), 409);
    expect(duplicate.rows).toEqual([]);
    const clerk = await ctx.t.login('clerk');
    const forbidden = await audited('clerk', () => clerk.post('/api/units', { code: 'X1', name: 'x', level: 'desk' }), 403);
    expect(forbidden.rows).toEqual([]);
  });

  it('hashes a summary as it is stored: dates, NaN and undefined do not break verification', async () => {
    const svc = ctx.t.platform.services;
    await svc.db.em().transactional((em) =>
      svc.audit.append(em, {
        actor: { id: null, name: 'system' },
        action: 'test.appended',
        targetType: 'test',
        summary: {
          when: new Date('2026-01-01T00:00:00Z'),
          ratio: Number.NaN,
          gone: undefined,
          list: [undefined, 1],
          nested: { b: 2, a: 'ă' },
        },
      }),
    );
    const [row] = await recordsAfter((await headSeq()) - 1);
    expect(row.summary).toEqual({ when: '2026-01-01T00:00:00.000Z', ratio: null, list: [null, 1], nested: { a: 'ă', b: 2 } });
  });

  it('keeps one linear chain when transactions append at the same time', async () => {
    const svc = ctx.t.platform.services;
    const before = await headSeq();
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        svc.db.em().transactional((em) =>
          svc.audit.append(em, {
            actor: { id: null, name: 'system' },
            action: 'test.concurrent',
            targetType: 'test',
            targetId: String(i),
          }),
        ),
      ),
    );
    const rows = await recordsAfter(before);
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 12 }, (_, i) => before + i + 1));
    expect(new Set(rows.map((r) => r.target_id)).size).toBe(12);
  });

  it('keeps the chain intact after all of that', async () => {
    const auditor = await ctx.t.login('auditor');
    const res = await auditor.get('/api/audit/verify');
    expect(res.status).toBe(200);
    const body = await json<{ ok: boolean; records: number; headSeq: number; headHash: string; problems: unknown[] }>(res);
    const [count] = await sql<{ n: number }[]>('SELECT COUNT(*) AS n FROM audit_log');
    const [last] = await sql<{ seq: number; hash: string }[]>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    expect(body).toEqual({
      ok: true,
      records: Number(count.n),
      headSeq: Number(last.seq),
      headHash: last.hash,
      heads: [{ chain: 0, seq: Number(last.seq), hash: last.hash }],
      problems: [],
    });
  });
});

describe('GET /api/audit', () => {
  it('filters by exact action and by prefix', async () => {
    const auditor = await ctx.t.login('auditor');
    const created = await auditPage(auditor, 'action=unit.created&limit=500');
    expect(created.records.length).toBeGreaterThanOrEqual(7);
    expect(new Set(created.records.map((r) => r.action))).toEqual(new Set(['unit.created']));
    const auth = await auditPage(auditor, `action=${encodeURIComponent('auth.*')}&limit=500`);
    expect(auth.records.length).toBeGreaterThan(0);
    expect(auth.records.every((r) => r.action.startsWith('auth.'))).toBe(true);
    expect(auth.records.map((r) => r.action)).toContain('auth.login');
    const none = await auditPage(auditor, 'action=auth');
    expect(none.records).toEqual([]);
  });

  it('filters by actor name or id, and by target', async () => {
    const auditor = await ctx.t.login('auditor');
    const byName = await auditPage(auditor, 'actor=auditor&limit=500');
    expect(byName.records.length).toBeGreaterThan(0);
    expect(byName.records.every((r) => r.actorName === 'auditor')).toBe(true);
    const byId = await auditPage(auditor, `actor=${byName.records[0].actorId}&limit=500`);
    expect(byId.records.map((r) => r.id)).toEqual(byName.records.map((r) => r.id));

    const [unit] = await sql<{ id: string }[]>("SELECT id FROM units WHERE code = 'DEMO.SYT'");
    const target = await auditPage(auditor, `targetId=${unit.id}`);
    expect(target.records.map((r) => r.action)).toEqual(['unit.updated', 'unit.created']);
  });

  it('filters by time window with from (inclusive) and to (exclusive), in any offset', async () => {
    const [root] = await sql<{ id: string }[]>("SELECT id FROM units WHERE code = 'DEMO'");
    for (const [day, code] of [
      ['2026-05-01', 'W1'],
      ['2026-05-02', 'W2'],
      ['2026-05-03', 'W3'],
    ] as const) {
      ctx.t.clock.set(`${day}T03:00:00.000Z`);
      const admin = await ctx.t.login('admin'); // a session idles out in 30 minutes
      expect((await admin.post('/api/units', { code: `DEMO.${code}`, name: code, level: 'commune', parentId: root.id })).status).toBe(201);
    }
    const auditor = await ctx.t.login('auditor');
    const window = await auditPage(auditor, 'action=unit.created&from=2026-05-02T00:00:00Z&to=2026-05-03T03:00:00Z');
    expect(window.records.map((r) => r.summary.code)).toEqual(['DEMO.W2']);
    expect(window.records[0].at).toBe('2026-05-02T03:00:00.000Z');
    // 10:00 at UTC+7 is 03:00 UTC: "from" includes the record made at that instant.
    const offset = await auditPage(auditor, `action=unit.created&from=${encodeURIComponent('2026-05-03T10:00:00+07:00')}`);
    expect(offset.records.map((r) => r.summary.code)).toEqual(['DEMO.W3']);
  });

  it('pages newest first with the before cursor', async () => {
    const auditor = await ctx.t.login('auditor');
    const all = await auditPage(auditor, 'action=unit.created&limit=500');
    expect(all.nextBefore).toBeNull();
    const seen: number[] = [];
    let cursor: number | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const page = await auditPage(auditor, `action=unit.created&limit=3${cursor ? `&before=${cursor}` : ''}`);
      seen.push(...page.records.map((r) => r.id));
      if (page.nextBefore === null) break;
      expect(page.records).toHaveLength(3);
      expect(page.nextBefore).toBe(page.records[2].id);
      cursor = page.nextBefore;
    }
    expect(seen).toEqual(all.records.map((r) => r.id));
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
  });

  it('is refused to users without audit.read, and to anonymous callers', async () => {
    const clerk = await ctx.t.login('clerk');
    for (const path of ['/api/audit', '/api/audit/verify']) {
      const res = await clerk.get(path);
      expect(res.status).toBe(403);
      expect((await json<{ code: string }>(res)).code).toBe('auth.forbidden');
      expect((await ctx.t.client().get(path)).status).toBe(401);
    }
  });

  it('shows a departmental auditor only its own units, and no chain verification', async () => {
    const admin = await ctx.t.login('admin');
    const created = await admin.post('/api/users', {
      username: 'thanhtra.stp',
      displayName: 'Thanh tra Sở Tư pháp',
      unitId: 'DEMO.STP',
      password: 'ca-phe-trung-ha-noi',
    });
    expect(created.status).toBe(201);
    const { user } = await json<{ user: { id: string } }>(created);
    expect((await admin.post('/api/role-assignments', { userId: user.id, role: 'auditor', unitId: 'DEMO.STP' })).status).toBe(201);
    const [stp] = await sql<{ id: string; path: string }[]>("SELECT id, path FROM units WHERE code = 'DEMO.STP'");

    const local = await ctx.t.login('thanhtra.stp', 'ca-phe-trung-ha-noi');
    const page = await auditPage(local, 'limit=500');
    expect(page.records.length).toBeGreaterThan(0);
    const units = await sql<{ id: string; path: string }[]>('SELECT id, path FROM units');
    const pathOf = new Map(units.map((u) => [u.id, u.path]));
    for (const r of page.records) {
      const unitId = (r as ApiRecord & { unitId: string | null }).unitId;
      expect(unitId && pathOf.get(unitId)?.startsWith(stp.path), `${r.action} in ${unitId}`).toBeTruthy();
    }
    const verify = await local.get('/api/audit/verify');
    expect(verify.status).toBe(403);
    expect((await json<{ code: string }>(verify)).code).toBe('auth.forbidden_scope');
  });
});
