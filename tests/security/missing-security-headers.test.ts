import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, useTestPlatform, type TestPlatform } from '../support/platform.ts';
import { installDemoPack } from '../../core/packs/demo.ts';

// The HTML pages had no Content-Security-Policy and no Permissions-Policy, and HSTS was sent on
// plain http too. Every HTML page now carries a strict CSP (no inline script or style: the pages'
// styles are served stylesheets), every response a Permissions-Policy and a CSP, and HSTS goes
// only with a request that came over https (directly, or by X-Forwarded-Proto when trusted).

const ctx = useTestPlatform();

beforeAll(async () => {
  expect((await installDemoPack(ctx.t.platform.services)).status).toBe('installed');
}, 120_000);

/** The directives of a CSP header, by name. */
function directives(csp: string | null): Record<string, string> {
  expect(csp).toBeTruthy();
  return Object.fromEntries(
    csp!
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(/\s+/)[0], d.split(/\s+/).slice(1).join(' ')]),
  );
}

const PAGES = ['/', '/thu-tuc', '/thu-tuc?q=ho+kinh+doanh', '/thu-tuc/2.000635', '/thu-tuc/9.999999'];

describe('HTML pages', () => {
  it.each(PAGES)('%s carries a strict Content-Security-Policy and a Permissions-Policy', async (path) => {
    const res = await ctx.t.client().get(path);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy');
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(directives(csp)).toMatchObject({
      'default-src': "'self'",
      'script-src': "'self'",
      'style-src': "'self'",
      'object-src': "'none'",
      'base-uri': "'none'",
      'frame-ancestors': "'none'",
      'form-action': "'self'",
    });
    const permissions = res.headers.get('permissions-policy') ?? '';
    for (const feature of ['camera=()', 'microphone=()', 'geolocation=()']) expect(permissions).toContain(feature);
  });

  it.each(PAGES)('%s still renders, with no inline script or style for the CSP to block', async (path) => {
    const res = await ctx.t.client().get(path);
    const body = await res.text();
    expect(body).toContain('<html lang="vi">');
    expect(body).not.toMatch(/<script\b/i);
    expect(body).not.toMatch(/<style\b/i);
    expect(body).not.toMatch(/\sstyle="/i);
    expect(body).not.toMatch(/\son[a-z]+="/i);
    const sheets = [...body.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].map((m) => m[1]);
    expect(sheets.length).toBeGreaterThan(0);
    for (const href of sheets) {
      const css = await ctx.t.client().get(href);
      expect(css.status).toBe(200);
      expect(css.headers.get('content-type')).toContain('text/css');
      expect((await css.text()).length).toBeGreaterThan(200);
    }
  });

  it('keeps the print layout of the catalogue in its stylesheet', async () => {
    const body = await (await ctx.t.client().get('/thu-tuc')).text();
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(body)![1];
    expect(await (await ctx.t.client().get(href)).text()).toContain('@media print');
  });
});

describe('API responses', () => {
  it('carry a CSP that allows nothing and a Permissions-Policy', async () => {
    for (const res of [await ctx.t.client().get('/api/health'), await ctx.t.client().get('/api/me')]) {
      expect(directives(res.headers.get('content-security-policy'))).toMatchObject({
        'default-src': "'none'",
        'frame-ancestors': "'none'",
      });
      expect(res.headers.get('permissions-policy')).toContain('camera=()');
    }
  });
});

describe('Strict-Transport-Security', () => {
  const app = () => ctx.t.platform.app;

  it('is not sent over plain http', async () => {
    expect((await app().request('http://localhost/api/health')).headers.get('strict-transport-security')).toBeNull();
    expect((await app().request('http://localhost/thu-tuc')).headers.get('strict-transport-security')).toBeNull();
  });

  it('is sent when the request came over https', async () => {
    const res = await app().request('https://localhost/api/health');
    expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
  });

  it('ignores X-Forwarded-Proto unless the proxy is trusted', async () => {
    const res = await app().request('http://localhost/api/health', { headers: { 'x-forwarded-proto': 'https' } });
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });

  describe('behind a trusted proxy (MOTCUA_TRUST_PROXY=1)', () => {
    let proxied: TestPlatform | undefined;
    beforeAll(async () => {
      proxied = await startTestPlatform({ demo: false, config: { trustProxy: true } });
    }, 60_000);
    afterAll(async () => {
      await proxied?.close();
    });

    it('is sent when X-Forwarded-Proto says https, and not when it says http', async () => {
      const https = await proxied!.platform.app.request('http://localhost/api/health', { headers: { 'x-forwarded-proto': 'https' } });
      expect(https.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
      const http = await proxied!.platform.app.request('http://localhost/api/health', { headers: { 'x-forwarded-proto': 'http' } });
      expect(http.headers.get('strict-transport-security')).toBeNull();
    });
  });
});
