import { z } from 'zod';
import { procedureDocument } from '../catalogue/schema.ts';

/**
 * The JSON Schema of a procedure document as a pack carries it (`procedures/*.json`), generated
 * from the zod schema the importer validates with, so that the two cannot drift. Written to
 * docs/procedure.schema.json by `npm run docs:schema`; a test fails when that file is stale.
 *
 * It describes the input: fields with a default may be left out. Two rules are not expressible
 * in it and are checked by the importer only: case keys and a case's channels are unique.
 */
export function procedureJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(procedureDocument, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: 'https://motcua.dev/schema/procedure-1.json',
    title: 'Procedure document (motcua-pack/1, procedures/*.json)',
    description:
      'One procedure of the catalogue with its cases and internal processes, as carried in a pack. Generated from the platform schema; see docs/pack-format.md. Not expressible here and checked on import: case keys are unique within the procedure, and a channel appears once per case.',
    ...rest,
  };
}

/** The schema file's exact text: two-space JSON and a final newline. */
export function renderProcedureJsonSchema(): string {
  return `${JSON.stringify(procedureJsonSchema(), null, 2)}\n`;
}
