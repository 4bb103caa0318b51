import { describe, expect, it } from 'vitest';
import { TestClient, useTestPlatform } from '../../tests/support/platform.ts';
import { sha256 } from './tokens.ts';

const ctx = useTestPlatform();
const PW = 'Mekong-Delta-2026!';
const MINUTE = 60_000;

async function sessionsOf(username: string): Promise<{ id: string }[]> {
  return ctx.t.platform.services.db
    .em()
    .execute<{ id: string }[]>('SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = ?', [username]);
}

function cookieToken(client: TestClient): string {
  return client.cookie!.split('=')[1];
}

/** A client that presents a given (possibly old) session cookie. */
function withCookie(cookie: string | null): TestClient {
  const c = ctx.t.client();
  c.cookie = cookie;
  return c;
}

async function expectExpired(client: TestClient) {
  const res = await client.get('/api/me');
  expect(res.status).toBe(401);
  expect((await res.json()).code).toBe('auth.session_expired');
}

async function freshUser(username: string): Promise<{ id: string; username: string }> {
  const admin = await ctx.t.login('admin');
  const res = await admin.post('/api/users', { username, displayName: username, unitId: 'DEMO.SXD', password: PW });
  expect(res.status).toBe(201);
  return (await res.json()).user;
}

describe('sessions', () => {
  it('ends after 30 minutes without activity: 401 auth.session_expired, and the row is gone', async () => {
    const clerk = await ctx.t.login('clerk');
    const id = sha256(cookieToken(clerk));
    expect((await clerk.get('/api/me')).status).toBe(200);
    ctx.t.clock.advance(31 * MINUTE);
    await expectExpired(clerk);
    expect((await sessionsOf('clerk')).map((s) => s.id)).not.toContain(id);
    // an anonymous request is told "sign in", not "expired"
    expect((await (await ctx.t.client().get('/api/me')).json()).code).toBe('auth.required');
  });

  it('stays alive while used within the idle window', async () => {
    const clerk = await ctx.t.login('clerk');
    for (let i = 0; i < 4; i++) {
      ctx.t.clock.advance(25 * MINUTE);
      expect((await clerk.get('/api/me')).status, `after ${(i + 1) * 25} min`).toBe(200);
    }
    ctx.t.clock.advance(29 * MINUTE);
    expect((await clerk.get('/api/me')).status).toBe(200);
    ctx.t.clock.advance(31 * MINUTE);
    await expectExpired(clerk);
  });

  it('ends 12 hours after sign-in even when active all along', async () => {
    const clerk = await ctx.t.login('clerk');
    const res = await ctx.t.client().post('/api/auth/login', { username: 'clerk', password: 'demo' });
    expect(res.headers.get('set-cookie')).toMatch(/Max-Age=43200/);
    let elapsed = 0;
    while (elapsed + 25 < 12 * 60) {
      ctx.t.clock.advance(25 * MINUTE);
      elapsed += 25;
      expect((await clerk.get('/api/me')).status, `after ${elapsed} min`).toBe(200);
    }
    ctx.t.clock.advance(25 * MINUTE); // 725 min: past the absolute limit, well within the idle one
    await expectExpired(clerk);
  });

  it('logout ends the session on the server: the old cookie no longer works', async () => {
    const clerk = await ctx.t.login('clerk');
    const oldCookie = clerk.cookie;
    const id = sha256(cookieToken(clerk));
    const res = await clerk.post('/api/auth/logout', undefined, { 'x-request-id': 'logout-1' });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/^motcua_session=;.*Max-Age=0/);
    expect(clerk.cookie).toBeNull();
    expect((await sessionsOf('clerk')).map((s) => s.id)).not.toContain(id);
    await expectExpired(withCookie(oldCookie));
    const [audit] = await ctx.t.platform.services.db
      .em()
      .execute<{ action: string }[]>('SELECT action FROM audit_log WHERE request_id = ?', ['logout-1']);
    expect(audit?.action).toBe('auth.logout');
  });

  it('a password change ends every other session and rotates the current one', async () => {
    const u = await freshUser('two-devices');
    const laptop = await ctx.t.login(u.username, PW);
    const phone = await ctx.t.login(u.username, PW);
    const laptopBefore = laptop.cookie;
    expect(await sessionsOf(u.username)).toHaveLength(2);

    const wrong = await laptop.post('/api/me/password', { currentPassword: 'not-it-at-all', newPassword: 'Tay-Nguyen-2027!' });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).code).toBe('auth.invalid_credentials');
    expect(await sessionsOf(u.username)).toHaveLength(2);

    const res = await laptop.post('/api/me/password', { currentPassword: PW, newPassword: 'Tay-Nguyen-2027!' });
    expect(res.status).toBe(204);
    await expectExpired(phone);
    await expectExpired(withCookie(laptopBefore));
    // the caller keeps working under a fresh session
    expect(laptop.cookie).not.toBe(laptopBefore);
    expect((await laptop.get('/api/me')).status).toBe(200);
    expect(await sessionsOf(u.username)).toHaveLength(1);

    expect((await ctx.t.client().post('/api/auth/login', { username: u.username, password: PW })).status).toBe(401);
    expect((await ctx.t.client().post('/api/auth/login', { username: u.username, password: 'Tay-Nguyen-2027!' })).status).toBe(200);
  });

  it('an unknown session cookie is treated as an ended session', async () => {
    await expectExpired(withCookie('motcua_session=made-up-value'));
  });
});
