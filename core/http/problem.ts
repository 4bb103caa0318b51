import type { Context } from 'hono';
import { AppError, describeError } from '../errors.ts';

/** Picks the Vietnamese title unless the client prefers English (vi is the default UI language). */
export function prefersEnglish(acceptLanguage: string | undefined): boolean {
  if (!acceptLanguage) return false;
  const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en');
}

/** Renders an error as RFC 9457 problem details with a stable `code`. */
export function problemResponse(c: Context, err: AppError, requestId: string | undefined): Response {
  const def = describeError(err.code);
  const english = prefersEnglish(c.req.header('accept-language'));
  const body: Record<string, unknown> = {
    type: `https://motcua.dev/errors/${err.code}`,
    title: english || !def.vi ? def.title : def.vi,
    status: err.status,
    code: err.code,
    ...(err.detail ? { detail: err.detail } : {}),
    instance: c.req.path,
    ...(requestId ? { requestId } : {}),
    ...(err.extra ?? {}),
  };
  const headers: Record<string, string> = { 'content-type': 'application/problem+json; charset=utf-8', ...(err.headers ?? {}) };
  if (requestId) headers['x-request-id'] = requestId;
  return new Response(JSON.stringify(body), { status: err.status, headers });
}
