import fc from 'fast-check';

/**
 * fast-check arbitraries from the JSON schemas of the OpenAPI document, for the subset it uses:
 * $ref, allOf/anyOf/oneOf, enum/const, type (or a list of types), string (min/maxLength,
 * pattern, format date-time, date, email), integer/number (minimum, maximum, exclusive bounds),
 * boolean, null, array (items, min/maxItems), object (properties, required,
 * additionalProperties), and {} (any JSON). Values are kept small: a fuzzer wants many requests,
 * not big ones (it makes big ones on purpose elsewhere).
 */
export type JsonSchema = boolean | { [key: string]: unknown };
export type Components = Record<string, JsonSchema>;

const MAX_ITEMS = 3;
const MAX_STRING = 40;
const REF = '#/components/schemas/';

export function jsonSchemaToArbitrary(schema: JsonSchema, components: Components = {}, depth = 0): fc.Arbitrary<unknown> {
  if (
    schema === true ||
    (typeof schema === 'object' && Object.keys(schema).filter((k) => !['description', 'example', 'default'].includes(k)).length === 0)
  ) {
    return depth > 2 ? fc.constant(null) : fc.jsonValue({ maxDepth: 2, depthSize: 'xsmall' });
  }
  if (schema === false) throw new Error('A false schema has no value');
  const s = schema as Record<string, any>;
  if (typeof s.$ref === 'string') {
    if (!s.$ref.startsWith(REF)) throw new Error(`Unsupported $ref ${s.$ref}`);
    const target = components[s.$ref.slice(REF.length)];
    if (target === undefined) throw new Error(`Unknown $ref ${s.$ref}`);
    return jsonSchemaToArbitrary(target, components, depth);
  }
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  if (Array.isArray(s.allOf)) return jsonSchemaToArbitrary(mergeAll(s.allOf, components), components, depth);
  const alternatives = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(alternatives)) return fc.oneof(...alternatives.map((a) => jsonSchemaToArbitrary(a, components, depth)));
  if (Array.isArray(s.type))
    return fc.oneof(...(s.type as string[]).map((type) => jsonSchemaToArbitrary({ ...s, type }, components, depth)));
  switch (s.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const min = s.exclusiveMinimum !== undefined ? Math.floor(s.exclusiveMinimum) + 1 : (s.minimum ?? -1_000_000);
      const max = s.exclusiveMaximum !== undefined ? Math.ceil(s.exclusiveMaximum) - 1 : (s.maximum ?? 1_000_000);
      return fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) });
    }
    case 'number': {
      const min = s.minimum ?? s.exclusiveMinimum ?? -1e6;
      const max = s.maximum ?? s.exclusiveMaximum ?? 1e6;
      return fc
        .double({ min, max, noNaN: true, noDefaultInfinity: true })
        .filter(
          (n) =>
            (s.exclusiveMinimum === undefined || n > s.exclusiveMinimum) && (s.exclusiveMaximum === undefined || n < s.exclusiveMaximum),
        );
    }
    case 'string':
      return stringArbitrary(s);
    case 'array': {
      const item =
        s.items === undefined ? fc.jsonValue({ maxDepth: 1 }) : jsonSchemaToArbitrary(s.items as JsonSchema, components, depth + 1);
      const minLength = s.minItems ?? 0;
      return fc.array(item, { minLength, maxLength: Math.max(minLength, Math.min(s.maxItems ?? MAX_ITEMS, MAX_ITEMS)) });
    }
    case 'object':
    case undefined:
      return objectArbitrary(s, components, depth);
    default:
      throw new Error(`Unsupported type ${String(s.type)}`);
  }
}

function stringArbitrary(s: Record<string, any>): fc.Arbitrary<string> {
  if (s.format === 'date-time')
    return fc
      .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2200-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString());
  if (s.format === 'date')
    return fc
      .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2200-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
  if (s.format === 'email') return fc.emailAddress().filter((e) => e.length <= (s.maxLength ?? 255));
  const minLength = s.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(s.maxLength ?? MAX_STRING, MAX_STRING));
  if (typeof s.pattern === 'string') {
    return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length >= minLength && v.length <= (s.maxLength ?? Infinity));
  }
  // Any code point; the lengths hold both as code points (JSON Schema) and as UTF-16 units (zod).
  return fc.string({ minLength, maxLength, unit: 'binary' }).filter((v) => [...v].length >= minLength && v.length <= maxLength);
}

function objectArbitrary(s: Record<string, any>, components: Components, depth: number): fc.Arbitrary<unknown> {
  const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((s.required ?? []) as string[]);
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, sub] of Object.entries(properties)) shape[key] = jsonSchemaToArbitrary(sub, components, depth + 1);
  const known = fc.record(shape, { requiredKeys: Object.keys(properties).filter((k) => required.has(k)) });
  const extra = s.additionalProperties;
  if (!extra || Object.keys(properties).length > 0) return known;
  const value = extra === true ? fc.jsonValue({ maxDepth: 1 }) : jsonSchemaToArbitrary(extra as JsonSchema, components, depth + 1);
  return fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), value, { maxKeys: MAX_ITEMS });
}

/** allOf of object schemas (what zod's extend of a named schema produces) as one object schema. */
function mergeAll(parts: JsonSchema[], components: Components): JsonSchema {
  const merged: Record<string, any> = { type: 'object', properties: {}, required: [] };
  for (const part of parts) {
    let p = part as Record<string, any>;
    if (typeof p.$ref === 'string') p = components[p.$ref.slice(REF.length)] as Record<string, any>;
    Object.assign(merged.properties, p.properties ?? {});
    merged.required.push(...(p.required ?? []));
  }
  return merged;
}
