import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { procedureDocument } from '../catalogue/schema.ts';
import { renderProcedureJsonSchema } from './procedure-json-schema.ts';
import { specExample } from '../../tests/support/spec-examples.ts';

const committed = readFileSync(new URL('../../docs/procedure.schema.json', import.meta.url), 'utf8');
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(committed));
const example = (): Record<string, unknown> => JSON.parse(specExample('procedure'));

describe('the procedure JSON Schema of the pack specification', () => {
  it('is what the zod schema generates (run npm run docs:schema when this fails)', () => {
    expect(committed).toBe(renderProcedureJsonSchema());
  });

  it("accepts the specification's minimal example, as the importer's schema does", () => {
    expect(validate(example()), JSON.stringify(validate.errors)).toBe(true);
    expect(procedureDocument.safeParse(example()).success).toBe(true);
  });

  it('refuses what the importer refuses: documents outside cases, references without their folder, a missing case', () => {
    const outside = example();
    const [c] = outside.cases as Record<string, unknown>[];
    outside.documents = c.documents;
    delete c.documents;
    const unprefixed = example();
    ((unprefixed.cases as { documents: { form: string }[] }[])[0].documents[0].form as string) = 'to-khai.pdf';
    const noCases = example();
    delete noCases.cases;
    for (const bad of [outside, unprefixed, noCases]) {
      expect(validate(bad)).toBe(false);
      expect(procedureDocument.safeParse(bad).success).toBe(false);
    }
  });
});
