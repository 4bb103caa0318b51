import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { acting } from '../http/acting.ts';
import { defineRoute } from '../http/route.ts';
import { IdParam, json, jsonBody } from '../http/schemas.ts';
import { runErrors } from './run-errors.ts';
import { InstanceSchema } from './instance-routes.ts';
import { activityMapper, migrateInstance } from './migrate.ts';
import { assertStateFormat } from './state-adapter.ts';
import { instanceNotFound } from './runtime.ts';
import { instanceView } from './views.ts';
import type { Ports } from '../modules/ports.ts';
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
  app.openapi(migrateOne, async (c) => {
    const svc = ports;
    const id = c.req.valid('param').id;
    await svc.db.em().transactional(async (em) => {
      const row = await svc.engine.loadInstance(em, id);
      await c.var.authz.assertVisible('process.read', row.unit_id, () => instanceNotFound(id));
      await c.var.authz.assert('process.migrate', row.unit_id);
      await migrateInstance(svc, em, acting(c), row, c.req.valid('json'));
    });
    const em = svc.db.em();
    return c.json(await instanceView(em, await svc.engine.loadInstance(em, id)), 200);
  });

  app.openapi(migrateAll, async (c) => {
    const svc = ports;
    const { key, version } = c.req.valid('param');
    const body = c.req.valid('json');
    const em = svc.db.em();
    const from = await svc.engine.definitions.resolve(em, key, version);
    const to = await svc.engine.definitions.resolve(em, key, body.toVersion);
    if (to.id === from.id) throw new AppError('process.migration_refused', `Source and target are both v${version}`);
    activityMapper(from, to, body.activityMap);
    assertStateFormat();
    const rows = await em.execute<{ id: string; unit_path: string | null }[]>(
      "SELECT id, unit_path FROM process_instances WHERE definition_id = ? AND status = 'running' ORDER BY started_at, id",
      [from.id],
    );
    const report: { migrated: string[]; refused: { id: string; code: string; reason: string }[] } = { migrated: [], refused: [] };
    for (const { id } of rows.filter((r) => c.var.authz.canPath('process.migrate', r.unit_path))) {
      try {
        await svc.db.em().transactional(async (tx) => {
          const row = await svc.engine.loadInstance(tx, id);
          if (row.definition_id !== from.id) throw new AppError('conflict.stale', `Instance ${id} is no longer on v${version}`);
          await c.var.authz.assert('process.migrate', row.unit_id);
          await migrateInstance(svc, tx, acting(c), row, body);
        });
        report.migrated.push(id);
      } catch (err) {
        if (!(err instanceof AppError)) svc.log.error({ err, instanceId: id }, 'migration failed');
        const e = err instanceof AppError ? err : new AppError('internal');
        report.refused.push({ id, code: e.code, reason: e.message });
      }
    }
    return c.json(report, 200);
  });
}
