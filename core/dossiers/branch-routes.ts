import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { acting } from '../http/acting.ts';
import type { AppEnv } from '../http/env.ts';
import { defineRoute } from '../http/route.ts';
import { json, jsonBody } from '../http/schemas.ts';
import type { Ports } from '../modules/ports.ts';
import { extension, paymentRecord, paymentRequest, resultReturn, stop, supplementReceipt, supplementRequest, withdrawal } from './model.ts';
import { Dossier } from './route-defs.ts';

/**
 * The branches of a received dossier (docs/dossiers.md, "Branches"; the table in transitions.ts):
 * each route validates its body and makes one call of `DossierBranches`, which owns the transaction.
 * A branch the dossier's status does not allow answers 409 `dossier.illegal_transition` with
 * `allowed`; a dossier changed meanwhile (or a `lockVersion` that is not the current one) 409
 * `conflict.stale`.
 */

const tags = ['dossiers'];
const params = z.object({
  code: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'code', in: 'path' }, example: 'DEMO.TTPVHCC-260302-0001' }),
});
const errors = ['dossier.not_found', 'dossier.illegal_transition', 'auth.forbidden_scope', 'conflict.stale'] as const;

const branch = <B extends z.ZodTypeAny>(o: {
  path: string;
  operationId: string;
  summary: string;
  permission: string;
  body: B;
  extra?: readonly string[];
}) =>
  defineRoute({
    method: 'post',
    path: `/api/dossiers/{code}/${o.path}`,
    operationId: o.operationId,
    tags,
    summary: o.summary,
    permission: o.permission,
    request: { params, ...jsonBody(o.body) },
    errors: [...errors, ...(o.extra ?? [])],
    responses: { 200: json(Dossier, 'The dossier after the branch') },
  });

export const requestPaymentRoute = branch({
  path: 'payment-request',
  operationId: 'requestDossierPayment',
  summary: 'Ask the applicant to pay (status 2 or 4 → 6, payment due): the units processing the dossier',
  permission: 'dossier.process',
  body: paymentRequest,
});
export const recordPaymentRoute = branch({
  path: 'payment',
  operationId: 'recordDossierPayment',
  summary: 'Record the payment asked for (status 6 → the status it had, payment paid): the desk',
  permission: 'dossier.receive',
  body: paymentRecord,
  extra: ['dossier.payment_insufficient'],
});
export const withdrawRoute = branch({
  path: 'withdrawal',
  operationId: 'withdrawDossier',
  summary: 'The applicant withdraws the dossier (status 2, 4, 5 or 6 → 7); its processes are cancelled: the desk',
  permission: 'dossier.receive',
  body: withdrawal,
});
export const stopRoute = branch({
  path: 'stop',
  operationId: 'stopDossier',
  summary: 'Stop processing the dossier (status 2, 4, 5 or 6 → 8, form 05); its processes are cancelled: the units processing it',
  permission: 'dossier.process',
  body: stop,
});
export const returnResultRoute = branch({
  path: 'result-return',
  operationId: 'returnDossierResult',
  summary: 'Hand the result over (status 9 → 10): to whom, how, when: the desk',
  permission: 'dossier.receive',
  body: resultReturn,
});

export const requestSupplementRoute = branch({
  path: 'supplement-request',
  operationId: 'requestDossierSupplement',
  summary: 'Ask the applicant for more papers during processing, once per dossier (status 2 or 4 → 5, form 02): the units processing it',
  permission: 'dossier.process',
  body: supplementRequest,
  extra: ['dossier.supplement_already_requested'],
});
export const receiveSupplementRoute = branch({
  path: 'supplement',
  operationId: 'receiveDossierSupplement',
  summary: "Record the supplement received (status 5 → 4); the case's clock policy sets the new appointment: the desk",
  permission: 'dossier.receive',
  body: supplementReceipt,
  extra: ['dossier.no_open_supplement'],
});
export const extendRoute = branch({
  path: 'extension',
  operationId: 'extendDossierAppointment',
  summary:
    'Apologise and set a later appointment before the current one passes (form 04; the status does not change): a leader of the late unit',
  permission: 'dossier.extend',
  body: extension,
  extra: ['dossier.appointment_passed', 'dossier.extension_not_later'],
});

export function registerBranchRoutes(app: OpenAPIHono<AppEnv>, ports: Pick<Ports, 'dossierBranches'>): void {
  const b = () => ports.dossierBranches;
  app.openapi(requestPaymentRoute, async (c) =>
    c.json(await b().requestPayment(acting(c), c.var.authz, c.req.valid('param').code, c.req.valid('json')), 200),
  );
  app.openapi(recordPaymentRoute, async (c) =>
    c.json(await b().recordPayment(acting(c), c.var.authz, c.req.valid('param').code, c.req.valid('json')), 200),
  );
  app.openapi(withdrawRoute, async (c) =>
    c.json(await b().withdraw(acting(c), c.var.authz, c.req.valid('param').code, c.req.valid('json')), 200),
  );
  app.openapi(stopRoute, async (c) => c.json(await b().stop(acting(c), c.var.authz, c.req.valid('param').code, c.req.valid('json')), 200));
  app.openapi(returnResultRoute, async (c) =>
    c.json(await b().returnResult(acting(c), c.var.authz, c.req.valid('param').code, c.req.valid('json')), 200),
  );
  app.openapi(requestSupplementRoute, async (c) =>
    c.json(await b().requestSupplement(acting(c), c.var.authz, c.req.valid('param').code, c.req.valid('json')), 200),
  );
  app.openapi(receiveSupplementRoute, async (c) =>
    c.json(await b().receiveSupplement(acting(c), c.var.authz, c.req.valid('param').code, c.req.valid('json')), 200),
  );
  app.openapi(extendRoute, async (c) =>
    c.json(await b().extend(acting(c), c.var.authz, c.req.valid('param').code, c.req.valid('json')), 200),
  );
}
