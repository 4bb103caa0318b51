import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { defineRoute } from '../http/route.ts';
import { json } from '../http/schemas.ts';
import type { ElementTemplate, PluginUi } from './define-plugin.ts';
import { readUiAsset } from './ui-assets.ts';

const tags = ['plugins'];
const templates = defineRoute({
  method: 'get',
  path: '/element-templates',
  operationId: 'pluginElementTemplates',
  tags,
  summary: 'Camunda element templates of the enabled plugins, for the designer (written ones and those generated from handler schemas)',
  permission: 'process.deploy',
  responses: { 200: json(z.array(z.record(z.string(), z.unknown())), 'Element templates') },
});
const Label = z.object({ vi: z.string(), en: z.string().optional() });
const ui = defineRoute({
  method: 'get',
  path: '/ui',
  operationId: 'pluginUi',
  tags,
  summary: "The plugins' UI contributions: menu entries the caller may use, screens, and the module to load for them",
  permission: 'authenticated',
  responses: {
    200: json(
      z.array(
        z.object({
          plugin: z.string(),
          entry: z.string().nullable().describe('URL of the module that defines the elements'),
          elements: z.array(z.string()),
          navigation: z.array(z.object({ label: Label, path: z.string(), permission: z.string() })),
          routes: z.array(z.object({ path: z.string(), element: z.string() })),
        }),
      ),
      'UI contributions',
    ),
  },
});

/** What these routes read of the plugin host (host.ts mounts them, passing itself). */
export interface PluginListings {
  elementTemplates(): ElementTemplate[];
  uiContributions(): { id: string; ui: PluginUi }[];
}

/** `/api/plugins/…` (element templates, UI contributions) and `/plugins/<id>/ui/…` (each plugin's UI files). */
export function mountPluginSystemRoutes(app: OpenAPIHono<AppEnv>, host: PluginListings, makeRouter: () => OpenAPIHono<AppEnv>): void {
  const router = makeRouter();
  router.openapi(templates, (c) => c.json(host.elementTemplates(), 200));
  router.openapi(ui, (c) => {
    const authz = c.var.authz;
    return c.json(
      host.uiContributions().map(({ id, ui: u }) => ({
        plugin: id,
        entry: u.entry && u.assets ? `/plugins/${id}/ui/${u.entry}` : null,
        elements: u.elements ?? [],
        navigation: (u.navigation ?? []).filter((n) => authz.hasAnywhere(n.permission)),
        routes: u.routes ?? [],
      })),
      200,
    );
  });
  app.route('/api/plugins', router);

  // Public like the app's own scripts: code and styles, never data. Only files under the declared folder.
  app.get('/plugins/:id/ui/*', async (c) => {
    const id = c.req.param('id');
    const assets = host.uiContributions().find((p) => p.id === id)?.ui.assets;
    const prefix = `/plugins/${id}/ui/`;
    const rawPath = new URL(c.req.url).pathname;
    let relative: string;
    try {
      relative = decodeURIComponent(rawPath.slice(prefix.length));
    } catch {
      relative = '';
    }
    const file = assets && rawPath.startsWith(prefix) ? await readUiAsset(assets, relative) : null;
    if (!file) throw new AppError('request.not_found', `No UI file ${rawPath}`);
    return c.body(file.body as unknown as ArrayBuffer, 200, {
      'content-type': file.type,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
  });
}
