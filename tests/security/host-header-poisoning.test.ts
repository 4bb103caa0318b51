import { beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, useTestPlatform, type TestClient } from '../support/platform.ts';
import { installDemoPack } from '../../core/packs/demo.ts';
import { loadConfig } from '../../core/config.ts';
import { publicOrigin, trustedOrigins } from '../../core/http/public-origin.ts';

/**
 * The Host header is the sender's to choose. Requests here arrive as the Node adapter builds
 * them: the URL is made from the Host header, so `Host: evil.example` means `http://evil.example/…`.
 * The site's own origin is configured (tests: MOTCUA_PUBLIC_URL = http://localhost).
 */
const ctx = useTestPlatform();
const EVIL = 'evil.example';

let clerk: TestClient;
beforeAll(async () => {
  expect((await installDemoPack(ctx.t.platform.services)).status).toBe('installed');
  clerk = await ctx.t.login('clerk');
}, 120_000);

/** A request whose Host header (and hence URL) names evil.example. */
function viaEvilHost(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  return ctx.t.platform.app.request(`http://${EVIL}${path}`, {
    method,
    headers: { host: EVIL, ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('Host header poisoning', () => {
  it('a state-changing cookie request with Host and Origin both evil.example is refused as cross-site (403 auth.csrf), changing nothing', async () => {
    const res = await viaEvilHost('POST', '/api/me/tokens', { cookie: clerk.cookie!, origin: `http://${EVIL}` }, { name: 'planted' });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('auth.csrf');
    const login = await viaEvilHost('POST', '/api/auth/login', { origin: `http://${EVIL}` }, { username: 'clerk', password: 'demo' });
    expect([login.status, (await login.json()).code]).toEqual([403, 'auth.csrf']);
    const names = await ctx.t.platform.services.db.em().execute<{ name: string }[]>('SELECT name FROM api_tokens');
    expect(names.map((n) => n.name)).not.toContain('planted');
    // The configured origin still works whatever the Host says (a proxy may rewrite it).
    expect((await viaEvilHost('POST', '/api/me/tokens', { cookie: clerk.cookie!, origin: ORIGIN }, { name: 'ours' })).status).toBe(201);
  });

  it('the cacheable public page prints the configured origin, never the Host header', async () => {
    for (const [path, status] of [
      ['/thu-tuc/2.000635', 200],
      ['/thu-tuc/9.999999', 404],
      ['/thu-tuc?q=ho+tich', 200],
    ] as const) {
      const res = await viaEvilHost('GET', path);
      const body = await res.text();
      expect(res.status, path).toBe(status);
      expect(res.headers.get('cache-control')).toBe('public, max-age=60');
      expect(body).not.toContain(EVIL);
      expect(body).toContain(`Bản in từ ${ORIGIN}${path}`);
    }
  });
});

describe('the public origin setting', () => {
  it('MOTCUA_PUBLIC_URL is the origin; development defaults to the listen address, 127.0.0.1 also as localhost', () => {
    expect(publicOrigin(loadConfig({ MOTCUA_PUBLIC_URL: 'https://motcua.bacninh.gov.vn/' }))).toBe('https://motcua.bacninh.gov.vn');
    expect(() => loadConfig({ MOTCUA_PUBLIC_URL: 'https://motcua.bacninh.gov.vn/thu-tuc' })).toThrow(/origin only/);
    expect(() => loadConfig({ MOTCUA_PUBLIC_URL: 'motcua.bacninh.gov.vn' })).toThrow(/absolute URL/);
    const dev = loadConfig({ PORT: '3001' });
    expect(publicOrigin(dev)).toBe('http://127.0.0.1:3001');
    expect(trustedOrigins(dev)).toEqual(expect.arrayContaining(['http://127.0.0.1:3001', 'http://localhost:3001']));
    expect(trustedOrigins(dev)).not.toContain('http://127.0.0.1:3000');
    // Configured: only the configured origins, no loopback guesses.
    const prod = loadConfig({ MOTCUA_PUBLIC_URL: 'https://motcua.bacninh.gov.vn', MOTCUA_PUBLIC_ORIGINS: 'https://mc.bacninh.gov.vn' });
    expect(trustedOrigins(prod)).toEqual(['https://motcua.bacninh.gov.vn', 'https://mc.bacninh.gov.vn']);
    // Before MOTCUA_PUBLIC_URL existed, the first MOTCUA_PUBLIC_ORIGINS entry was printed: it still is.
    expect(publicOrigin(loadConfig({ MOTCUA_PUBLIC_ORIGINS: 'https://old.example.gov.vn' }))).toBe('https://old.example.gov.vn');
  });
});
