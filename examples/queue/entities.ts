import { defineEntity, p, type InferEntity } from '../../core/plugin-api.ts';

export const ticketStatuses = ['waiting', 'called', 'done', 'no_show'] as const;
export type TicketStatus = (typeof ticketStatuses)[number];

/**
 * A queue ticket: a citizen's number at one unit's reception. `day` is the local date of
 * issue; `number` is unique per unit and period (see config `resetDaily`).
 * `unitId` refers to a core unit by id only: plugins keep no foreign keys into core.
 */
export const QueueTicket = defineEntity({
  name: 'QueueTicket',
  tableName: 'queue_tickets',
  uniques: [{ properties: ['unitId', 'period', 'number'] }],
  properties: {
    id: p.string().primary(),
    unitId: p.string().index(),
    period: p.string(),
    day: p.string(),
    number: p.integer(),
    code: p.string(),
    serviceCode: p.string(),
    dossierId: p.string().nullable(),
    status: p.enum([...ticketStatuses]).index(),
    issuedBy: p.string().nullable(),
    calledBy: p.string().nullable(),
    desk: p.string().nullable(),
    /** Set when the engine issued the ticket: a retried job returns the same ticket. */
    idempotencyKey: p.string().nullable().unique(),
    issuedAt: p.datetime(),
    calledAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
  },
});
export type QueueTicket = InferEntity<typeof QueueTicket>;

/** The last number handed out per unit and period; bumped atomically by an upsert. */
export const QueueCounter = defineEntity({
  name: 'QueueCounter',
  tableName: 'queue_counters',
  properties: {
    unitId: p.string().primary(),
    period: p.string().primary(),
    lastNumber: p.integer(),
  },
});
export type QueueCounter = InferEntity<typeof QueueCounter>;
