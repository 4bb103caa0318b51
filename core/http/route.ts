import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';
import { assertSameOrigin } from '../auth/csrf.ts';
import type { AppEnv } from './env.ts';

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
    if (permission !== 'authenticated' && !c.var.authz.hasAnywhere(permission)) {
      throw new AppError('auth.forbidden', `Permission "${permission}" is required`);
    }
    return next();
  };
}

/**
 * Declares a route: OpenAPI description, zod validation and the permission it needs, in one
 * place. Every route of core and of plugins is made with this; a test checks that every
 * operation in the OpenAPI document names its permission (`x-permission`).
 */
export function defineRoute<R extends Omit<RouteConfig, 'middleware'>>(config: R & { permission: RoutePermission }): R & { 'x-permission': RoutePermission } {
  const { permission, ...route } = config;
  const full = {
    ...route,
    'x-permission': permission,
    ...(permission === 'public' ? {} : { security: [{ session: [] }, { bearer: [] }] }),
    middleware: requirePermission(permission),
  };
  return createRoute(full as unknown as R & { path: string }) as unknown as R & { 'x-permission': RoutePermission };
}
