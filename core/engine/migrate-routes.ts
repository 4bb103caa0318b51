import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { defineRoute } from '../http/route.ts';
import { IdParam, json, jsonBody } from '../http/schemas.ts';
import { runErrors } from './run-errors.ts';
import { InstanceSchema } from './instance-routes.ts';
import { callerOf } from './caller.ts';
import { migrateDefinitionInstances, migrateInstance } from './instance-service.ts';
import type { EnginePorts } from './ports.ts';

const Migrate = z
  .object({
    toVersion: z.number().int().positive().describe('Version of the same definition key to move to'),
    activityMap: z
      .record(z.string().min(1).max(255), z.string().min(1).max(255))
      .optional()
      .describe('{oldActivityId: newActivityId} for activities renamed in the target version; others keep their id'),
  })
  .openapi('MigrateInstance');

const migrateOne = defineRoute({
  method: 'post',
  path: '/api/instances/{id}/migrate',
  operationId: 'migrateInstance',
  tags: ['engine'],
  summary:
    'Move a waiting instance to another version of its definition; refused (nothing changed) when a waiting activity has no compatible counterpart',
  permission: 'process.migrate',
  request: { params: IdParam, ...jsonBody(Migrate) },
  responses: {
    200: json(InstanceSchema, 'Migrated: the instance as it now is'),
  },
  errors: [
    'process.instance_not_found',
    'process.definition_not_found',
    'process.not_running',
    'process.migration_refused',
    'process.engine_version_unsupported',
    'auth.forbidden_scope',
    ...runErrors,
  ],
});

const migrateAll = defineRoute({
  method: 'post',
  path: '/api/definitions/{key}/{version}/migrate',
  operationId: 'migrateDefinitionInstances',
  tags: ['engine'],
  summary: 'Move every running instance of a version (within your units) to another version, each in its own transaction',
  permission: 'process.migrate',
  request: {
    params: z.object({
      key: z
        .string()
        .min(1)
        .max(255)
        .openapi({ param: { name: 'key', in: 'path' } }),
      version: z.coerce
        .number()
        .int()
        .positive()
        .openapi({ param: { name: 'version', in: 'path' } }),
    }),
    ...jsonBody(Migrate),
  },
  responses: {
    200: json(
      z
        .object({ migrated: z.array(z.string()), refused: z.array(z.object({ id: z.string(), code: z.string(), reason: z.string() })) })
        .openapi('MigrationReport'),
      'What moved and what did not (with the reason)',
    ),
  },
  errors: [
    'process.definition_not_found',
    'process.migration_refused',
    'process.engine_version_unsupported',
    'auth.forbidden_scope',
    ...runErrors,
  ],
});

export function registerMigrationRoutes(app: OpenAPIHono<AppEnv>, ports: EnginePorts): void {
  app.openapi(migrateOne, async (c) =>
    c.json(await migrateInstance(ports, callerOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.openapi(migrateAll, async (c) => {
    const { key, version } = c.req.valid('param');
    return c.json(await migrateDefinitionInstances(ports, callerOf(c), key, version, c.req.valid('json')), 200);
  });
}
