import { readFileSync } from 'node:fs';
import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/env.ts';
import { defineRoute } from '../../http/route.ts';
import { serveStylesheet } from '../../http/stylesheet.ts';
import type { Ports } from '../../modules/ports.ts';
import type { FormNo } from './view-models.ts';

/** `GET /api/dossiers/{code}/forms/{no}`: a statutory form as printable HTML, and the forms' stylesheet. */

export const FORMS_STYLESHEET = '/assets/forms.css';
const css = readFileSync(new URL('./forms.css', import.meta.url), 'utf8');

export const form = defineRoute({
  method: 'get',
  path: '/api/dossiers/{code}/forms/{no}',
  operationId: 'getDossierForm',
  tags: ['dossiers'],
  summary:
    'A statutory form of the dossier as printable A4 HTML in Vietnamese (Circular 03/2025): 01 receipt and appointment slip, 02 supplement request, 03 refusal, 04 apology and extension, 05 notice to stop; 06–07 come with hops',
  permission: 'dossier.read',
  request: {
    params: z.object({
      code: z
        .string()
        .min(1)
        .max(100)
        .openapi({ param: { name: 'code', in: 'path' }, example: 'DEMO.TTPVHCC-260302-0001' }),
      no: z
        .string()
        .regex(/^0?[1-7]$/, 'a form number from 01 to 07')
        .openapi({ param: { name: 'no', in: 'path' }, example: '01' }),
    }),
  },
  errors: ['dossier.not_found', 'dossier.form_not_available'],
  responses: {
    200: { description: 'The form, an HTML page linking its print stylesheet', content: { 'text/html': { schema: z.string() } } },
  },
});

export function registerFormRoutes(app: OpenAPIHono<AppEnv>, ports: Pick<Ports, 'dossierForms'>): void {
  serveStylesheet(app, FORMS_STYLESHEET, css);
  app.openapi(form, async (c) => {
    const { code, no } = c.req.valid('param');
    const body = await ports.dossierForms.render(c.var.authz, code, no.padStart(2, '0') as FormNo);
    return c.body(body, 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  });
}
