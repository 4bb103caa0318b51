import { describe, expect, it } from 'vitest';
import { useTestPlatform } from '../../tests/support/platform.ts';
import { sha256 } from './tokens.ts';

const ctx = useTestPlatform();
const HOUR = 3_600_000;

const bearer = (token: string) => {
  const c = ctx.t.client();
  c.headers = { authorization: `Bearer ${token}` };
  return c;
};

async function tokenRow(id: string): Promise<Record<string, unknown>> {
  const [row] = await ctx.t.platform.services.db.em().execute<Record<string, unknown>[]>('SELECT * FROM api_tokens WHERE id = ?', [id]);
  return row;
}

async function createToken(username: string, body: Record<string, unknown>) {
  const client = await ctx.t.login(username);
  const res = await client.post('/api/me/tokens', body);
  expect(res.status).toBe(201);
  return { client, created: await res.json() };
}

async function expectInvalid(res: Response) {
  expect(res.status).toBe(401);
  expect((await res.json()).code).toBe('auth.token_invalid');
}

describe('personal API tokens', () => {
  it('shows the secret once and stores only its hash', async () => {
    const { created } = await createToken('specialist', { name: 'nightly export' });
    expect(created.token).toMatch(/^mct_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({
      name: 'nightly export',
      prefix: created.token.slice(0, 12),
      revokedAt: null,
      expiresAt: null,
      lastUsedAt: null,
    });
    expect(created).not.toHaveProperty('tokenHash');
    const row = await tokenRow(created.id);
    expect(row.token_hash).toBe(sha256(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token);
    expect(JSON.stringify(row)).not.toContain(created.token.slice(12));
    const audit = await ctx.t.platform.services.db
      .em()
      .execute<{ summary: unknown }[]>("SELECT summary FROM audit_log WHERE action = 'token.created' AND target_id = ?", [created.id]);
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(created.token);
  });

  it("authenticates as its owner with Authorization: Bearer, within the owner's permissions", async () => {
    const { created } = await createToken('clerk', { name: 'kiosk' });
    const me = await bearer(created.token).get('/api/me');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ via: 'token', user: { username: 'clerk' } });
    expect((await tokenRow(created.id)).last_used_at).not.toBeNull();
    const users = await bearer(created.token).get('/api/users');
    expect(users.status).toBe(403);
    expect((await users.json()).code).toBe('auth.forbidden');
    await expectInvalid(await bearer('mct_not-a-real-token').get('/api/me'));
  });

  it('lists your tokens without secrets, and only yours', async () => {
    const { client, created } = await createToken('leader', { name: 'dashboard' });
    await createToken('analyst', { name: 'someone else' });
    const res = await client.get('/api/me/tokens');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(created.token.slice(12));
    const list = JSON.parse(text) as Record<string, unknown>[];
    expect(list.map((t) => t.name)).toEqual(['dashboard']);
    expect(Object.keys(list[0]).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt']);
  });

  it('stops working once revoked (401 auth.token_invalid); others cannot revoke it', async () => {
    const { client, created } = await createToken('auditor', { name: 'siem feed' });
    expect((await bearer(created.token).get('/api/me')).status).toBe(200);

    const stranger = await ctx.t.login('clerk');
    const foreign = await stranger.delete(`/api/me/tokens/${created.id}`);
    expect(foreign.status).toBe(404);
    expect((await tokenRow(created.id)).revoked_at).toBeNull();

    expect((await client.delete(`/api/me/tokens/${created.id}`, { 'x-request-id': 'revoke-siem' })).status).toBe(204);
    expect((await tokenRow(created.id)).revoked_at).not.toBeNull();
    await expectInvalid(await bearer(created.token).get('/api/me'));
    const list = await (await client.get('/api/me/tokens')).json();
    expect(list.find((t: { id: string }) => t.id === created.id).revokedAt).not.toBeNull();
    const [audit] = await ctx.t.platform.services.db
      .em()
      .execute<{ action: string }[]>('SELECT action FROM audit_log WHERE request_id = ?', ['revoke-siem']);
    expect(audit.action).toBe('token.revoked');
  });

  it('honours its expiry', async () => {
    const { created } = await createToken('analyst', { name: 'one day', expiresInDays: 1 });
    expect(new Date(created.expiresAt).getTime() - new Date(created.createdAt).getTime()).toBe(24 * HOUR);
    ctx.t.clock.advance(23 * HOUR);
    expect((await bearer(created.token).get('/api/me')).status).toBe(200);
    ctx.t.clock.advance(HOUR);
    await expectInvalid(await bearer(created.token).get('/api/me'));
  });

  it('cannot be used to mint further tokens, which would outlive its expiry and revocation', async () => {
    const { created } = await createToken('clerk', { name: 'short-lived', expiresInDays: 1 });
    const res = await bearer(created.token).post('/api/me/tokens', { name: 'forever' });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('auth.forbidden');
    const names = await ctx.t.platform.services.db.em().execute<{ name: string }[]>("SELECT name FROM api_tokens WHERE name = 'forever'");
    expect(names).toEqual([]);
  });

  it('refuses out-of-range lifetimes and empty names', async () => {
    const client = await ctx.t.login('clerk');
    for (const body of [{ name: '' }, { name: 'x', expiresInDays: 0 }, { name: 'x', expiresInDays: 4000 }]) {
      const res = await client.post('/api/me/tokens', body);
      expect(res.status).toBe(400);
      expect((await res.json()).code).toBe('request.invalid');
    }
  });
});
