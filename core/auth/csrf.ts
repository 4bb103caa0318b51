import type { Context } from 'hono';
import { AppError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function bearerToken(header: string | undefined): string | null {
  const m = header?.match(/^Bearer\s+(\S+)$/i);
  return m ? m[1] : null;
}

/**
 * CSRF defence: a state-changing request must prove it comes from our own origin, by
 * Sec-Fetch-Site or by Origin. "Our origin" is the configured public origin (MOTCUA_PUBLIC_URL,
 * http/public-origin.ts), never one derived from the Host header, which the sender chooses.
 * Requests with a bearer token
 * carry no ambient credential and are exempt. Throws 403 `auth.csrf` otherwise.
 *
 * Who calls it: the `csrfGuard` middleware for every request that carries a valid session
 * cookie (the ambient credential a foreign site could ride on), and the route middleware of
 * public routes, whoever calls them, because login creates a session (no login CSRF).
 * A request with neither reaches no credential: a non-public route answers it 401.
 */
export function assertSameOrigin(c: Context<AppEnv>): void {
  if (SAFE_METHODS.has(c.req.method) || bearerToken(c.req.header('authorization'))) return;
  const site = c.req.header('sec-fetch-site');
  if (site === 'same-origin' || site === 'none') return;
  if (site) throw new AppError('auth.csrf', `Sec-Fetch-Site "${site}" is not allowed for ${c.req.method}`);
  const origin = c.req.header('origin');
  if (!origin) throw new AppError('auth.csrf', 'A state-changing request must carry an Origin header (or use an API token)');
  if (c.var.trustedOrigins.includes(origin)) return;
  throw new AppError('auth.csrf', `Origin ${origin} is not this site`);
}
