import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { useTestPlatform, type TestClient } from '../support/platform.ts';

// A JSON body nested thousands deep parses fine in V8, but everything recursive after the parse
// (zod, structuredClone, the engine) overflowed the stack and answered 500. The edge now counts
// the depth without recursion before any of them sees the body, and bounds `variables`.

const ctx = useTestPlatform();
const FIVE = readFileSync(new URL('../../core/engine/fixtures/five-steps.bpmn', import.meta.url), 'utf8');

/** `{"a":{"a":…{"a":1}…}}`, `depth` objects deep, built as text (no recursion to build it). */
const nested = (depth: number) => '{"a":'.repeat(depth - 1) + '{"a":1}' + '}'.repeat(depth - 1);
const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

let clerk: TestClient;
/** Raw starts (POST /api/instances) are the analyst's; the desk's clerk sends messages. */
let analyst: TestClient;

beforeAll(async () => {
  analyst = await ctx.t.login('analyst');
  expect((await analyst.post('/api/definitions', FIVE, { 'content-type': 'application/xml' })).status).toBe(201);
  clerk = await ctx.t.login('clerk');
});

describe('deep JSON bodies', () => {
  it('refuses variables nested 10,000 deep on POST /api/instances with 400 request.too_deep', async () => {
    const body = `{"definitionKey":"five-steps","variables":${nested(10_000)}}`;
    const res = await analyst.post('/api/instances', body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await res.json()).code).toBe('request.too_deep');
  });

  it('refuses variables nested 10,000 deep on POST /api/messages with 400 request.too_deep', async () => {
    const body = `{"name":"ping","variables":{"x":${deepArray(10_000)}}}`;
    const res = await clerk.post('/api/messages', body);
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('request.too_deep');
  });

  it('checks every JSON route, before authentication and validation (login)', async () => {
    const res = await ctx.t.client().post('/api/auth/login', `{"username":"clerk","password":"demo","x":${deepArray(5_000)}}`);
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('request.too_deep');
  });

  it('still accepts ordinary nesting (a form of a dozen levels)', async () => {
    const res = await analyst.post('/api/instances', `{"definitionKey":"five-steps","variables":{"form":${nested(12)}}}`);
    expect(res.status).toBe(201);
  });

  it('refuses variables too large to keep in an instance with 413 request.variables_too_large', async () => {
    const big = Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`field${i}`, 'x'.repeat(100)]));
    const res = await analyst.post('/api/instances', { definitionKey: 'five-steps', variables: big });
    expect(res.status).toBe(413);
    expect((await res.json()).code).toBe('request.variables_too_large');
  });
});
