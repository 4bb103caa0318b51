// Writes docs/errors.md from core/errors.ts, so the catalogue of codes and its document never drift.
// Run: node --import tsx scripts/gen-errors-doc.ts   (tests/errors-catalogue.test.ts checks it is current)
import { writeFileSync } from 'node:fs';
import { renderErrorsDoc } from '../core/errors-doc.ts';

writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc());
console.log('docs/errors.md written');
