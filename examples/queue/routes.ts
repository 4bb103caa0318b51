import {
  acting,
  AppError,
  defineRoute,
  IdParam,
  json,
  jsonBody,
  z,
  type AppEnv,
  type OpenAPIHono,
  type PluginContext,
} from '../../core/plugin-api.ts';
import type { QueueConfig } from './config.ts';
// Registers the queue's error codes (defineErrors) before the routes below declare them.
import './errors.ts';
import { ticketStatuses } from './entities.ts';
import type { DisplayMessage } from './contract.ts';
import { callNext, findTicket, finishTicket, issueTicket, listTickets, ticketView } from './tickets.ts';

const UnitId = z.string().min(1).max(64).describe('Id of the unit whose queue this is');
const ServiceCode = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/)
  .describe('Service or sector code the citizen chose at the kiosk');

const Ticket = z
  .object({
    id: z.string(),
    unitId: z.string(),
    day: z.string(),
    number: z.number().int(),
    code: z.string().describe('What the slip and the board show, e.g. A007'),
    serviceCode: z.string(),
    dossierId: z.string().nullable(),
    status: z.enum(ticketStatuses),
    desk: z.string().nullable(),
    calledBy: z.string().nullable(),
    issuedAt: z.string(),
    calledAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .openapi('QueueTicket');
const Board = z
  .object({
    unitId: z.string(),
    serving: z.array(z.object({ code: z.string(), desk: z.string().nullable(), calledAt: z.string().nullable() })),
    waiting: z.number().int(),
    messages: z.array(z.object({ vi: z.string(), en: z.string().optional(), tone: z.enum(['info', 'warning']), from: z.string() })),
  })
  .openapi('QueueBoard');

const tags = ['queue'];
const issue = defineRoute({
  method: 'post',
  path: '/tickets',
  operationId: 'queueIssueTicket',
  tags,
  summary: 'Issue the next queue ticket of a unit (reception kiosk or desk)',
  permission: 'queue.issue',
  request: jsonBody(
    z.object({ unitId: UnitId, serviceCode: ServiceCode, dossierId: z.string().max(64).nullable().optional() }).openapi('QueueTicketIssue'),
  ),
  errors: ['unit.not_found', 'auth.forbidden_scope', 'queue.full'],
  responses: { 201: json(Ticket, 'Issued') },
});
const list = defineRoute({
  method: 'get',
  path: '/tickets',
  operationId: 'queueListTickets',
  tags,
  summary: "Today's tickets of a unit in queue order (waiting ones unless a status is given)",
  permission: 'queue.read',
  request: { query: z.object({ unitId: UnitId, status: z.enum(ticketStatuses).default('waiting') }) },
  errors: ['unit.not_found'],
  responses: { 200: json(z.array(Ticket), 'Tickets') },
});
const next = defineRoute({
  method: 'post',
  path: '/call-next',
  operationId: 'queueCallNext',
  tags,
  summary: 'Call the oldest waiting ticket to your desk; two clerks calling at once get different tickets',
  permission: 'queue.call',
  request: jsonBody(
    z
      .object({
        unitId: UnitId,
        desk: z.string().min(1).max(64).describe('Desk label shown on the board, e.g. "Quầy 3"'),
        serviceCode: ServiceCode.optional(),
      })
      .openapi('QueueCall'),
  ),
  errors: ['unit.not_found', 'auth.forbidden_scope', 'queue.empty'],
  responses: { 200: json(Ticket, 'Called') },
});
const finish = (action: 'done' | 'no-show', operationId: string, summary: string) =>
  defineRoute({
    method: 'post',
    path: `/tickets/{id}/${action}`,
    operationId,
    tags,
    summary,
    permission: 'queue.call',
    request: { params: IdParam },
    errors: ['auth.forbidden_scope', 'queue.ticket_not_found', 'queue.invalid_state', 'conflict.stale'],
    responses: { 200: json(Ticket, 'Closed') },
  });
const done = finish('done', 'queueMarkDone', 'Mark a called ticket as served');
const noShow = finish('no-show', 'queueMarkNoShow', 'Mark a called ticket as not present when called');
const board = defineRoute({
  method: 'get',
  path: '/board',
  operationId: 'queueGetBoard',
  tags,
  summary: 'What the waiting-room screen shows: tickets being served, how many wait, messages from other plugins',
  permission: 'queue.read',
  request: { query: z.object({ unitId: UnitId }) },
  errors: ['unit.not_found'],
  responses: { 200: json(Board, 'Board') },
});

/**
 * A unit or ticket outside the caller's `queue.read` reach answers exactly as a missing one
 * (404, core's ADR 0004); one they may see but not act on, 403.
 */
const unitNotVisible = (unitId: string) => new AppError('unit.not_found', `No unit "${unitId}"`);
const ticketNotVisible = (id: string) => new AppError('queue.ticket_not_found', `No queue ticket "${id}"`);

/** Mounted at /api/queue. Every handler checks the unit scope of what it touches. */
export function queueRoutes(router: OpenAPIHono<AppEnv>, ctx: PluginContext<QueueConfig>): void {
  const visible = (c: { var: AppEnv['Variables'] }, unitId: string) =>
    c.var.authz.assertVisible('queue.read', unitId, () => unitNotVisible(unitId));

  router.openapi(issue, async (c) => {
    const body = c.req.valid('json');
    await visible(c, body.unitId);
    await c.var.authz.assert('queue.issue', body.unitId);
    const ticket = await ctx.em().transactional((em) => issueTicket(ctx, em, acting(c), body));
    return c.json(ticketView(ticket), 201);
  });

  router.openapi(list, async (c) => {
    const { unitId, status } = c.req.valid('query');
    await visible(c, unitId);
    const tickets = await listTickets(ctx, ctx.em(), unitId, [status]);
    return c.json(tickets.map(ticketView), 200);
  });

  router.openapi(next, async (c) => {
    const body = c.req.valid('json');
    await visible(c, body.unitId);
    await c.var.authz.assert('queue.call', body.unitId);
    const ticket = await ctx.em().transactional((em) => callNext(ctx, em, acting(c), body));
    return c.json(ticketView(ticket), 200);
  });

  for (const [route, outcome] of [
    [done, 'done'],
    [noShow, 'no_show'],
  ] as const) {
    router.openapi(route, async (c) => {
      const ticket = await ctx.em().transactional(async (em) => {
        const current = await findTicket(em, c.req.valid('param').id);
        await c.var.authz.assertVisible('queue.read', current.unitId, () => ticketNotVisible(current.id));
        await c.var.authz.assert('queue.call', current.unitId);
        return finishTicket(ctx, em, acting(c), current, outcome);
      });
      return c.json(ticketView(ticket), 200);
    });
  }

  router.openapi(board, async (c) => {
    const { unitId } = c.req.valid('query');
    await visible(c, unitId);
    const tickets = await listTickets(ctx, ctx.em(), unitId, ['waiting', 'called']);
    const messages = ctx
      .contributions<DisplayMessage>('queue.display-message')
      .filter(({ value }) => !value.units || value.units.includes(unitId))
      .map(({ plugin, value }) => ({ vi: value.vi, ...(value.en ? { en: value.en } : {}), tone: value.tone, from: plugin }));
    return c.json(
      {
        unitId,
        serving: tickets
          .filter((t) => t.status === 'called')
          .map((t) => ({ code: t.code, desk: t.desk ?? null, calledAt: t.calledAt?.toISOString() ?? null })),
        waiting: tickets.filter((t) => t.status === 'waiting').length,
        messages,
      },
      200,
    );
  });
}
