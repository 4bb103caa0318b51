import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { useTestPlatform, type TestClient } from '../support/platform.ts';
import type { Logger } from '../../core/logger.ts';

// A JSON route given a text/plain, XML or form body answered 500 and logged a stack trace at
// error level. It now answers 415 request.unsupported_media_type, logged as nothing more than
// any other refused request; routes that take XML or zip bodies keep accepting theirs.

const ctx = useTestPlatform();
const FIVE = readFileSync(new URL('../../core/engine/fixtures/five-steps.bpmn', import.meta.url), 'utf8');
const OTHER_TYPES = ['text/plain', 'text/xml', 'application/x-www-form-urlencoded'];

let analyst: TestClient;
let errors: unknown[];

beforeAll(async () => {
  analyst = await ctx.t.login('analyst');
  errors = [];
  const log = ctx.t.platform.services.log as Logger;
  const original = log.error.bind(log);
  log.error = (...args: Parameters<Logger['error']>) => {
    errors.push(args);
    return original(...args);
  };
});

describe('a body of the wrong media type', () => {
  it.each(OTHER_TYPES)('POST /api/auth/login with %s answers 415', async (type) => {
    const res = await ctx.t.client().post('/api/auth/login', 'username=clerk&password=demo', { 'content-type': type });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await res.json()).code).toBe('request.unsupported_media_type');
  });

  it.each(OTHER_TYPES)('POST /api/instances with %s answers 415', async (type) => {
    const res = await analyst.post('/api/instances', '{"definitionKey":"five-steps"}', { 'content-type': type });
    expect(res.status).toBe(415);
    expect((await res.json()).code).toBe('request.unsupported_media_type');
  });

  it('logs none of them at error level', () => {
    expect(errors).toEqual([]);
  });

  it('keeps accepting XML where a route takes XML (text/xml too), and refuses JSON there', async () => {
    expect((await analyst.post('/api/definitions', FIVE, { 'content-type': 'text/xml' })).status).toBe(201);
    const json = await analyst.post('/api/definitions', { xml: FIVE });
    expect(json.status).toBe(415);
    expect((await json.json()).code).toBe('request.unsupported_media_type');
  });

  it('refuses JSON where a route takes a zip pack', async () => {
    const admin = await ctx.t.login('admin');
    const res = await admin.post('/api/packs', { zip: 'no' });
    expect(res.status).toBe(415);
    expect((await res.json()).code).toBe('request.unsupported_media_type');
  });
});
