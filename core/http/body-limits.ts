import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { matchedRoutes } from 'hono/route';
import type { AppConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import type { AppEnv } from './env.ts';

/**
 * Body limits. Every request body under /api is bounded by MOTCUA_BODY_LIMIT_BYTES, except on a
 * route that declares a limit of its own (`defineRoute({ bodyLimit })`, e.g. a scan upload of up
 * to MOTCUA_ATTACHMENT_MAX_BYTES). The limit is applied here, at the edge, before anything reads
 * the body (the JSON limits after it included), so no route can be made to read an unbounded body.
 */

/** The route's own limit, from the configuration. */
export type RouteBodyLimit = (config: AppConfig) => number;

const OWN_LIMIT = Symbol('motcua.bodyLimit');

/** Marks a route's middleware (from defineRoute) with the route's own body limit. */
export function withBodyLimit<M extends MiddlewareHandler<AppEnv>>(middleware: M, limit: RouteBodyLimit | undefined): M {
  if (limit) Object.defineProperty(middleware, OWN_LIMIT, { value: limit });
  return middleware;
}

/** The body limit of the route this request goes to: its own when it declares one, else the app's. */
function limitOf(c: Parameters<MiddlewareHandler<AppEnv>>[0], config: AppConfig): number {
  for (const route of matchedRoutes(c)) {
    const own = (route.handler as { [OWN_LIMIT]?: RouteBodyLimit })[OWN_LIMIT];
    if (own) return own(config);
  }
  return config.bodyLimitBytes;
}

/** 413 `request.too_large` for a body over the route's limit (by Content-Length, or counted while read). */
export function bodyLimits(config: AppConfig): MiddlewareHandler<AppEnv> {
  const byLimit = new Map<number, MiddlewareHandler>();
  const limiter = (maxSize: number) => {
    let mw = byLimit.get(maxSize);
    if (!mw) {
      mw = bodyLimit({
        maxSize,
        onError: () => {
          throw new AppError('request.too_large', `The body exceeds ${maxSize} bytes`, { limit: maxSize });
        },
      });
      byLimit.set(maxSize, mw);
    }
    return mw;
  };
  return (c, next) => limiter(limitOf(c, config))(c, next);
}
