import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { AppError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { acting } from '../http/acting.ts';
import * as r from './route-defs.ts';
import { byDate, type ProcedureRecord, type ProcedureVersion } from './read.ts';
import { localDate } from '../time.ts';
import { createProcedure, publishProcedure, retireProcedure, saveProcedureDraft } from './service.ts';
import type { Ports } from '../modules/ports.ts';

/**
 * Catalogue routes. Reading needs catalogue.read (every role); drafts are shown only to holders
 * of catalogue.edit. Procedures belong to no unit: editing and publishing need a province-wide grant.
 */

async function province(c: Context<AppEnv>, permission: string): Promise<void> {
  await c.var.authz.assert(permission, null);
}

const seesDrafts = (c: Context<AppEnv>) => c.var.authz.hasAnywhere('catalogue.edit');

/**
 * The API view on a Vietnam date: the version in force then in full (else the newest published,
 * else the latest one the caller may see), the versions published to apply later, all as summaries.
 */
function view(p: ProcedureRecord, today: string) {
  const { inForce, upcoming } = byDate(p.versions, today);
  const current = inForce ?? p.versions.find((v) => v.version === p.publishedVersion) ?? p.versions.at(-1)!;
  const summaryOf = ({ document: _d, bindings: _b, code: _c, ...rest }: ProcedureVersion) => rest;
  const { versions: _all, ...head } = p;
  return { ...head, current, upcoming: upcoming.map(summaryOf), versions: p.versions.map(summaryOf) };
}

export function registerCatalogueRoutes(
  app: OpenAPIHono<AppEnv>,
  ports: Pick<Ports, 'audit' | 'catalogue' | 'clock' | 'config' | 'db' | 'engine' | 'events' | 'log'>,
): void {
  const respond = <S extends 200 | 201>(c: Context<AppEnv>, p: ProcedureRecord, status: S) => {
    c.header('etag', `"${p.lockVersion}"`);
    return c.json(view(p, localDate(ports.clock.now())), status);
  };

  app.openapi(r.list, async (c) => {
    const query = c.req.valid('query');
    if (query.status === 'draft' && !seesDrafts(c))
      throw new AppError('auth.forbidden', 'Permission "catalogue.edit" is required to search drafts');
    const svc = ports;
    return c.json(await svc.catalogue.search(svc.db.em(), query), 200);
  });

  app.openapi(r.create, async (c) => {
    await province(c, 'catalogue.edit');
    const svc = ports;
    const p = await createProcedure(svc, acting(c), c.req.valid('json'));
    return respond(c, p, 201);
  });

  app.openapi(r.detail, async (c) => {
    const { code } = c.req.valid('param');
    const svc = ports;
    const p = await svc.catalogue.get(svc.db.em(), code, { drafts: seesDrafts(c) });
    if (!p) throw new AppError('catalogue.not_found', `No procedure ${code}`);
    return respond(c, p, 200);
  });

  app.openapi(r.version, async (c) => {
    const { code, version } = c.req.valid('param');
    const svc = ports;
    const v = await svc.catalogue.version(svc.db.em(), code, version);
    if (!v || (v.status === 'draft' && !seesDrafts(c))) throw new AppError('catalogue.not_found', `No version ${version} of ${code}`);
    return c.json(v, 200);
  });

  app.openapi(r.update, async (c) => {
    await province(c, 'catalogue.edit');
    const { code } = c.req.valid('param');
    const svc = ports;
    const p = await saveProcedureDraft(svc, acting(c), code, c.req.valid('json'));
    return respond(c, p, 200);
  });

  app.openapi(r.publish, async (c) => {
    await province(c, 'catalogue.publish');
    const { code } = c.req.valid('param');
    const svc = ports;
    const p = await publishProcedure(svc, acting(c), code, c.req.valid('json'));
    return respond(c, p, 200);
  });

  app.openapi(r.retire, async (c) => {
    await province(c, 'catalogue.publish');
    const { code } = c.req.valid('param');
    const svc = ports;
    const p = await retireProcedure(svc, acting(c), code, c.req.valid('json'));
    return respond(c, p, 200);
  });

  app.openapi(r.sectors, async (c) => c.json(await ports.catalogue.sectors(ports.db.em()), 200));

  app.openapi(r.agencies, async (c) =>
    c.json(await ports.catalogue.agencies(ports.db.em(), { used: c.req.valid('query').used === 'true' }), 200),
  );
}
