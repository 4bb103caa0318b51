import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Components, JsonSchema } from './json-schema-arbitrary.ts';

// ajv and ajv-formats are in node_modules through other packages' dependencies (not ours):
// if they ever go, add them as devDependencies.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/**
 * Validators for the schemas of an OpenAPI 3.1 document (JSON Schema 2020-12): its
 * `#/components/schemas/…` references are resolved as `$defs`. Unknown keywords (example) and
 * formats (binary) are ignored, as OpenAPI allows.
 */
export function schemaValidator(components: Components): (schema: JsonSchema) => ValidateFunction {
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  const defs = JSON.parse(JSON.stringify(components).replaceAll('"#/components/schemas/', '"#/$defs/'));
  const cache = new Map<string, ValidateFunction>();
  return (schema) => {
    const key = JSON.stringify(schema);
    let fn = cache.get(key);
    if (!fn) {
      const rewritten = JSON.parse(key.replaceAll('"#/components/schemas/', '"#/$defs/'));
      fn = ajv.compile(typeof rewritten === 'boolean' ? rewritten : { ...rewritten, $defs: defs });
      cache.set(key, fn);
    }
    return fn;
  };
}
