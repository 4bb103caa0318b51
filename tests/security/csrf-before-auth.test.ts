import { beforeAll, describe, expect, it } from 'vitest';
import { useTestPlatform, type TestClient } from '../support/platform.ts';

// An unauthenticated state-changing request got 403 auth.csrf (the CSRF guard ran before
// authentication), so a client never learnt it had to sign in. The guard protects ambient
// cookie credentials: a request without a valid session has none, so it now gets 401 from the
// route. A signed-in cross-site request is still refused with 403 and changes nothing, and login
// (a public route that creates a session) is still checked.

const ctx = useTestPlatform();
const EVIL = 'https://evil.example';

let clerk: TestClient;

beforeAll(async () => {
  clerk = await ctx.t.login('clerk');
});

/** A client sending exactly these headers (no default same-origin Origin). */
function bare(headers: Record<string, string> = {}, cookie: string | null = null): TestClient {
  const client = ctx.t.client();
  client.headers = headers;
  client.cookie = cookie;
  return client;
}

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect((await res.json()).code).toBe(code);
}

async function tokenNames(): Promise<string[]> {
  const rows = await ctx.t.platform.services.db
    .em()
    .execute<{ name: string }[]>("SELECT t.name FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.username = 'clerk'");
  return rows.map((r) => r.name);
}

describe('an unauthenticated state-changing request', () => {
  it('answers 401 auth.required, with no Origin at all', async () => {
    await expectProblem(await bare().post('/api/instances', { definitionKey: 'five-steps' }), 401, 'auth.required');
    await expectProblem(await bare().post('/api/auth/logout'), 401, 'auth.required');
  });

  it('answers 401 auth.required from a foreign site too (it carries no credential to abuse)', async () => {
    await expectProblem(await bare({ origin: EVIL }).post('/api/me/tokens', { name: 'x' }), 401, 'auth.required');
    await expectProblem(
      await bare({ origin: EVIL, 'sec-fetch-site': 'cross-site' }).request('DELETE', '/api/me/tokens/any'),
      401,
      'auth.required',
    );
  });

  it('answers 401 auth.session_expired with a cookie whose session is gone', async () => {
    await expectProblem(
      await bare({ origin: EVIL }, 'motcua_session=no-such-session').post('/api/me/tokens', { name: 'x' }),
      401,
      'auth.session_expired',
    );
  });
});

describe('a signed-in cross-site request', () => {
  it('is still refused with 403 auth.csrf and changes nothing', async () => {
    const forged: Record<string, string>[] = [{}, { origin: EVIL }, { origin: 'http://localhost', 'sec-fetch-site': 'cross-site' }];
    for (const headers of forged) {
      await expectProblem(await bare(headers, clerk.cookie).post('/api/me/tokens', { name: 'cross-site' }), 403, 'auth.csrf');
    }
    expect(await tokenNames()).not.toContain('cross-site');
    expect((await clerk.get('/api/me')).status).toBe(200);
  });

  it('is refused even where the method or path does not exist (checked before routing)', async () => {
    await expectProblem(await bare({ origin: EVIL }, clerk.cookie).request('DELETE', '/api/health'), 403, 'auth.csrf');
  });
});

describe('login', () => {
  it('is still checked: a cross-site or Origin-less login creates no session', async () => {
    await expectProblem(await bare().post('/api/auth/login', { username: 'clerk', password: 'demo' }), 403, 'auth.csrf');
    const evil = bare({ origin: EVIL });
    await expectProblem(await evil.post('/api/auth/login', { username: 'clerk', password: 'demo' }), 403, 'auth.csrf');
    expect(evil.cookie).toBeNull();
  });

  it('works from our own origin', async () => {
    expect((await bare({ origin: 'http://localhost' }).post('/api/auth/login', { username: 'clerk', password: 'demo' })).status).toBe(200);
  });
});
