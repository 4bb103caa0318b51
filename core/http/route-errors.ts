import { z } from '@hono/zod-openapi';
import { describeError, errorCatalogue, type CoreErrorCode } from '../errors.ts';
import { Problem } from './schemas.ts';

/** An error code a route may answer with: a core code, or a plugin's (registered with `defineErrors`). */
export type ErrorCode = CoreErrorCode | (string & {});

/** What of a route decides which errors the platform itself may answer before or around its handler. */
export interface RouteShape {
  method: string;
  permission: string;
  request?: { params?: unknown; query?: unknown; headers?: unknown; body?: { content?: Record<string, unknown> } };
}

const STATE_CHANGING = new Set(['post', 'put', 'patch', 'delete']);

/**
 * The error codes every route of its shape may answer, whatever its handler does: validation,
 * malformed JSON and body limits (request), CSRF (state-changing methods), identity (a bad bearer
 * token anywhere; no session on non-public routes), the route's permission, and the last resort.
 */
export function commonErrors(route: RouteShape): ErrorCode[] {
  const codes: ErrorCode[] = [];
  const req = route.request ?? {};
  const body = req.body;
  if (req.params || req.query || req.headers || body) codes.push('request.invalid');
  if (body?.content && 'application/json' in body.content) codes.push('request.malformed_json');
  // The edge reads any JSON body before the route's media type gate: too deep, or variables too large.
  if (body) codes.push('request.too_large', 'request.unsupported_media_type', 'request.too_deep', 'request.variables_too_large');
  codes.push('auth.token_invalid');
  if (route.permission !== 'public') codes.push('auth.required', 'auth.session_expired');
  if (STATE_CHANGING.has(route.method)) codes.push('auth.csrf');
  if (route.permission !== 'public' && route.permission !== 'authenticated') codes.push('auth.forbidden');
  codes.push('internal');
  return codes;
}

/** Fails at definition time on a code nobody catalogued (its status would be a guess). */
function statusOf(code: string, operationId: string): number {
  const known = code in errorCatalogue || describeError(code) !== errorCatalogue.internal;
  if (!known)
    throw new Error(
      `Route ${operationId} declares error "${code}", which is not catalogued (core/errors.ts, or the plugin's defineErrors)`,
    );
  return describeError(code).status;
}

/**
 * One `application/problem+json` response per status, generated from the codes: the description
 * lists each code with its title, `code` is an enum of them, and `x-error-codes` repeats them for
 * tools. The document therefore says exactly what the route declares, and a fuzzer can hold the
 * server to it.
 */
export function problemResponses(codes: readonly ErrorCode[], operationId: string): Record<number, object> {
  const byStatus = new Map<number, string[]>();
  for (const code of new Set(codes)) {
    const status = statusOf(code, operationId);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<number, object> = {};
  for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    const sorted = [...list].sort();
    out[status] = {
      description: sorted.map((c) => `\`${c}\`: ${describeError(c).title}`).join('; '),
      'x-error-codes': sorted,
      content: { 'application/problem+json': { schema: Problem.extend({ code: z.enum(sorted as [string, ...string[]]) }) } },
    };
  }
  return out;
}
