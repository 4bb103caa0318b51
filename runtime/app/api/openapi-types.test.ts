import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useTestPlatform } from '../../../tests/support/platform.ts';
import { API_TYPES_FILE, renderApiTypes } from '../../../tests/support/api-types.ts';

const ctx = useTestPlatform();

describe('the browser client’s API types', () => {
  it('Given the OpenAPI document the platform serves, Then the committed types are what it generates (else run scripts/gen-api-types.ts)', async () => {
    const document = await (await ctx.t.client().get('/api/openapi.json')).json();
    const expected = await renderApiTypes(document);
    expect(readFileSync(API_TYPES_FILE, 'utf8') === expected, 'run `node --import tsx scripts/gen-api-types.ts`').toBe(true);
  }, 60_000);
});
