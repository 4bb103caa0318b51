import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { defineRoute } from '../http/route.ts';
import { json } from '../http/schemas.ts';
import type { Ports } from '../modules/ports.ts';
import { cursorPattern } from './search.ts';

/** `GET /api/dossiers`: search and list (search.ts, docs/dossiers.md § Search). */

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const statusList = z.preprocess(
  (v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).filter((x) => x !== '')),
  z.array(z.coerce.number().int().min(1).max(10)).min(1).max(10).optional(),
);

const Query = z
  .object({
    q: z
      .string()
      .max(200)
      .optional()
      .describe(
        'a dossier code or its prefix (one token with a digit), or words of the applicant’s or owner’s name, without diacritics if you like: one word starts a word of either name; several start words of one name in the order typed, the last may be the beginning of a word',
      ),
    idNumber: z.string().trim().min(1).max(32).optional().describe('the applicant’s ID number, exactly'),
    phone: z
      .string()
      .regex(/^\+?[0-9 .-]{6,20}$/, 'a phone number')
      .optional()
      .describe('the applicant’s phone (spaces, dots and a leading +84 ignored)'),
    procedureCode: z.string().trim().min(1).max(32).optional(),
    status: statusList.describe('national status code(s) 1–10: `status=2&status=4` or `status=2,4`'),
    unitId: z.string().min(1).max(64).optional().describe('a unit (id or code): dossiers received in its subtree'),
    receivedFrom: isoDate.optional().describe('received on or after this Vietnam date'),
    receivedTo: isoDate.optional().describe('received on or before this Vietnam date'),
    overdue: z.enum(['true', 'false']).optional().describe('true: appointment passed and not finished (status not 3, 7, 8, 9, 10)'),
    dueToday: z
      .enum(['true'])
      .optional()
      .describe(
        "true: not finished, appointment from now to the end of today's working day (Vietnam time, the calendar of the receiving desk)",
      ),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().regex(cursorPattern, 'a cursor from nextCursor').optional().describe('nextCursor of the previous page'),
  })
  .refine((q) => !q.receivedFrom || !q.receivedTo || q.receivedFrom <= q.receivedTo, {
    message: 'receivedFrom is after receivedTo',
    path: ['receivedTo'],
  });

const Summary = z
  .object({
    code: z.string(),
    status: z.number().int(),
    statusName: z.string(),
    applicantName: z.string(),
    procedure: z.object({ code: z.string(), name: z.string() }),
    receivedAt: z.string().nullable(),
    appointmentAt: z.string().nullable(),
    unit: z.object({ id: z.string(), code: z.string(), name: z.string() }).describe('the receiving desk'),
    overdue: z.boolean().describe('appointment passed and not finished'),
  })
  .openapi('DossierSummary');

export const list = defineRoute({
  method: 'get',
  path: '/api/dossiers',
  operationId: 'listDossiers',
  tags: ['dossiers'],
  summary: 'Search the dossiers of your units, newest received first, a page at a time (keyset cursor)',
  permission: 'dossier.read',
  request: { query: Query },
  errors: ['unit.not_found'],
  responses: {
    200: json(z.object({ items: z.array(Summary), nextCursor: z.string().nullable() }), 'A page of dossiers'),
  },
});

const Count = z.number().int();

export const workload = defineRoute({
  method: 'get',
  path: '/api/dossiers/workload',
  operationId: 'dossierWorkload',
  tags: ['dossiers'],
  summary: 'Leader view: per unit you may read dossiers in, its open dossiers, those due today and those overdue',
  description:
    'A unit counts the dossiers received in its subtree, as `GET /api/dossiers?unitId=` lists them: drill down with `&status=1,2,4,5,6` (open), `&dueToday=true` or `&overdue=true`. Only units within your `dossier.read` scopes appear (a commune leader sees the commune and its desks), and only those with an open dossier.',
  permission: 'dossier.read',
  responses: {
    200: json(
      z
        .object({
          at: z.string().describe('The moment counted at'),
          units: z.array(
            z.object({
              unit: z.object({ id: z.string(), code: z.string(), name: z.string(), parentId: z.string().nullable() }),
              open: Count.describe('not finished: status 1, 2, 4, 5, 6'),
              dueToday: Count.describe("open, appointment from now to the end of today's working day"),
              overdue: Count.describe('open, appointment passed'),
            }),
          ),
        })
        .openapi('DossierWorkload'),
      'Units in tree order (a unit before its subunits)',
    ),
  },
});

export function registerSearchRoutes(app: OpenAPIHono<AppEnv>, ports: Pick<Ports, 'dossierSearch'>): void {
  app.openapi(workload, async (c) => c.json(await ports.dossierSearch.workload(c.var.authz), 200));
  app.openapi(list, async (c) => {
    const { overdue, dueToday, ...q } = c.req.valid('query');
    return c.json(
      await ports.dossierSearch.search(c.var.authz, {
        ...q,
        overdue: overdue === undefined ? undefined : overdue === 'true',
        dueToday: dueToday === 'true' ? true : undefined,
      }),
      200,
    );
  });
}
