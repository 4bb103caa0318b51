import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { defineRoute } from '../http/route.ts';
import { json } from '../http/schemas.ts';
import { compileErrors } from './run-errors.ts';
import { callerOf } from './caller.ts';
import { deployDefinitions } from './instance-service.ts';
import type { EnginePorts } from './ports.ts';

const Definition = z
  .object({
    id: z.string(),
    key: z.string(),
    version: z.number().int(),
    name: z.string().nullable(),
    hash: z.string(),
    deploymentId: z.string(),
    createdAt: z.string(),
  })
  .openapi('ProcessDefinition');
const KeyParam = z.object({
  key: z
    .string()
    .min(1)
    .max(255)
    .openapi({ param: { name: 'key', in: 'path' } }),
});

const deploy = defineRoute({
  method: 'post',
  path: '/api/definitions',
  operationId: 'deployDefinitions',
  tags: ['engine'],
  summary: 'Deploy a BPMN file: each executable process becomes a definition keyed by process id (same content → same version)',
  permission: 'process.deploy',
  request: {
    query: z.object({ name: z.string().max(255).optional() }),
    body: { required: true, content: { 'application/xml': { schema: z.string() }, 'text/xml': { schema: z.string() } } },
  },
  responses: {
    200: json(
      z.object({ definitions: z.array(Definition.extend({ created: z.boolean() })), warnings: z.array(z.string()) }),
      'Nothing new: every process was already deployed with this content',
    ),
    201: json(z.object({ definitions: z.array(Definition.extend({ created: z.boolean() })), warnings: z.array(z.string()) }), 'Deployed'),
  },
  errors: ['auth.forbidden_scope', ...compileErrors, 'conflict.duplicate'],
});
const list = defineRoute({
  method: 'get',
  path: '/api/definitions',
  operationId: 'listDefinitions',
  tags: ['engine'],
  summary: 'The latest version of every deployed process',
  permission: 'process.read',
  responses: { 200: json(z.array(Definition), 'Definitions') },
});
const versions = defineRoute({
  method: 'get',
  path: '/api/definitions/{key}/versions',
  operationId: 'listDefinitionVersions',
  tags: ['engine'],
  summary: 'All versions of one process',
  permission: 'process.read',
  request: { params: KeyParam },
  errors: ['process.definition_not_found'],
  responses: { 200: json(z.array(Definition), 'Versions') },
});
const xml = defineRoute({
  method: 'get',
  path: '/api/definitions/{key}/{version}/xml',
  operationId: 'getDefinitionXml',
  tags: ['engine'],
  summary: 'The BPMN file a version was deployed from',
  permission: 'process.read',
  request: {
    params: KeyParam.extend({
      version: z.coerce
        .number()
        .int()
        .positive()
        .openapi({ param: { name: 'version', in: 'path' } }),
    }),
  },
  responses: { 200: { description: 'BPMN XML', content: { 'application/xml': { schema: z.string() } } } },
  errors: ['process.definition_not_found'],
});

export function registerDefinitionRoutes(app: OpenAPIHono<AppEnv>, ports: EnginePorts): void {
  app.openapi(deploy, async (c) => {
    // Definitions belong to no unit: deploying takes a province-wide grant (checked before the body is read).
    if (!c.var.authz.isGlobal('process.deploy')) await c.var.authz.assert('process.deploy', null);
    const type = c.req.header('content-type') ?? '';
    if (!/^(application|text)\/xml\b/.test(type))
      throw new AppError('request.unsupported_media_type', 'Send the BPMN file as application/xml');
    const result = await deployDefinitions(ports, callerOf(c), await c.req.text(), c.req.valid('query').name ?? null);
    return c.json(result, result.definitions.some((d) => d.created) ? 201 : 200);
  });

  app.openapi(list, async (c) => c.json(await ports.engine.definitions.list(ports.db.em()), 200));

  app.openapi(versions, async (c) => c.json(await ports.engine.definitions.versions(ports.db.em(), c.req.valid('param').key), 200));

  app.openapi(xml, async (c) => {
    const { key, version } = c.req.valid('param');
    const body = await ports.engine.definitions.xml(ports.db.em(), key, version);
    return c.body(body, 200, { 'content-type': 'application/xml; charset=utf-8' });
  });
}
