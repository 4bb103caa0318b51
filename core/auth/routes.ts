import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { AppEnv } from '../http/env.ts';
import { defineRoute } from '../http/route.ts';
import { publicOriginIsLocalHttp } from '../http/public-origin.ts';
import { Grant, IdParam, json, jsonBody, UserView } from '../http/schemas.ts';
import { userView } from '../org/views.ts';
import type { ApiToken } from './entities.ts';
import { changeOwnPassword, createOwnToken, ownGrants, ownTokens, revokeOwnToken } from './account-service.ts';
import { login, logout } from './login.ts';
import { SESSION_COOKIE } from './sessions.ts';
import type { Ports } from '../modules/ports.ts';
import type { AppConfig } from '../config.ts';

/** Secure cookies everywhere except a public origin of plain http on the local machine (development, demo). */
function cookieIsSecure(config: AppConfig): boolean {
  return !publicOriginIsLocalHttp(config);
}

function setSessionCookie(c: Context<AppEnv>, config: AppConfig, token: string): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: cookieIsSecure(config),
    path: '/',
    maxAge: Math.floor(config.sessionAbsoluteMs / 1000),
  });
}

function clientIp(c: Context): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}

const Credentials = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) }).openapi('Credentials');
const Me = z
  .object({ user: UserView, grants: z.array(Grant), permissions: z.array(z.string()), via: z.enum(['session', 'token']) })
  .openapi('Me');
const TokenView = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiToken');

const loginRoute = defineRoute({
  method: 'post',
  path: '/api/auth/login',
  operationId: 'login',
  tags: ['auth'],
  summary: 'Sign in with username and password; sets the session cookie',
  permission: 'public',
  request: jsonBody(Credentials),
  errors: ['auth.invalid_credentials', 'auth.disabled', 'auth.locked', 'auth.throttled'],
  responses: { 200: json(z.object({ user: UserView }), 'Signed in') },
});
const logoutRoute = defineRoute({
  method: 'post',
  path: '/api/auth/logout',
  operationId: 'logout',
  tags: ['auth'],
  summary: 'End the current session',
  permission: 'authenticated',
  responses: { 204: { description: 'Signed out' } },
});
const meRoute = defineRoute({
  method: 'get',
  path: '/api/me',
  operationId: 'getMe',
  tags: ['auth'],
  summary: 'The signed-in user, their roles by unit, and their permissions',
  permission: 'authenticated',
  responses: { 200: json(Me, 'Current user') },
});
const changePassword = defineRoute({
  method: 'post',
  path: '/api/me/password',
  operationId: 'changeMyPassword',
  tags: ['auth'],
  summary: 'Change your own password; ends your other sessions',
  permission: 'authenticated',
  request: jsonBody(z.object({ currentPassword: z.string().max(1024), newPassword: z.string().max(1024) })),
  errors: ['auth.invalid_credentials', 'auth.weak_password'],
  responses: { 204: { description: 'Changed' } },
});
const listTokens = defineRoute({
  method: 'get',
  path: '/api/me/tokens',
  operationId: 'listMyTokens',
  tags: ['auth'],
  summary: 'Your personal API tokens (never the secrets)',
  permission: 'authenticated',
  responses: { 200: json(z.array(TokenView), 'Tokens') },
});
const createToken = defineRoute({
  method: 'post',
  path: '/api/me/tokens',
  operationId: 'createMyToken',
  tags: ['auth'],
  summary: 'Create a personal API token (signed in with a password, not with another token); the secret is shown once',
  permission: 'authenticated',
  request: jsonBody(z.object({ name: z.string().min(1).max(128), expiresInDays: z.number().int().min(1).max(3650).optional() })),
  errors: ['auth.forbidden'],
  responses: { 201: json(TokenView.extend({ token: z.string() }), 'Created; keep the token now, it is not shown again') },
});
const revokeToken = defineRoute({
  method: 'delete',
  path: '/api/me/tokens/{id}',
  operationId: 'revokeMyToken',
  tags: ['auth'],
  summary: 'Revoke one of your API tokens',
  permission: 'authenticated',
  request: { params: IdParam },
  errors: ['request.not_found'],
  responses: { 204: { description: 'Revoked' } },
});

function tokenView(t: ApiToken) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    expiresAt: t.expiresAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

export function registerAuthRoutes(
  app: OpenAPIHono<AppEnv>,
  ports: Pick<Ports, 'audit' | 'clock' | 'config' | 'db' | 'permissions'>,
): void {
  app.openapi(loginRoute, async (c) => {
    const svc = ports;
    const body = c.req.valid('json');
    const { user, token } = await login(svc, {
      username: body.username,
      password: body.password,
      ip: clientIp(c),
      userAgent: c.req.header('user-agent') ?? null,
      requestId: c.var.requestId,
    });
    setSessionCookie(c, ports.config, token);
    return c.json({ user: userView(user) }, 200);
  });

  app.openapi(logoutRoute, async (c) => {
    const p = c.var.principal!;
    if (p.sessionId) await logout(ports, ports.db.em(), p.sessionId, p.user, c.var.requestId);
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: cookieIsSecure(ports.config) });
    return c.body(null, 204);
  });

  app.openapi(meRoute, async (c) => {
    const p = c.var.principal!;
    const grants = await ownGrants(ports, p);
    const permissions = ports.permissions
      .list()
      .map((d) => d.name)
      .filter((name) => c.var.authz.hasAnywhere(name));
    return c.json({ user: userView(p.user), grants, permissions, via: p.via }, 200);
  });

  app.openapi(changePassword, async (c) => {
    const meta = { ip: clientIp(c), userAgent: c.req.header('user-agent') ?? null };
    const rotated = await changeOwnPassword(ports, c.var.principal!, c.req.valid('json'), meta, c.var.requestId);
    if (rotated) setSessionCookie(c, ports.config, rotated);
    return c.body(null, 204);
  });

  app.openapi(listTokens, async (c) => {
    const rows = await ownTokens(ports, c.var.principal!);
    return c.json(rows.map(tokenView), 200);
  });

  app.openapi(createToken, async (c) => {
    const { row, token } = await createOwnToken(ports, c.var.principal!, c.req.valid('json'), c.var.requestId);
    return c.json({ ...tokenView(row), token }, 201);
  });

  app.openapi(revokeToken, async (c) => {
    await revokeOwnToken(ports, c.var.principal!, c.req.valid('param').id, c.var.requestId);
    return c.body(null, 204);
  });
}
