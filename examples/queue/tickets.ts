import { AppError, type Acting, type EntityManager, type PluginContext } from '../../core/plugin-api.ts';
import { periodOf, ticketCode, localDay, type QueueConfig } from './config.ts';
import { QueueTicket, type TicketStatus } from './entities.ts';

type Ctx = PluginContext<QueueConfig>;

export interface IssueInput {
  unitId: string;
  serviceCode: string;
  dossierId?: string | null;
  /** From a service-task job: the same key returns the same ticket. */
  idempotencyKey?: string | null;
}

export interface CallInput {
  unitId: string;
  desk: string;
  /** Call only tickets of this service (a specialised desk). */
  serviceCode?: string;
}

// One statement on both dialects: concurrent issuers never get the same number.
const NEXT_NUMBER = `INSERT INTO queue_counters (unit_id, period, last_number) VALUES (?, ?, 1)
  ON CONFLICT (unit_id, period) DO UPDATE SET last_number = queue_counters.last_number + 1
  RETURNING last_number`;

/** Issues the next number of the unit's current period. Run it inside a transaction. */
export async function issueTicket(ctx: Ctx, em: EntityManager, who: Acting, input: IssueInput): Promise<QueueTicket> {
  if (input.idempotencyKey) {
    const existing = await em.findOne(QueueTicket, { idempotencyKey: input.idempotencyKey });
    if (existing) return existing;
  }
  const now = ctx.clock.now();
  const period = periodOf(now, ctx.config);
  const [row] = await em.sql<{ last_number: number }>(NEXT_NUMBER, [input.unitId, period]);
  const number = Number(row.last_number);
  if (number > ctx.config.maxPerDay) {
    throw new AppError('queue.full', `The unit has issued ${ctx.config.maxPerDay} tickets in period ${period}`);
  }
  const ticket = em.create(QueueTicket, {
    id: crypto.randomUUID(),
    unitId: input.unitId,
    period,
    day: localDay(now, ctx.config.timeZone),
    number,
    code: ticketCode(number, ctx.config),
    serviceCode: input.serviceCode,
    dossierId: input.dossierId ?? null,
    status: 'waiting',
    issuedBy: who.actor.id,
    calledBy: null,
    desk: null,
    idempotencyKey: input.idempotencyKey ?? null,
    issuedAt: now,
    calledAt: null,
    finishedAt: null,
  });
  await em.flush();
  await ctx.audit.append(em, {
    ...who,
    action: 'queue.ticket.issued',
    targetType: 'queue_ticket',
    targetId: ticket.id,
    unitId: ticket.unitId,
    summary: { code: ticket.code, serviceCode: ticket.serviceCode, dossierId: ticket.dossierId },
  });
  return ticket;
}

/**
 * Calls the oldest waiting ticket to a desk. The claim is a conditional UPDATE
 * (`… WHERE id = ? AND status = 'waiting'`): of two clerks calling at once, one wins the row
 * and the other, finding it already taken, moves on to the next ticket.
 */
export async function callNext(ctx: Ctx, em: EntityManager, who: Acting, input: CallInput): Promise<QueueTicket> {
  const now = ctx.clock.now();
  const where = {
    unitId: input.unitId,
    status: 'waiting' as const,
    period: periodOf(now, ctx.config),
    ...(input.serviceCode ? { serviceCode: input.serviceCode } : {}),
  };
  for (let attempt = 0; attempt < 20; attempt++) {
    const next = await em.findOne(QueueTicket, where, { orderBy: { number: 'asc' }, disableIdentityMap: true });
    if (!next) throw new AppError('queue.empty', `No ticket is waiting at unit ${input.unitId}`);
    const claimed = await em.nativeUpdate(
      QueueTicket,
      { id: next.id, status: 'waiting' },
      { status: 'called', calledBy: who.actor.id, desk: input.desk, calledAt: now },
    );
    if (claimed !== 1) continue;
    if (ctx.config.calledMessage && next.dossierId) {
      // Tells the dossier's process, in this transaction: commits with the call, or not at all.
      // No deployed process receiving it yet is no reason to keep the citizen waiting.
      await ctx.engine
        .publishMessage(em, {
          name: ctx.config.calledMessage,
          correlationKey: next.dossierId,
          variables: { ticketCode: next.code, desk: input.desk },
          messageId: `queue-called-${next.id}`,
        })
        .catch((err: unknown) => {
          if (!(err instanceof AppError && err.code === 'message.not_receivable')) throw err;
          ctx.log.warn({ message: ctx.config.calledMessage }, 'no deployed process receives the queue-called message');
        });
    }
    await ctx.audit.append(em, {
      ...who,
      action: 'queue.ticket.called',
      targetType: 'queue_ticket',
      targetId: next.id,
      unitId: next.unitId,
      summary: { code: next.code, desk: input.desk, status: ['waiting', 'called'] },
    });
    return { ...next, status: 'called', calledBy: who.actor.id, desk: input.desk, calledAt: now };
  }
  throw new AppError('conflict.stale', 'Too many clerks are calling at once: try again');
}

export async function findTicket(em: EntityManager, id: string): Promise<QueueTicket> {
  const ticket = await em.findOne(QueueTicket, { id }, { disableIdentityMap: true });
  if (!ticket) throw new AppError('queue.ticket_not_found', `No queue ticket "${id}"`);
  return ticket;
}

/** Closes a called ticket: served (`done`) or the citizen did not come (`no_show`). */
export async function finishTicket(
  ctx: Ctx,
  em: EntityManager,
  who: Acting,
  ticket: QueueTicket,
  outcome: 'done' | 'no_show',
): Promise<QueueTicket> {
  const now = ctx.clock.now();
  const changed = await em.nativeUpdate(QueueTicket, { id: ticket.id, status: 'called' }, { status: outcome, finishedAt: now });
  if (changed !== 1) {
    const current = await findTicket(em, ticket.id);
    throw new AppError('queue.invalid_state', `Ticket ${current.code} is ${current.status}; only a called ticket can become ${outcome}`);
  }
  await ctx.audit.append(em, {
    ...who,
    action: outcome === 'done' ? 'queue.ticket.done' : 'queue.ticket.no_show',
    targetType: 'queue_ticket',
    targetId: ticket.id,
    unitId: ticket.unitId,
    summary: { code: ticket.code, status: ['called', outcome] },
  });
  // For other modules (a dossier's timeline, the desk's statistics): `queue.ticket.finished`.
  await ctx.events.publish(
    em,
    'queue.ticket.finished',
    { ticketId: ticket.id, code: ticket.code, unitId: ticket.unitId, dossierId: ticket.dossierId ?? null, outcome },
    who,
  );
  return { ...ticket, status: outcome, finishedAt: now };
}

/** Tickets of a unit's current period in queue order. */
export async function listTickets(ctx: Ctx, em: EntityManager, unitId: string, statuses: TicketStatus[]): Promise<QueueTicket[]> {
  const now = ctx.clock.now();
  return em.find(
    QueueTicket,
    { unitId, status: { $in: statuses }, period: periodOf(now, ctx.config) },
    { orderBy: { number: 'asc' }, disableIdentityMap: true },
  );
}

export function ticketView(t: QueueTicket) {
  return {
    id: t.id,
    unitId: t.unitId,
    day: t.day,
    number: t.number,
    code: t.code,
    serviceCode: t.serviceCode,
    dossierId: t.dossierId ?? null,
    status: t.status,
    desk: t.desk ?? null,
    calledBy: t.calledBy ?? null,
    issuedAt: t.issuedAt.toISOString(),
    calledAt: t.calledAt ? t.calledAt.toISOString() : null,
    finishedAt: t.finishedAt ? t.finishedAt.toISOString() : null,
  };
}

/**
 * The chore `queue.expire-stale`: tickets of an earlier period still waiting become no-shows.
 * Idempotent (every node runs it); one statement on the plugin's own table through `em.sql`.
 */
export async function expireStaleTickets(ctx: Ctx): Promise<void> {
  const period = periodOf(ctx.clock.now(), ctx.config);
  await ctx
    .em()
    .transactional((em) =>
      em.sql("UPDATE queue_tickets SET status = 'no_show', finished_at = ? WHERE status = 'waiting' AND period < ?", [
        ctx.clock.now(),
        period,
      ]),
    );
}

/** The read API `queue.tickets` the queue provides to other plugins. */
export interface QueueReads {
  /** How many tickets wait at a unit now. */
  waiting(unitId: string): Promise<number>;
}

export const queueReads = (ctx: Ctx): QueueReads => ({
  waiting: async (unitId) => (await listTickets(ctx, ctx.em(), unitId, ['waiting'])).length,
});
