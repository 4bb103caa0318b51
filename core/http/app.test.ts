import { describe, expect, it } from 'vitest';
import { useTestPlatform } from '../../tests/support/platform.ts';

const ctx = useTestPlatform();

describe('HTTP shell', () => {
  it('answers health with database, version and plugins', async () => {
    const res = await ctx.t.client().get('/api/health');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'ok', database: { reachable: true }, plugins: [] });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('gives every response a request id, and echoes a valid incoming one', async () => {
    const res = await ctx.t.client().get('/api/health', { 'x-request-id': 'desk-42-abc' });
    expect(res.headers.get('x-request-id')).toBe('desk-42-abc');
    const other = await ctx.t.client().get('/api/health');
    expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('renders unknown routes as problem+json with a stable code', async () => {
    const res = await ctx.t.client().get('/api/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = await res.json();
    expect(body).toMatchObject({ status: 404, code: 'request.not_found' });
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('answers in Vietnamese by default and in English on request', async () => {
    const vi = await (await ctx.t.client().get('/api/me')).json();
    expect(vi.title).toBe('Cần đăng nhập');
    const en = await (await ctx.t.client().get('/api/me', { 'accept-language': 'en-GB,en;q=0.8' })).json();
    expect(en.title).toBe('Authentication required');
  });

  it('refuses a body over the limit with 413 and malformed JSON with 400', async () => {
    const big = await ctx.t.client().post('/api/auth/login', 'x'.repeat(1024 * 1024 + 10));
    expect(big.status).toBe(413);
    expect((await big.json()).code).toBe('request.too_large');
    const bad = await ctx.t.client().post('/api/auth/login', '{"username": "a",');
    expect(bad.status).toBe(400);
    expect((await bad.json()).code).toBe('request.malformed_json');
  });

  it('validates request bodies with zod and names the field', async () => {
    const res = await ctx.t.client().post('/api/auth/login', { username: 'admin' });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.code).toBe('request.invalid');
    expect(body.detail).toContain('password');
  });

  it('publishes an OpenAPI 3.1 document in which every operation declares its permission', async () => {
    const res = await ctx.t.client().get('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths as Record<string, Record<string, { 'x-permission'?: string }>>).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ path, method, permission: op['x-permission'] })),
    );
    expect(operations.length).toBeGreaterThan(15);
    expect(operations.filter((o) => !o.permission)).toEqual([]);
    expect(doc.paths['/api/auth/login'].post.requestBody.content['application/json'].schema).toBeTruthy();
  });
});

describe('home page', () => {
  it('shows a Vietnamese page pointing to health and the API description', async () => {
    const res = await ctx.t.client().get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const page = await res.text();
    expect(page).toContain('lang="vi"');
    expect(page).toContain('/api/health');
    expect(page).toContain('/api/openapi.json');
  });
});
