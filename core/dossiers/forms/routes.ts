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
    'A statutory form of the dossier as printable A4 HTML in Vietnamese (Circular 03/2025): 01 receipt and appointment slip, 02 supplement request, 03 refusal, 04 apology and extension, 05 notice to stop, 06 process control slip (its hops); 07 is per unit (/api/units/{id}/forms/07)',
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

export const trackingLog = defineRoute({
  method: 'get',
  path: '/api/units/{id}/forms/07',
  operationId: 'getUnitTrackingLog',
  tags: ['dossiers'],
  summary:
    'Form 07, the tracking log (sổ theo dõi hồ sơ) of a unit over a period, as printable A4 HTML: every dossier the unit or a unit under it received in the period (at its desks, or handed over to it), with its appointment, hand-overs, return and status',
  permission: 'dossier.read',
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(64)
        .openapi({ param: { name: 'id', in: 'path' }, example: 'DEMO.TTPVHCC.Q1', description: 'The unit, by id or code' }),
    }),
    query: z.object({
      from: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day YYYY-MM-DD')
        .openapi({ example: '2026-03-01', description: 'First day of the period (Vietnam time), included' }),
      to: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day YYYY-MM-DD')
        .openapi({ example: '2026-03-31', description: 'Last day of the period (Vietnam time), included; at most 366 days' }),
    }),
  },
  errors: ['unit.not_found'],
  responses: {
    200: { description: 'The log, an HTML page linking its print stylesheet', content: { 'text/html': { schema: z.string() } } },
  },
});

export function registerFormRoutes(app: OpenAPIHono<AppEnv>, ports: Pick<Ports, 'dossierForms'>): void {
  serveStylesheet(app, FORMS_STYLESHEET, css);
  app.openapi(form, async (c) => {
    const { code, no } = c.req.valid('param');
    const body = await ports.dossierForms.render(c.var.authz, code, no.padStart(2, '0') as FormNo);
    return c.body(body, 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  });
  app.openapi(trackingLog, async (c) => {
    const { id } = c.req.valid('param');
    const { from, to } = c.req.valid('query');
    const body = await ports.dossierForms.renderLog(c.var.authz, id, from, to);
    return c.body(body, 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  });
}
