import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { sexes } from '../auth/entities.ts';
import type { AppEnv } from '../http/env.ts';
import { acting } from '../http/acting.ts';
import { defineRoute } from '../http/route.ts';
import { Grant, IdParam, json, jsonBody, UserView } from '../http/schemas.ts';
import {
  addUser,
  editUser,
  grant,
  listVisibleUsers,
  resetUserPassword,
  revoke,
  userAction as applyUserAction,
  userDetail,
} from './users-service.ts';
import { userView } from './views.ts';
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

export function registerUserRoutes(
  app: OpenAPIHono<AppEnv>,
  ports: Pick<Ports, 'audit' | 'clock' | 'config' | 'db' | 'permissions'>,
): void {
  app.openapi(listUsers, async (c) => {
    const users = await listVisibleUsers(ports, c.var.authz, c.req.valid('query'));
    return c.json(users.map(userView), 200);
  });

  app.openapi(getUser, async (c) => {
    const { user, grants } = await userDetail(ports, c.var.authz, c.req.valid('param').id);
    return c.json({ ...userView(user), grants }, 200);
  });

  app.openapi(postUser, async (c) => {
    const result = await addUser(ports, c.var.authz, acting(c), c.req.valid('json'));
    return c.json(
      { user: userView(result.user), ...(result.generatedPassword ? { generatedPassword: result.generatedPassword } : {}) },
      201,
    );
  });

  app.openapi(patchUser, async (c) => {
    const user = await editUser(ports, c.var.authz, acting(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json(userView(user), 200);
  });

  for (const [action, summary] of [
    ['disable', 'Disable an account: its sessions end at once and its API tokens stop working'],
    ['enable', 'Enable a disabled account'],
    ['unlock', 'Unlock an account locked after repeated failed logins'],
  ] as const) {
    app.openapi(userAction(action, summary), async (c) => {
      const user = await applyUserAction(ports, c.var.authz, acting(c), c.req.valid('param').id, action);
      return c.json(userView(user), 200);
    });
  }

  app.openapi(resetPw, async (c) => {
    const result = await resetUserPassword(ports, c.var.authz, acting(c), c.req.valid('param').id, c.req.valid('json').password);
    return c.json(result.generatedPassword ? { generatedPassword: result.generatedPassword } : {}, 200);
  });

  app.openapi(postGrant, async (c) => {
    const ra = await grant(ports, c.var.authz, acting(c), c.req.valid('json'));
    return c.json({ id: ra.id, userId: ra.userId, role: ra.role, unitId: ra.unitId }, 201);
  });

  app.openapi(deleteGrant, async (c) => {
    await revoke(ports, c.var.authz, acting(c), c.req.valid('param').id);
    return c.body(null, 204);
  });
}
