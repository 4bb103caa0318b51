import { describe, expect, it } from 'vitest';
import { useTestPlatform } from '../support/platform.ts';

// A path asked with a method it does not have answered 404 without Allow. It now answers 405
// request.method_not_allowed with an Allow header naming the path's methods (HEAD with GET).

const ctx = useTestPlatform({ demo: false });

async function expect405(method: string, path: string, allow: string) {
  const res = await ctx.t.client().request(method, path);
  expect(res.status, `${method} ${path}`).toBe(405);
  expect(res.headers.get('allow')).toBe(allow);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect((await res.json()).code).toBe('request.method_not_allowed');
}

describe('a method the path does not have', () => {
  it('DELETE /api/health answers 405 with Allow: GET, HEAD', async () => {
    await expect405('DELETE', '/api/health', 'GET, HEAD');
  });

  it('names the methods of parameterised and public paths too', async () => {
    await expect405('GET', '/api/auth/login', 'POST');
    await expect405('PUT', '/api/instances', 'POST');
    await expect405('PATCH', '/api/instances/any-id', 'GET, HEAD');
    await expect405('POST', '/thu-tuc', 'GET, HEAD');
    await expect405('DELETE', '/thu-tuc/1.000001', 'GET, HEAD');
    await expect405('PUT', '/api/units/any-id', 'GET, HEAD, PATCH');
  });

  it('still answers 404 for a path no route has', async () => {
    const res = await ctx.t.client().request('DELETE', '/api/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers.get('allow')).toBeNull();
    expect((await res.json()).code).toBe('request.not_found');
  });
});
