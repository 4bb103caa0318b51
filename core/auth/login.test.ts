import { describe, expect, it } from 'vitest';
import { startTestPlatform, useTestPlatform } from '../../tests/support/platform.ts';
import { sha256 } from './tokens.ts';

const ctx = useTestPlatform();
const PW = 'Song-Hong-2026!';

async function db<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return ctx.t.platform.services.db.em().execute<T[]>(sql, params);
}

async function userRow(id: string) {
  const [row] = await db<{ failed_logins: number; last_failed_at: unknown; locked_at: unknown; active: unknown }>(
    'SELECT * FROM users WHERE id = ?',
    [id],
  );
  return {
    failedLogins: Number(row.failed_logins),
    lastFailedAt: row.last_failed_at,
    lockedAt: row.locked_at,
    active: Boolean(row.active),
  };
}

/** A fresh account in Sở Tư pháp with a known password, made through the admin API. */
async function freshUser(username: string): Promise<{ id: string; username: string }> {
  const admin = await ctx.t.login('admin');
  const res = await admin.post('/api/users', { username, displayName: username, unitId: 'DEMO.STP', password: PW });
  expect(res.status).toBe(201);
  return (await res.json()).user;
}

const attempt = (username: string, password: string, headers?: Record<string, string>) =>
  ctx.t.client().post('/api/auth/login', { username, password }, headers);

describe('login', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie without Secure on http://localhost, storing only its hash', async () => {
    const res = await attempt('clerk', 'demo');
    expect(res.status).toBe(200);
    expect((await res.json()).user).toMatchObject({ username: 'clerk', active: true, locked: false });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^motcua_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).not.toMatch(/;\s*Secure/i);
    const token = cookie.split(';')[0].split('=')[1];
    const rows = await db<{ id: string }>('SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = ?', ['clerk']);
    expect(rows.map((r) => r.id)).toContain(sha256(token));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('marks the cookie Secure when the public origin (MOTCUA_PUBLIC_URL) is not plain http on this machine, whatever the Host', async () => {
    const site = 'https://motcua.example.gov.vn';
    const t = await startTestPlatform({ config: { publicUrl: site } });
    try {
      const res = await t.platform.app.request('http://localhost/api/auth/login', {
        method: 'POST',
        headers: { origin: site, 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'clerk', password: 'demo' }),
      });
      expect(res.status).toBe(200);
      const cookie = res.headers.get('set-cookie')!;
      expect(cookie).toMatch(/;\s*Secure/i);
      expect(cookie).toMatch(/;\s*HttpOnly/i);
    } finally {
      await t.close();
    }
  });

  it('answers a wrong password and an unknown user alike: 401 auth.invalid_credentials', async () => {
    const wrong = await attempt('clerk', 'not-the-password');
    const unknown = await attempt('no-such-person', 'whatever-it-is');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [await wrong.json(), await unknown.json()];
    expect(a.code).toBe('auth.invalid_credentials');
    expect(b.code).toBe('auth.invalid_credentials');
    expect({ ...a, requestId: undefined }).toEqual({ ...b, requestId: undefined });
    expect(wrong.headers.get('set-cookie')).toBeNull();
    // reset clerk's counter for the other tests of this file
    expect((await attempt('clerk', 'demo')).status).toBe(200);
  });

  it('ignores case and surrounding spaces in the username', async () => {
    const res = await attempt('  CLERK ', 'demo');
    expect(res.status).toBe(200);
    expect((await res.json()).user.username).toBe('clerk');
  });

  it('makes the caller wait after 3 failures (429 + Retry-After), then checks again once the wait is over', async () => {
    const u = await freshUser('throttle-me');
    for (let i = 0; i < 3; i++) expect((await attempt(u.username, 'wrong-password')).status).toBe(401);
    const throttled = await attempt(u.username, PW);
    expect(throttled.status).toBe(429);
    expect((await throttled.json()).code).toBe('auth.throttled');
    expect(throttled.headers.get('retry-after')).toBe('2');
    expect((await userRow(u.id)).failedLogins).toBe(3); // a throttled attempt is not even checked

    ctx.t.clock.advance(1000);
    const still = await attempt(u.username, PW);
    expect(still.status).toBe(429);
    expect(still.headers.get('retry-after')).toBe('1');

    ctx.t.clock.advance(1000);
    expect((await attempt(u.username, 'wrong-again')).status).toBe(401); // checked again
    expect((await userRow(u.id)).failedLogins).toBe(4);
    const longer = await attempt(u.username, PW);
    expect(longer.status).toBe(429);
    expect(longer.headers.get('retry-after')).toBe('4'); // the wait doubles

    ctx.t.clock.advance(4000);
    expect((await attempt(u.username, PW)).status).toBe(200);
    expect(await userRow(u.id)).toMatchObject({ failedLogins: 0, lastFailedAt: null });
    // the counter was reset: three new failures in a row are not throttled
    for (let i = 0; i < 3; i++) expect((await attempt(u.username, 'wrong-password')).status).toBe(401);
  });

  it('locks the account after 10 consecutive failures, even for the right password, until an admin unlocks it', async () => {
    const u = await freshUser('lock-me');
    for (let i = 1; i <= 10; i++) {
      ctx.t.clock.advance(5 * 60_000);
      const res = await attempt(u.username, `wrong-${i}`);
      expect(res.status, `attempt ${i}`).toBe(i < 10 ? 401 : 423);
      expect((await res.json()).code).toBe(i < 10 ? 'auth.invalid_credentials' : 'auth.locked');
    }
    ctx.t.clock.advance(60 * 60_000);
    const locked = await attempt(u.username, PW);
    expect(locked.status).toBe(423);
    expect((await locked.json()).code).toBe('auth.locked');
    expect((await userRow(u.id)).lockedAt).not.toBeNull();

    const admin = await ctx.t.login('admin');
    const seen = await (await admin.get(`/api/users/${u.id}`)).json();
    expect(seen).toMatchObject({ locked: true, failedLogins: 10 });
    const unlock = await admin.post(`/api/users/${u.id}/unlock`);
    expect(unlock.status).toBe(200);
    expect(await unlock.json()).toMatchObject({ locked: false, failedLogins: 0 });
    expect(await userRow(u.id)).toMatchObject({ failedLogins: 0, lockedAt: null });
    expect((await attempt(u.username, PW)).status).toBe(200);

    const audit = await db<{ action: string }>(
      "SELECT action FROM audit_log WHERE target_id = ? AND action IN ('auth.locked', 'user.unlocked') ORDER BY id",
      [u.id],
    );
    expect(audit.map((r) => r.action)).toEqual(['auth.locked', 'user.unlocked']);
  });

  it('counts simultaneous failures exactly, without bumping the account version an admin edits', async () => {
    const u = await freshUser('race-fail');
    const admin = await ctx.t.login('admin');
    const before = await (await admin.get(`/api/users/${u.id}`)).json();
    const results = await Promise.all([1, 2].map((i) => attempt(u.username, `wrong-${i}`)));
    expect(results.map((r) => r.status)).toEqual([401, 401]);
    expect((await userRow(u.id)).failedLogins).toBe(2);
    ctx.t.clock.advance(60_000);
    expect((await attempt(u.username, PW)).status).toBe(200);
    expect((await userRow(u.id)).failedLogins).toBe(0);
    // The admin's edit, made from what they read before all this, still applies.
    const edit = await admin.patch(`/api/users/${u.id}`, { version: before.version, displayName: 'Renamed while logging in' });
    expect(edit.status).toBe(200);
  });

  it('refuses a disabled user (403 auth.disabled), ends their sessions and stops their API tokens', async () => {
    const u = await freshUser('leaving-soon');
    const userClient = await ctx.t.login(u.username, PW);
    const created = await userClient.post('/api/me/tokens', { name: 'script' });
    expect(created.status).toBe(201);
    const { token } = await created.json();
    const bearer = { authorization: `Bearer ${token}` };
    expect((await ctx.t.client().get('/api/me', bearer)).status).toBe(200);

    const admin = await ctx.t.login('admin');
    const disabled = await admin.post(`/api/users/${u.id}/disable`);
    expect(disabled.status).toBe(200);
    expect((await disabled.json()).active).toBe(false);
    expect(await db('SELECT id FROM sessions WHERE user_id = ?', [u.id])).toEqual([]);

    const me = await userClient.get('/api/me');
    expect(me.status).toBe(401);
    expect((await me.json()).code).toBe('auth.session_expired');
    const viaToken = await ctx.t.client().get('/api/me', bearer);
    expect(viaToken.status).toBe(401);
    expect((await viaToken.json()).code).toBe('auth.token_invalid');

    const again = await attempt(u.username, PW);
    expect(again.status).toBe(403);
    expect((await again.json()).code).toBe('auth.disabled');
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await db('SELECT id FROM sessions WHERE user_id = ?', [u.id])).toEqual([]);
    // a wrong password does not reveal that the account is disabled
    expect((await (await attempt(u.username, 'wrong-password')).json()).code).toBe('auth.invalid_credentials');

    expect((await admin.post(`/api/users/${u.id}/enable`)).status).toBe(200);
    expect((await attempt(u.username, PW)).status).toBe(200);
  });

  it('writes failed logins to the audit trail with the request id, for known and unknown usernames', async () => {
    const u = await freshUser('audited-login');
    expect((await attempt(u.username, 'bad-guess-1', { 'x-request-id': 'login-fail-known' })).status).toBe(401);
    expect((await attempt('ghost-user', 'bad-guess-2', { 'x-request-id': 'login-fail-ghost' })).status).toBe(401);

    const auditor = await ctx.t.login('auditor');
    const res = await auditor.get('/api/audit?action=auth.login_failed&limit=500');
    expect(res.status).toBe(200);
    const records: { requestId: string; targetId: string | null; actorId: string | null; summary: Record<string, unknown> }[] = (
      await res.json()
    ).records;
    const known = records.find((r) => r.requestId === 'login-fail-known');
    expect(known).toMatchObject({ targetId: u.id, actorId: u.id, summary: { reason: 'wrong password', failedLogins: 1 } });
    const ghost = records.find((r) => r.requestId === 'login-fail-ghost');
    expect(ghost).toMatchObject({ targetId: null, actorId: null, summary: { reason: 'unknown user', username: 'ghost-user' } });
    expect(JSON.stringify(records)).not.toContain('bad-guess');
  });
});
