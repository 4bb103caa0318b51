import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { acting } from '../http/acting.ts';
import type { Ports } from '../modules/ports.ts';
import * as r from './route-defs.ts';
import { registerAttachmentRoutes } from './attachment-routes.ts';

/** Dossier routes: validate, then one call of the dossier service, which owns the transaction. */
export function registerDossierRoutes(app: OpenAPIHono<AppEnv>, ports: Pick<Ports, 'dossiers' | 'dossierAttachments'>): void {
  app.openapi(r.create, async (c) => c.json(await ports.dossiers.create(acting(c), c.var.authz, c.req.valid('json')), 201));

  app.openapi(r.receive, async (c) =>
    c.json(await ports.dossiers.receive(acting(c), c.var.authz, c.req.valid('param').code, c.req.valid('json')), 200),
  );

  app.openapi(r.detail, async (c) => c.json(await ports.dossiers.get(c.var.authz, c.req.valid('param').code), 200));

  registerAttachmentRoutes(app, ports);
}
