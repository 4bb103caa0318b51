// Writes docs/procedure.schema.json from the zod schema of a procedure document, so the pack
// specification and the importer never drift.
// Run: npm run docs:schema   (core/packs/procedure-json-schema.test.ts checks it is current)
import { writeFileSync } from 'node:fs';
import { renderProcedureJsonSchema } from '../core/packs/procedure-json-schema.ts';

writeFileSync(new URL('../docs/procedure.schema.json', import.meta.url), renderProcedureJsonSchema());
console.log('docs/procedure.schema.json written');
