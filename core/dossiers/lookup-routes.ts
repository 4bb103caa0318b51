import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppConfig } from '../config.ts';
import { clientAddress, rateLimitSubject } from '../http/client-address.ts';
import type { AppEnv } from '../http/env.ts';
import { defineRoute } from '../http/route.ts';
import { json, jsonBody } from '../http/schemas.ts';
import type { Ports } from '../modules/ports.ts';
import { evaluationInput, INDICATOR_KEYS, lookupInput } from './evaluation-model.ts';

/**
 * The public lookup's API (no sign-in, `security: []`): the service is lookup.ts, the page
 * `/tra-cuu` lookup-pages.ts. Both routes are rate-limited per client and per code.
 */

const tags = ['public'];

const LookupResult = z
  .object({
    code: z.string(),
    status: z.number().int().describe('National status code 1–10 (docs/dossiers.md)'),
    statusName: z.string().describe('The status in plain Vietnamese'),
    procedureName: z.string(),
    receivedAt: z.string().nullable(),
    appointmentAt: z.string().nullable().describe('When the result is due to be returned'),
    history: z
      .array(z.object({ at: z.string(), text: z.string().describe('Vietnam time and what happened, in plain Vietnamese') }))
      .describe('Status changes, oldest first (hand-overs between units will join them)'),
    evaluation: z.enum(['not_yet', 'open', 'done']).describe('Whether the applicant may evaluate the dossier now (after status 10, once)'),
  })
  .strict()
  .openapi('DossierLookup');

const Indicators = z.object(Object.fromEntries(INDICATOR_KEYS.map((k) => [k, z.number().int()]))).openapi('EvaluationIndicators');

const EvaluationResult = z
  .object({
    code: z.string(),
    indicators: Indicators,
    totalPoints: z.number().int().describe('0–18'),
    satisfaction: z.number().int().describe('1 very dissatisfied … 5 very satisfied'),
    evaluatedAt: z.string(),
  })
  .openapi('DossierEvaluation');

const lookupErrors = ['dossier.lookup_failed', 'dossier.lookup_throttled'] as const;

export const lookupRoute = defineRoute({
  method: 'post',
  path: '/api/public/dossiers/lookup',
  operationId: 'lookUpDossier',
  tags,
  summary:
    'Public lookup (no sign-in): a dossier code and the last four digits of the applicant’s ID number or phone → status, appointment and timeline in plain Vietnamese. A wrong code and a wrong secret answer alike (404); rate-limited per client and per code (429)',
  permission: 'public',
  request: jsonBody(lookupInput),
  errors: lookupErrors,
  responses: { 200: json(LookupResult, 'What the applicant may read of the dossier, nothing else') },
});

export const evaluateRoute = defineRoute({
  method: 'post',
  path: '/api/public/dossiers/evaluation',
  operationId: 'evaluateDossier',
  tags,
  summary:
    'The applicant’s evaluation of a returned dossier (status 10), once: nine indicators of 0–2 points and satisfaction 1–5 (DOMAIN §8); same code and secret as the lookup',
  permission: 'public',
  request: jsonBody(evaluationInput),
  errors: [...lookupErrors, 'dossier.evaluation_not_open', 'dossier.evaluation_exists'],
  responses: { 201: json(EvaluationResult, 'The evaluation as stored') },
});

/** The client as the lookup's rate limit counts it. */
export function lookupSubject(c: Context<AppEnv>, config: Pick<AppConfig, 'trustProxy'>): string {
  return rateLimitSubject(clientAddress(c, config.trustProxy));
}

export function registerLookupRoutes(app: OpenAPIHono<AppEnv>, ports: Pick<Ports, 'dossierLookup' | 'config'>): void {
  app.openapi(lookupRoute, async (c) => {
    const found = await ports.dossierLookup.lookup(lookupSubject(c, ports.config), c.req.valid('json'));
    c.header('cache-control', 'no-store');
    return c.json(found, 200);
  });
  app.openapi(evaluateRoute, async (c) =>
    c.json(await ports.dossierLookup.evaluate(lookupSubject(c, ports.config), c.get('requestId'), c.req.valid('json')), 201),
  );
}
