import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { AppError } from '../errors.ts';
import { sexes, User } from '../auth/entities.ts';
import type { AppEnv } from '../http/env.ts';
import { acting } from '../http/acting.ts';
import { defineRoute } from '../http/route.ts';
import { Grant, IdParam, json, jsonBody, UserView } from '../http/schemas.ts';
import { RoleAssignment } from './entities.ts';
import {
  createUser,
  findVisibleUser,
  grantRole,
  resetPassword,
  revokeRole,
  setUserActive,
  unlockUser,
  updateUser,
} from './users-service.ts';
import { userView } from './views.ts';
import { findVisibleUnit } from './units-service.ts';
import type { Ports } from '../modules/ports.ts';

const UserCreate = z
  .object({
    username: z.string().min(2).max(64),
    displayName: z.string().min(1).max(255),
    email: z.email().max(255).nullable().optional(),
    sex: z.enum(sexes).nullable().optional(),
    unitId: z.string().max(64).nullable().optional(),
    password: z.string().max(1024).optional().describe('Omit to generate one, returned once'),
  })
  .openapi('UserCreate');
const UserPatch = z
  .object({
    version: z.number().int(),
    displayName: z.string().min(1).max(255).optional(),
    email: z.email().max(255).nullable().optional(),
    sex: z.enum(sexes).nullable().optional(),
    unitId: z.string().max(64).nullable().optional(),
  })
  .openapi('UserPatch');
const UserDetail = UserView.extend({ grants: z.array(Grant) }).openapi('UserDetail');
const Created = z.object({ user: UserView, generatedPassword: z.string().optional() });

const listUsers = defineRoute({
  method: 'get',
  path: '/api/users',
  operationId: 'listUsers',
  tags: ['users'],
  summary: 'Accounts whose home unit is within your scope',
  permission: 'user.read',
  request: { query: z.object({ q: z.string().max(100).optional(), active: z.enum(['true', 'false']).optional() }) },
  responses: { 200: json(z.array(UserView), 'Users') },
});
const getUser = defineRoute({
  method: 'get',
  path: '/api/users/{id}',
  operationId: 'getUser',
  tags: ['users'],
  summary: 'One account (by id or username) with its roles',
  permission: 'user.read',
  request: { params: IdParam },
  errors: ['user.not_found', 'auth.forbidden_scope'],
  responses: { 200: json(UserDetail, 'User') },
});
const postUser = defineRoute({
  method: 'post',
  path: '/api/users',
  operationId: 'createUser',
  tags: ['users'],
  summary: 'Create an account in a unit within your scope',
  permission: 'user.manage',
  request: jsonBody(UserCreate),
  errors: ['unit.not_found', 'user.exists', 'auth.weak_password', 'auth.forbidden_scope', 'conflict.duplicate'],
  responses: { 201: json(Created, 'Created') },
});
const patchUser = defineRoute({
  method: 'patch',
  path: '/api/users/{id}',
  operationId: 'updateUser',
  tags: ['users'],
  summary: 'Edit an account (optimistic locking by version)',
  permission: 'user.manage',
  request: { params: IdParam, ...jsonBody(UserPatch) },
  errors: ['user.not_found', 'unit.not_found', 'auth.forbidden_scope', 'conflict.stale'],
  responses: { 200: json(UserView, 'Updated') },
});
const userAction = (action: 'disable' | 'enable' | 'unlock', summary: string) =>
  defineRoute({
    method: 'post',
    path: `/api/users/{id}/${action}`,
    operationId: `${action}User`,
    tags: ['users'],
    summary,
    permission: 'user.manage',
    request: { params: IdParam },
    errors: ['user.not_found', 'auth.forbidden_scope', 'conflict.stale'],
    responses: { 200: json(UserView, 'Done') },
  });
const resetPw = defineRoute({
  method: 'post',
  path: '/api/users/{id}/password',
  operationId: 'setUserPassword',
  tags: ['users'],
  summary: "Set a user's password (or generate one); ends their sessions",
  permission: 'user.manage',
  request: { params: IdParam, ...jsonBody(z.object({ password: z.string().max(1024).optional() })) },
  errors: ['user.not_found', 'auth.weak_password', 'auth.forbidden_scope', 'conflict.stale'],
  responses: { 200: json(z.object({ generatedPassword: z.string().optional() }), 'Set') },
});
const postGrant = defineRoute({
  method: 'post',
  path: '/api/role-assignments',
  operationId: 'grantRole',
  tags: ['users'],
  summary: 'Grant a role to a user within a unit (and its subunits)',
  permission: 'role.assign',
  request: jsonBody(
    z.object({ userId: z.string().max(64), role: z.string().max(64), unitId: z.string().max(64) }).openapi('RoleAssignmentCreate'),
  ),
  responses: { 201: json(z.object({ id: z.string(), userId: z.string(), role: z.string(), unitId: z.string() }), 'Granted') },
  errors: ['unit.not_found', 'user.not_found', 'role.unknown', 'auth.forbidden_scope', 'conflict.duplicate'],
});
const deleteGrant = defineRoute({
  method: 'delete',
  path: '/api/role-assignments/{id}',
  operationId: 'revokeRole',
  tags: ['users'],
  summary: 'Revoke a role assignment',
  permission: 'role.assign',
  request: { params: IdParam },
  errors: ['role.assignment_not_found', 'auth.forbidden_scope'],
  responses: { 204: { description: 'Revoked' } },
});

async function grantsOf(ports: Pick<Ports, 'db'>, userId: string) {
  const rows = await ports.db
    .em()
    .execute<{ id: string; role: string; unit_id: string; code: string; name: string }[]>(
      'SELECT ra.id, ra.role, ra.unit_id, u.code, u.name FROM role_assignments ra JOIN units u ON u.id = ra.unit_id WHERE ra.user_id = ? ORDER BY u.path, ra.role',
      [userId],
    );
  return rows.map((g) => ({ id: g.id, role: g.role, unitId: g.unit_id, unitCode: g.code, unitName: g.name }));
}

export function registerUserRoutes(app: OpenAPIHono<AppEnv>, ports: Pick<Ports, 'audit' | 'clock' | 'db'>): void {
  app.openapi(listUsers, async (c) => {
    const { q, active } = c.req.valid('query');
    const scopes = c.var.authz.scopes('user.read');
    const em = ports.db.em();
    const global = c.var.authz.isGlobal('user.read');
    const params: unknown[] = [];
    const where: string[] = [];
    const scopeSql = scopes.map((s) => {
      params.push(`${s}%`);
      return 'un.path LIKE ?';
    });
    if (global) scopeSql.push('u.unit_id IS NULL');
    where.push(`(${scopeSql.join(' OR ')})`);
    if (active) {
      where.push('u.active = ?');
      params.push(active === 'true');
    }
    if (q) {
      where.push('(lower(u.username) LIKE ? OR lower(u.display_name) LIKE ?)');
      params.push(`%${q.toLowerCase()}%`, `%${q.toLowerCase()}%`);
    }
    const ids = await em.execute<{ id: string }[]>(
      `SELECT u.id FROM users u LEFT JOIN units un ON un.id = u.unit_id WHERE ${where.join(' AND ')} ORDER BY u.username LIMIT 500`,
      params,
    );
    const users = await em.find(User, { id: { $in: ids.map((r) => r.id) } }, { orderBy: { username: 'asc' } });
    return c.json(users.map(userView), 200);
  });

  app.openapi(getUser, async (c) => {
    const user = await findVisibleUser(ports.db.em(), c.var.authz, c.req.valid('param').id);
    return c.json({ ...userView(user), grants: await grantsOf(ports, user.id) }, 200);
  });

  app.openapi(postUser, async (c) => {
    const body = c.req.valid('json');
    const svc = ports;
    const result = await svc.db.em().transactional(async (em) => {
      const unit = body.unitId ? await findVisibleUnit(em, c.var.authz, body.unitId) : null;
      await c.var.authz.assert('user.manage', unit?.id ?? null);
      return createUser(svc, em, acting(c), { ...body, unitId: unit?.id ?? null });
    });
    return c.json(
      { user: userView(result.user), ...(result.generatedPassword ? { generatedPassword: result.generatedPassword } : {}) },
      201,
    );
  });

  app.openapi(patchUser, async (c) => {
    const body = c.req.valid('json');
    const svc = ports;
    const user = await svc.db.em().transactional(async (em) => {
      const user = await findVisibleUser(em, c.var.authz, c.req.valid('param').id);
      await c.var.authz.assert('user.manage', user.unitId);
      if (body.unitId !== undefined && body.unitId !== user.unitId) {
        const unit = body.unitId ? await findVisibleUnit(em, c.var.authz, body.unitId) : null;
        await c.var.authz.assert('user.manage', unit?.id ?? null);
        body.unitId = unit?.id ?? null;
      }
      return updateUser(svc, em, acting(c), user.id, body);
    });
    return c.json(userView(user), 200);
  });

  const actions = {
    disable: (svc: Pick<Ports, 'audit' | 'clock'>, em: Parameters<typeof setUserActive>[1], a: ReturnType<typeof acting>, id: string) =>
      setUserActive(svc, em, a, id, false),
    enable: (svc: Pick<Ports, 'audit' | 'clock'>, em: Parameters<typeof setUserActive>[1], a: ReturnType<typeof acting>, id: string) =>
      setUserActive(svc, em, a, id, true),
    unlock: unlockUser,
  } as const;
  for (const [action, summary] of [
    ['disable', 'Disable an account: its sessions end at once and its API tokens stop working'],
    ['enable', 'Enable a disabled account'],
    ['unlock', 'Unlock an account locked after repeated failed logins'],
  ] as const) {
    app.openapi(userAction(action, summary), async (c) => {
      const svc = ports;
      const user = await svc.db.em().transactional(async (em) => {
        const user = await findVisibleUser(em, c.var.authz, c.req.valid('param').id);
        await c.var.authz.assert('user.manage', user.unitId);
        if (action === 'disable' && user.id === c.var.principal!.user.id)
          throw new AppError('request.invalid', 'You cannot disable your own account');
        return actions[action](svc, em, acting(c), user.id);
      });
      return c.json(userView(user), 200);
    });
  }

  app.openapi(resetPw, async (c) => {
    const svc = ports;
    const body = c.req.valid('json');
    const result = await svc.db.em().transactional(async (em) => {
      const user = await findVisibleUser(em, c.var.authz, c.req.valid('param').id);
      await c.var.authz.assert('user.manage', user.unitId);
      return resetPassword(svc, em, acting(c), user.id, body.password);
    });
    return c.json(result.generatedPassword ? { generatedPassword: result.generatedPassword } : {}, 200);
  });

  app.openapi(postGrant, async (c) => {
    const body = c.req.valid('json');
    const svc = ports;
    const ra = await svc.db.em().transactional(async (em) => {
      const unit = await findVisibleUnit(em, c.var.authz, body.unitId);
      await c.var.authz.assert('role.assign', unit.id);
      return grantRole(svc, em, acting(c), { ...body, unitId: unit.id });
    });
    return c.json({ id: ra.id, userId: ra.userId, role: ra.role, unitId: ra.unitId }, 201);
  });

  app.openapi(deleteGrant, async (c) => {
    const svc = ports;
    await svc.db.em().transactional(async (em) => {
      const ra = await em.findOne(RoleAssignment, { id: c.req.valid('param').id });
      if (!ra) throw new AppError('role.assignment_not_found');
      await c.var.authz.assertVisible('user.read', ra.unitId, () => new AppError('role.assignment_not_found'));
      await c.var.authz.assert('role.assign', ra.unitId);
      await revokeRole(svc, em, acting(c), ra);
    });
    return c.body(null, 204);
  });
}
