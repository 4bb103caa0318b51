import type { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import { OptimisticLockError, UniqueConstraintViolationException } from '@mikro-orm/core';
import { AppError } from '../errors.ts';
import { authenticate, csrfGuard } from '../auth/middleware.ts';
import type { AppEnv } from './env.ts';
import type { AnyModule } from '../modules/define-module.ts';
import { declaredPorts } from '../modules/compose.ts';
import type { Ports } from '../modules/ports.ts';
import { trustedOrigins } from './public-origin.ts';
import { createRouter } from './router.ts';
import { problemResponse } from './problem.ts';
import { jsonLimits } from './json-limits.ts';
import { bodyLimits } from './body-limits.ts';
import { securityHeaders } from './security-headers.ts';
import { allowedMethods } from './allowed-methods.ts';

function toAppError(err: unknown, contentType: string | undefined): AppError | null {
  if (err instanceof AppError) return err;
  if (err instanceof OptimisticLockError) return new AppError('conflict.stale');
  if (err instanceof UniqueConstraintViolationException) return new AppError('conflict.duplicate');
  if (err instanceof SyntaxError && /JSON/.test(err.message)) return new AppError('request.malformed_json', err.message);
  // hono's own HTTP errors: malformed JSON from the validator; a body of a media type the route
  // does not declare (@hono/zod-openapi's media type gate, before the validator)
  const status = (err as { status?: number }).status;
  if (status === 400) return new AppError('request.malformed_json', (err as Error).message);
  if (status === 415)
    return new AppError(
      'request.unsupported_media_type',
      `This route does not take a body of type ${contentType?.split(';')[0].trim() || '(none)'}; send application/json`,
    );
  return null;
}

/**
 * The HTTP shell. Middleware runs in this order, each step relying on the ones before it;
 * then the route's own middleware (permission, public routes' origin check, media type, zod).
 * Parser errors before any of this (431, 400) are answered by the server (listen.ts).
 */
export function createApp(services: Ports, modules: AnyModule[]): OpenAPIHono<AppEnv> {
  const app = createRouter();
  // 1. A request id on every response, errors included.
  app.use('*', requestId({ limitLength: 64 }));
  // 2. Security headers on every response (CSP by content type, Permissions-Policy, HSTS over https).
  app.use('*', securityHeaders(services.config));
  app.use('*', async (c, next) => {
    // Per request: `serve` settles the listen address (the default public origin) after the app is built.
    c.set('trustedOrigins', trustedOrigins(services.config));
    await next();
  });
  // 3. Bytes of the body (413: the app's limit, or the route's own, body-limits.ts), then the shape of a JSON body (400 too deep, 413 variables),
  //    before anything recursive reads it.
  app.use('/api/*', bodyLimits(services.config));
  app.use('/api/*', jsonLimits());
  // 4. Who is calling (session cookie or API token); refuses nothing but a bad token.
  app.use('/api/*', authenticate(services));
  // 5. CSRF for requests carrying a live session cookie; without one a non-public route answers
  //    401, and public routes (login) check the origin in their route middleware.
  app.use('/api/*', csrfGuard());

  // Each module's routes get the ports it declared (requires and provides), nothing else.
  for (const m of modules) m.routes?.(app, declaredPorts(services, m, true));
  services.plugins.mountRoutes(app, createRouter);

  app.openAPIRegistry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: 'motcua_session' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'Personal API token (mct_…)',
  });

  // No route for this method and path: 405 with Allow when the path has other methods, else 404.
  // The path → methods table is built on the first miss, once every route (plugins too) is in.
  let methodsOf: ((path: string) => string[]) | undefined;
  app.notFound((c) => {
    methodsOf ??= allowedMethods(app.routes);
    const allowed = methodsOf(c.req.path);
    if (allowed.length > 0 && !allowed.includes(c.req.method)) {
      const allow = allowed.join(', ');
      return problemResponse(
        c,
        new AppError('request.method_not_allowed', `${c.req.path} answers ${allow}, not ${c.req.method}`, undefined, { allow }),
        c.get('requestId'),
      );
    }
    return problemResponse(c, new AppError('request.not_found', `No route for ${c.req.method} ${c.req.path}`), c.get('requestId'));
  });
  app.onError((err, c) => {
    const appErr = toAppError(err, c.req.header('content-type'));
    if (appErr) return problemResponse(c, appErr, c.get('requestId'));
    services.log.error({ err, requestId: c.get('requestId'), path: c.req.path }, 'unhandled error');
    return problemResponse(
      c,
      new AppError('internal', `Unexpected error; quote request id ${c.get('requestId')} when reporting it`),
      c.get('requestId'),
    );
  });
  return app;
}
