import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { acting } from '../http/acting.ts';
import { defineRoute } from '../http/route.ts';
import { IdParam, json, jsonBody } from '../http/schemas.ts';
import { unitLevels } from './entities.ts';
import { roles } from './roles.ts';
import { addUnit, editUnit, listVisibleUnits, unitDetail } from './units-service.ts';
import { unitView } from './views.ts';
import { localDate } from '../time.ts';
import type { Ports } from '../modules/ports.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const UnitView = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    level: z.enum(unitLevels),
    parentId: z.string().nullable(),
    path: z.string(),
    validFrom: z.string().nullable(),
    validTo: z.string().nullable(),
    successorId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int(),
  })
  .openapi('Unit');
const UnitDetail = UnitView.extend({
  nameHistory: z.array(z.object({ name: z.string(), code: z.string(), validTo: z.string() })),
}).openapi('UnitDetail');
const UnitCreate = z
  .object({
    code: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._-]+$/),
    name: z.string().min(1).max(255),
    level: z.enum(unitLevels),
    parentId: z.string().max(64).nullable().optional(),
    validFrom: isoDate.nullable().optional(),
  })
  .openapi('UnitCreate');
const UnitPatch = z
  .object({
    version: z.number().int().describe('The version you read: a stale one is refused with 409'),
    code: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._-]+$/)
      .optional(),
    name: z.string().min(1).max(255).optional(),
    level: z.enum(unitLevels).optional(),
    parentId: z.string().max(64).nullable().optional(),
    validFrom: isoDate.nullable().optional(),
    validTo: isoDate.nullable().optional().describe('Last day the unit exists (inclusive, Vietnam date); from the next day it is retired'),
    successorId: z.string().max(64).nullable().optional(),
  })
  .openapi('UnitPatch');

const listUnits = defineRoute({
  method: 'get',
  path: '/api/units',
  operationId: 'listUnits',
  tags: ['organisation'],
  summary: 'Units within your scope, as a flat list in tree order',
  permission: 'unit.read',
  request: { query: z.object({ includeRetired: z.enum(['true', 'false']).optional() }) },
  responses: { 200: json(z.array(UnitView), 'Units') },
});
const getUnit = defineRoute({
  method: 'get',
  path: '/api/units/{id}',
  operationId: 'getUnit',
  tags: ['organisation'],
  summary: 'One unit (by id or code) with its former names',
  permission: 'unit.read',
  request: { params: IdParam },
  errors: ['unit.not_found', 'auth.forbidden_scope'],
  responses: { 200: json(UnitDetail, 'Unit') },
});
const postUnit = defineRoute({
  method: 'post',
  path: '/api/units',
  operationId: 'createUnit',
  tags: ['organisation'],
  summary: 'Create a unit under a parent within your scope',
  permission: 'unit.manage',
  request: jsonBody(UnitCreate),
  errors: ['unit.not_found', 'unit.exists', 'unit.invalid_parent', 'auth.forbidden_scope', 'conflict.duplicate'],
  responses: { 201: json(UnitView, 'Created') },
});
const patchUnit = defineRoute({
  method: 'patch',
  path: '/api/units/{id}',
  operationId: 'updateUnit',
  tags: ['organisation'],
  summary: 'Rename, move, merge (successor) or retire (validTo) a unit',
  permission: 'unit.manage',
  request: { params: IdParam, ...jsonBody(UnitPatch) },
  errors: ['unit.not_found', 'unit.exists', 'unit.invalid_parent', 'auth.forbidden_scope', 'conflict.stale', 'conflict.duplicate'],
  responses: { 200: json(UnitView, 'Updated') },
});
const listRoles = defineRoute({
  method: 'get',
  path: '/api/roles',
  operationId: 'listRoles',
  tags: ['organisation'],
  summary: 'Roles and the permissions each holds',
  permission: 'authenticated',
  responses: {
    200: json(z.array(z.object({ role: z.string(), vi: z.string(), en: z.string(), permissions: z.array(z.string()) })), 'Roles'),
  },
});

export function registerOrgRoutes(app: OpenAPIHono<AppEnv>, ports: Pick<Ports, 'audit' | 'clock' | 'config' | 'db' | 'permissions'>): void {
  app.openapi(listUnits, async (c) => {
    const includeRetired = c.req.valid('query').includeRetired === 'true';
    const units = await listVisibleUnits(ports, c.var.authz, includeRetired, localDate(ports.clock.now()));
    return c.json(units.map(unitView), 200);
  });

  app.openapi(getUnit, async (c) => {
    const { unit, history } = await unitDetail(ports, c.var.authz, c.req.valid('param').id);
    return c.json(
      { ...unitView(unit), nameHistory: history.map((h) => ({ name: h.name, code: h.code, validTo: h.validTo.toISOString() })) },
      200,
    );
  });

  app.openapi(postUnit, async (c) => {
    const unit = await addUnit(ports, c.var.authz, acting(c), c.req.valid('json'));
    return c.json(unitView(unit), 201);
  });

  app.openapi(patchUnit, async (c) => {
    const unit = await editUnit(ports, c.var.authz, acting(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json(unitView(unit), 200);
  });

  app.openapi(listRoles, (c) => {
    const perms = ports.permissions;
    return c.json(
      Object.entries(roles).map(([role, label]) => ({
        role,
        vi: label.vi,
        en: label.en,
        permissions: perms
          .list()
          .filter((p) => perms.roleGrants(role, p.name))
          .map((p) => p.name),
      })),
      200,
    );
  });
}
