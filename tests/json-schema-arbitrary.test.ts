import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jsonSchemaToArbitrary, type Components, type JsonSchema } from './support/json-schema-arbitrary.ts';
import { schemaValidator } from './support/schema-validator.ts';
const components: Components = {
  Day: {
    type: 'object',
    properties: { date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, name: { type: 'string', minLength: 1, maxLength: 5 } },
    required: ['date', 'name'],
  },
};

/** Every generated value validates against the schema it came from. */
function holds(schema: JsonSchema): void {
  const check = schemaValidator(components)(schema);
  fc.assert(
    fc.property(jsonSchemaToArbitrary(schema, components), (v) => check(v)),
    { seed: 7, numRuns: 200 },
  );
}

describe('jsonSchemaToArbitrary', () => {
  it('makes strings within lengths, patterns and formats', () => {
    holds({ type: 'string', minLength: 2, maxLength: 6 });
    holds({ type: 'string', pattern: '^[0-9a-f]{16}$' });
    holds({ type: 'string', format: 'date-time' });
    holds({ type: 'string', format: 'email', maxLength: 255 });
  });

  it('makes numbers within bounds, exclusive ones too', () => {
    holds({ type: 'integer', exclusiveMinimum: 0, maximum: 3650 });
    holds({ type: 'number', minimum: 0, maximum: 10 });
  });

  it('makes enums, nullable types, arrays and unions', () => {
    holds({ type: 'string', enum: ['mine', 'all'] });
    holds({ type: ['string', 'null'], maxLength: 3 });
    holds({ type: 'array', items: { type: 'integer', minimum: 0, maximum: 6 }, maxItems: 7 });
    holds({ anyOf: [{ type: 'string' }, { type: 'number' }] });
  });

  it('makes objects with their required properties, refs, allOf and free dictionaries', () => {
    holds({ type: 'object', properties: { a: { type: 'boolean' }, b: { $ref: '#/components/schemas/Day' } }, required: ['b'] });
    holds({ allOf: [{ $ref: '#/components/schemas/Day' }, { type: 'object', properties: { name: { type: 'string', enum: ['x'] } } }] });
    holds({ type: 'object', additionalProperties: {} });
    holds({});
  });

  it('refuses what it does not know rather than generate nonsense', () => {
    expect(() => jsonSchemaToArbitrary({ type: 'tuple' })).toThrow(/Unsupported type/);
    expect(() => jsonSchemaToArbitrary({ $ref: '#/components/schemas/Nope' })).toThrow(/Unknown \$ref/);
  });
});
