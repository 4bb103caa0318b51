import { beforeAll, describe, expect, it } from 'vitest';
import { TestClient, useTestPlatform } from '../../tests/support/platform.ts';

const PUBLIC = 'https://motcua.example.gov.vn';
const ctx = useTestPlatform({ config: { publicOrigins: [PUBLIC] } });

let clerk: TestClient;
let token: string;

beforeAll(async () => {
  clerk = await ctx.t.login('clerk');
  const res = await clerk.post('/api/me/tokens', { name: 'csrf-test' });
  expect(res.status).toBe(201);
  token = (await res.json()).token;
});

async function tokenNames(): Promise<string[]> {
  const rows = await ctx.t.platform.services.db
    .em()
    .execute<{ name: string }[]>("SELECT t.name FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.username = 'clerk'");
  return rows.map((r) => r.name);
}

/** POST /api/me/tokens with clerk's cookie and exactly the given headers (no default Origin). */
async function createTokenWith(name: string, headers: Record<string, string>) {
  const saved = clerk.headers;
  clerk.headers = {};
  try {
    return await clerk.post('/api/me/tokens', { name }, headers);
  } finally {
    clerk.headers = saved;
  }
}

async function expectCsrf(res: Response) {
  expect(res.status).toBe(403);
  expect((await res.json()).code).toBe('auth.csrf');
}

describe('CSRF defence', () => {
  it('refuses a state-changing cookie request without Origin, and changes nothing', async () => {
    await expectCsrf(await createTokenWith('no-origin', {}));
    expect(await tokenNames()).not.toContain('no-origin');
  });

  it('refuses a foreign Origin, a "null" Origin and another port of the same host', async () => {
    for (const origin of ['https://evil.example', 'null', 'http://localhost:8080', 'https://localhost']) {
      await expectCsrf(await createTokenWith(`from ${origin}`, { origin }));
    }
    expect((await tokenNames()).filter((n) => n.startsWith('from '))).toEqual([]);
  });

  it('refuses Sec-Fetch-Site cross-site and same-site even with our Origin', async () => {
    for (const site of ['cross-site', 'same-site']) {
      await expectCsrf(await createTokenWith(`site ${site}`, { origin: 'http://localhost', 'sec-fetch-site': site }));
    }
    expect((await tokenNames()).filter((n) => n.startsWith('site '))).toEqual([]);
  });

  it('lets Sec-Fetch-Site same-origin through, and our own Origin', async () => {
    expect((await createTokenWith('fetch-meta', { 'sec-fetch-site': 'same-origin' })).status).toBe(201);
    expect((await createTokenWith('own-origin', { origin: 'http://localhost' })).status).toBe(201);
    expect(await tokenNames()).toEqual(expect.arrayContaining(['fetch-meta', 'own-origin']));
  });

  it('lets a configured public origin through (MOTCUA_PUBLIC_ORIGINS)', async () => {
    expect((await createTokenWith('public-origin', { origin: PUBLIC })).status).toBe(201);
    await expectCsrf(await createTokenWith('public-lookalike', { origin: `${PUBLIC}.evil.example` }));
  });

  it('asks nothing of GET requests', async () => {
    const saved = clerk.headers;
    clerk.headers = {};
    try {
      expect((await clerk.get('/api/me')).status).toBe(200);
      expect((await clerk.get('/api/me', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })).status).toBe(200);
    } finally {
      clerk.headers = saved;
    }
  });

  it('exempts bearer-token requests, which carry no ambient credential', async () => {
    const spare = await (await clerk.post('/api/me/tokens', { name: 'to-revoke' })).json();
    const script = ctx.t.client();
    script.headers = { authorization: `Bearer ${token}` };
    const res = await script.delete(`/api/me/tokens/${spare.id}`);
    expect(res.status).toBe(204);
    const password = await script.post('/api/me/password', { currentPassword: 'wrong', newPassword: 'Hai-Phong-Port-2026' });
    expect((await password.json()).code).toBe('auth.invalid_credentials'); // reached the handler
    // a forged bearer header does not open a way around the check
    script.headers = { authorization: 'Bearer mct_forged' };
    const forged = await script.post('/api/me/tokens', { name: 'forged' });
    expect(forged.status).toBe(401);
    expect((await forged.json()).code).toBe('auth.token_invalid');
  });

  it('protects login itself (no login CSRF), creating no session', async () => {
    const before = await ctx.t.platform.services.db.em().execute<{ n: number }[]>('SELECT COUNT(*) AS n FROM sessions');
    const anon = ctx.t.client();
    anon.headers = {};
    await expectCsrf(await anon.post('/api/auth/login', { username: 'clerk', password: 'demo' }));
    await expectCsrf(await anon.post('/api/auth/login', { username: 'clerk', password: 'demo' }, { origin: 'https://evil.example' }));
    expect(anon.cookie).toBeNull();
    const after = await ctx.t.platform.services.db.em().execute<{ n: number }[]>('SELECT COUNT(*) AS n FROM sessions');
    expect(Number(after[0].n)).toBe(Number(before[0].n));
    expect((await anon.post('/api/auth/login', { username: 'clerk', password: 'demo' }, { origin: PUBLIC })).status).toBe(200);
  });

  it('checks the other state-changing methods too (PATCH, DELETE)', async () => {
    const admin = await ctx.t.login('admin');
    admin.headers = { origin: 'https://evil.example' };
    const unit = await (await admin.get('/api/units/DEMO.SXD')).json();
    await expectCsrf(await admin.patch(`/api/units/${unit.id}`, { version: unit.version, name: 'Hijacked' }));
    await expectCsrf(await admin.delete('/api/me/tokens/anything'));
    expect((await (await admin.get('/api/units/DEMO.SXD')).json()).name).toBe(unit.name);
  });
});
