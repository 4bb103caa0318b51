import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';
import { assertSameOrigin } from '../auth/csrf.ts';
import type { AppEnv } from './env.ts';
import { withBodyLimit, type RouteBodyLimit } from './body-limits.ts';
import { commonErrors, problemResponses, type ErrorCode } from './route-errors.ts';

export type { ErrorCode } from './route-errors.ts';

/**
 * What a route demands of its caller. `public`: anyone, but a state-changing call must come
 * from our own origin whoever makes it (login creates a session: no login CSRF);
 * `authenticated`: any signed-in user; otherwise a permission name, checked here for "held in
 * some unit" and by the handler (`c.var.authz.assert(permission, unitId)`) for the unit of the
 * resource it touches. Signed-in cookie requests were checked for CSRF before (csrfGuard).
 */
export type RoutePermission = 'public' | 'authenticated' | (string & {});

export function requirePermission(permission: RoutePermission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (permission === 'public') {
      assertSameOrigin(c);
      return next();
    }
    if (!c.var.principal) throw new AppError(c.var.sessionExpired ? 'auth.session_expired' : 'auth.required');
    if (permission !== 'authenticated') c.var.authz.assertAnywhere(permission);
    return next();
  };
}

/** What a route declares besides hono's route config. */
export interface RouteDeclaration {
  /** Stable camelCase name of the operation (clients are generated from it), unique in the API. */
  operationId: string;
  permission: RoutePermission;
  /**
   * The error codes (core/errors.ts, or the plugin's) its handler and the services it calls may
   * raise. The platform's own (validation, identity, CSRF, permission, limits) are added here.
   */
  errors?: readonly ErrorCode[];
  /**
   * A body limit of the route's own instead of MOTCUA_BODY_LIMIT_BYTES (an upload of scans),
   * applied at the edge before anything reads the body (body-limits.ts).
   */
  bodyLimit?: RouteBodyLimit;
}

export type DefinedRoute<R> = R & { 'x-permission': RoutePermission; operationId: string };

/**
 * Declares a route: OpenAPI description, zod validation, the permission it needs and the errors
 * it may answer, in one place. Every route of core and of plugins is made with this. The error
 * responses of the document are generated from `errors` plus the platform's own codes, so they
 * cannot drift from what the route raises (tests/api-fuzz.test.ts holds the server to them).
 * `responses` lists the successes (and any non-problem answer such as health's 503).
 */
export function defineRoute<R extends Omit<RouteConfig, 'middleware' | 'operationId'>>(config: R & RouteDeclaration): DefinedRoute<R> {
  const { permission, errors = [], bodyLimit, ...route } = config;
  if (!/^[a-z][A-Za-z0-9]*$/.test(route.operationId)) throw new Error(`operationId "${route.operationId}" must be camelCase`);
  for (const status of Object.keys(route.responses)) {
    if (
      Number(status) >= 400 &&
      (route.responses as Record<string, { content?: Record<string, unknown> }>)[status]?.content?.['application/problem+json']
    ) {
      throw new Error(`Route ${route.operationId}: declare its ${status} problems in "errors", not in "responses"`);
    }
  }
  const problems = problemResponses(
    [...commonErrors({ method: route.method, permission, request: route.request as never }), ...errors],
    route.operationId,
  );
  const full = {
    ...route,
    responses: { ...problems, ...route.responses },
    'x-permission': permission,
    security: permission === 'public' ? [] : [{ session: [] }, { bearer: [] }],
    middleware: withBodyLimit(requirePermission(permission), bodyLimit),
  };
  return createRoute(full as unknown as R & { path: string }) as unknown as DefinedRoute<R>;
}
