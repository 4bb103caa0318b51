import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';
import type { AppEnv } from './env.ts';

/**
 * Bounds on the shape of JSON bodies, checked once at the edge for every route before zod,
 * the services or the engine see the body. JSON.parse itself copes with any nesting, but
 * everything recursive after it (zod, structuredClone, the engine's state) overflows the stack
 * on a body nested thousands deep; and process variables are kept in the instance's state, so
 * their size is bounded apart from the body's bytes.
 */

/** Deepest nesting of objects and arrays in a JSON body (a dossier form needs a handful). */
export const MAX_JSON_DEPTH = 32;
/** Largest `variables` of a request, serialised (start instance, complete task, send message). */
export const MAX_VARIABLES_BYTES = 256 * 1024;

/** The media types the JSON validator parses (hono/validator): application/json, application/*+json. */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** Is `value` nested deeper than `limit` objects and arrays? Counted with a stack, never recursion. */
export function jsonDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * Refuses a JSON body nested deeper than MAX_JSON_DEPTH (400 `request.too_deep`) or whose
 * `variables` exceed MAX_VARIABLES_BYTES (413 `request.variables_too_large`). A body that is
 * not JSON at all is left to the route's validator (400 `request.malformed_json`).
 */
export function jsonLimits(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const mediaType = c.req.header('content-type')?.split(';')[0].trim() ?? '';
    if (!c.req.raw.body || !JSON_MEDIA_TYPE.test(mediaType)) return next();
    // Read through hono's body cache: the validator reads the same text again without the stream.
    const text = await c.req.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return next();
    }
    if (jsonDeeperThan(body, MAX_JSON_DEPTH)) {
      throw new AppError('request.too_deep', `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep`, {
        maxDepth: MAX_JSON_DEPTH,
      });
    }
    const variables =
      body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>).variables : undefined;
    if (variables !== undefined) {
      const bytes = Buffer.byteLength(JSON.stringify(variables), 'utf8');
      if (bytes > MAX_VARIABLES_BYTES) {
        throw new AppError('request.variables_too_large', `The variables take ${bytes} bytes; the limit is ${MAX_VARIABLES_BYTES}`, {
          bytes,
          maxBytes: MAX_VARIABLES_BYTES,
        });
      }
    }
    return next();
  };
}
