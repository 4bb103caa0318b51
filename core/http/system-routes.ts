import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './env.ts';
import { defineRoute } from './route.ts';
import { HOME_CSS, HOME_STYLESHEET, homePage } from './home-page.ts';
import { serveStylesheet } from './stylesheet.ts';
import { registerAppUi } from './app-ui.ts';
import { openApiDocument } from './openapi-document.ts';
import type { Ports } from '../modules/ports.ts';
import { sql } from '../db/sql.ts';

const Health = z
  .object({
    status: z.enum(['ok', 'degraded']),
    version: z.string(),
    database: z.object({ dialect: z.enum(['sqlite', 'postgresql']), reachable: z.boolean() }),
    plugins: z.array(z.object({ id: z.string(), version: z.string() })),
    time: z.string(),
  })
  .openapi('Health');

const health = defineRoute({
  method: 'get',
  path: '/api/health',
  operationId: 'getHealth',
  tags: ['system'],
  summary: 'Liveness and readiness: database reachable, version, enabled plugins',
  permission: 'public',
  responses: {
    200: { description: 'Healthy', content: { 'application/json': { schema: Health } } },
    503: { description: 'Database unreachable', content: { 'application/json': { schema: Health } } },
  },
});

export function registerSystemRoutes(app: OpenAPIHono<AppEnv>, ports: Pick<Ports, 'clock' | 'config' | 'db' | 'plugins'>): void {
  app.openapi(health, async (c) => {
    const svc = ports;
    let reachable = true;
    try {
      await sql(svc.db.em()).all('SELECT 1');
    } catch {
      reachable = false;
    }
    const body = {
      status: reachable ? ('ok' as const) : ('degraded' as const),
      version: svc.config.version,
      database: { dialect: svc.db.dialect, reachable },
      plugins: svc.plugins.info(),
      time: svc.clock.now().toISOString(),
    };
    return reachable ? c.json(body, 200) : c.json(body, 503);
  });

  app.get('/', async (c) => {
    const demo = ports.config.demo && ports.db.dialect === 'sqlite';
    return c.html(homePage(ports.config.version, demo));
  });

  serveStylesheet(app, HOME_STYLESHEET, HOME_CSS);
  registerAppUi(app);

  app.get('/api/openapi.json', (c) => c.json(openApiDocument(app, ports.config.version)));
}
