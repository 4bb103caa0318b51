import { Hono } from 'hono';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registerAppUi } from './app-ui.ts';
import type { AppEnv } from './env.ts';
import { APP_CSP, securityHeaders } from './security-headers.ts';

const dist = mkdtempSync(join(tmpdir(), 'motcua-app-ui-'));
mkdirSync(join(dist, 'assets'));
mkdirSync(join(dist, 'shoelace', 'assets', 'icons'), { recursive: true });
writeFileSync(
  join(dist, 'index.html'),
  '<!doctype html><title>app</title><script type="module" src="/app/assets/index-abc123.js"></script>',
);
writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
writeFileSync(join(dist, 'shoelace', 'assets', 'icons', 'eye.svg'), '<svg/>');
const secret = join(dist, '..', 'motcua-app-ui-secret.txt');
writeFileSync(secret, 'outside');
afterAll(() => {
  rmSync(dist, { recursive: true, force: true });
  rmSync(secret, { force: true });
});

function appServing(dir: string) {
  const app = new Hono<AppEnv>();
  app.use('*', securityHeaders({ trustProxy: false }));
  registerAppUi(app, dir);
  return (path: string) => app.request(`http://localhost${path}`);
}
const get = appServing(dist);

describe('the clerk UI’s files under /app/', () => {
  it('Given a client-side address, Then index.html answers, never cached, under the app’s strict CSP', async () => {
    for (const path of ['/app/', '/app/tra-cuu-ho-so', '/app/a/b']) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain('<title>app</title>');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toBe(APP_CSP);
    }
    expect(APP_CSP).toContain("script-src 'self'");
    expect(APP_CSP).not.toContain('unsafe-inline');
  });

  it('Given a hashed asset, Then it is served with its type and cached for a year; Shoelace’s icons for a day', async () => {
    const js = await get('/app/assets/index-abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const icon = await get('/app/shoelace/assets/icons/eye.svg');
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(icon.headers.get('cache-control')).toBe('public, max-age=86400');
  });

  it('Given a missing asset or a path that climbs out, Then 404, not the page', async () => {
    expect((await get('/app/assets/index-gone.js')).status).toBe(404);
    expect((await get('/app/favicon.ico')).status).toBe(404);
    // Both name a real file beside the build folder.
    expect((await get('/app/..%2fmotcua-app-ui-secret.txt')).status).toBe(404);
    expect((await get('/app/assets/..%2f..%2fmotcua-app-ui-secret.txt')).status).toBe(404);
  });

  it('Given /app without its slash, Then it redirects to /app/', async () => {
    const res = await get('/app');
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/app/');
  });

  it('Given no build, Then the page says how to make one (503)', async () => {
    const res = await appServing(join(dist, 'nothing-here'))('/app/');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build');
  });
});
