// Writes runtime/app/api/openapi.ts, the API's types for the browser client, from the OpenAPI
// document a fresh platform serves. Run after changing a route:
//   node --import tsx scripts/gen-api-types.ts   (runtime/app/api/openapi-types.test.ts checks it)
import { writeFileSync } from 'node:fs';
import { startTestPlatform } from '../tests/support/platform.ts';
import { API_TYPES_FILE, renderApiTypes } from '../tests/support/api-types.ts';

const t = await startTestPlatform();
try {
  const document = await (await t.client().get('/api/openapi.json')).json();
  writeFileSync(API_TYPES_FILE, await renderApiTypes(document));
  console.log('runtime/app/api/openapi.ts written');
} finally {
  await t.close();
}
