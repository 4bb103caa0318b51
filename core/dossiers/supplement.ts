import type { EntityManager } from '@mikro-orm/knex';
import type { SupplementPolicy } from '../catalogue/budget-paths.ts';
import { channelName, receiptLimit } from '../catalogue/case-limits.ts';
import type { ProcedureCase } from '../catalogue/schema.ts';
import type { Calendar, TimeLimit } from '../engine/calendar.ts';
import { AppError } from '../errors.ts';
import { Task } from '../engine/entities.ts';
import type { Ports } from '../modules/ports.ts';
import type { Authz } from '../org/authz.ts';
import { Unit } from '../org/entities.ts';
import { dossierByCode } from './by-code.ts';
import { Dossier } from './entities.ts';
import { STATUS } from './model.ts';
import { DossierAppointment, DossierSupplement } from './supplement-entities.ts';

/**
 * The clock of a supplement during processing and of an extension (docs/dossiers.md, "Supplement
 * during processing", "Apology and extension"): which unit works the dossier for a caller, and
 * the appointment after a supplement under the case's clock policy.
 */

const HOUR_MS = 3_600_000;

/** The case's time limit as at receipt: the same-day rule, or the channel's time. */
export function caseLimit(kase: ProcedureCase, channel: number): TimeLimit | null {
  const name = channelName(channel);
  return name ? receiptLimit(kase, name) : null;
}

/**
 * The appointment once the supplement is received, by the case's clock policy (DOMAIN §5):
 * `restart`: the full time limit again from the supplement's receipt; `pause_extend`: the old
 * appointment moved by the working time the dossier waited (from the request to the receipt);
 * `continue`: unchanged. Working time in the desk's calendar.
 */
export function appointmentAfterSupplement(
  calendar: Pick<Calendar, 'dueAt' | 'addWorkingHours' | 'workingTimeBetween'>,
  o: { policy: SupplementPolicy; previous: Date; requestedAt: Date; receivedAt: Date; limit: TimeLimit; unitId: string },
): Date {
  switch (o.policy) {
    case 'restart':
      return calendar.dueAt(o.receivedAt, o.limit, { unitId: o.unitId });
    case 'pause_extend': {
      const waited = Math.max(0, calendar.workingTimeBetween(o.requestedAt, o.receivedAt, { unitId: o.unitId }));
      return waited === 0 ? o.previous : calendar.addWorkingHours(o.previous, waited / HOUR_MS, { unitId: o.unitId });
    }
    case 'continue':
      return o.previous;
  }
}

/**
 * The unit through which a caller's `permission` reaches the dossier's work: the unit of one of
 * its open tasks (the step being worked, late or not), else its competent agency; with
 * `desk`, else its receiving desk. Null when the caller's units hold none of them.
 */
export async function workingUnit(
  em: EntityManager,
  authz: Authz,
  permission: string,
  d: Pick<Dossier, 'code' | 'unitId' | 'unitPath' | 'competentUnitId' | 'competentUnitPath'>,
  o: { desk: boolean },
): Promise<Unit | null> {
  const scopes = authz.scopes(permission);
  if (!scopes.length) return null;
  const tasks = await em.find(
    Task,
    { businessKey: d.code, status: 'open', unitId: { $ne: null }, $or: scopes.map((s) => ({ unitPath: { $like: `${s}%` } })) },
    { fields: ['unitId', 'createdAt'], orderBy: { createdAt: 'asc', id: 'asc' }, limit: 1, disableIdentityMap: true },
  );
  const id =
    tasks[0]?.unitId ??
    (d.competentUnitId && authz.canPath(permission, d.competentUnitPath ?? null) ? d.competentUnitId : null) ??
    (o.desk && authz.canPath(permission, d.unitPath) ? d.unitId : null);
  return id ? em.findOne(Unit, { id }) : null;
}

/** The dossier's supplement asked during processing and not yet received, if any. */
export function openSupplement(em: EntityManager, dossierId: string): Promise<DossierSupplement | null> {
  return em.findOne(DossierSupplement, { dossierId, receivedAt: null });
}

/**
 * The process waits while the applicant supplements (docs/dossiers.md): the open task stays
 * open, and completing a task of a dossier whose supplement asked during processing has not come
 * back is refused (409 `dossier.awaiting_supplement`), so no step moves the dossier past what it
 * is waiting for. A process's own supplement step (a task with `motcua:statusCode` 5) is not
 * this branch and is never held.
 */
export function holdWhileSupplementing(svc: Pick<Ports, 'events'>): void {
  svc.events.subscribe('task.completed', async (event, { em }) => {
    const { businessKey } = event.payload;
    if (!businessKey) return;
    const d = await dossierByCode(em, businessKey);
    if (d?.status === STATUS.supplementRequested && (await openSupplement(em, d.id))) {
      throw new AppError(
        'dossier.awaiting_supplement',
        `Dossier ${businessKey} waits for the applicant's supplement: its steps resume once the desk records it`,
      );
    }
  });
}

/** What the dossier's read shows of its supplement during processing and its appointment changes (`GET /api/dossiers/{code}`). */
export interface SupplementFacts {
  supplement: {
    requestedAt: string;
    requestedBy: { id: string | null; name: string };
    unit: { id: string; code: string; name: string } | null;
    missing: string[];
    reason: string | null;
    applicantDueAt: string | null;
    receivedAt: string | null;
    receivedBy: { id: string | null; name: string } | null;
    policy: string | null;
  } | null;
  /** Every change of the appointment, oldest first: the one before and the one after. */
  appointments: {
    at: string;
    cause: 'supplement' | 'extension';
    previousAt: string;
    appointmentAt: string;
    reason: string | null;
    by: { id: string | null; name: string };
    unit: { id: string; code: string; name: string } | null;
    signerTitle: string | null;
  }[];
}

const iso = (d: Date | string) => new Date(d).toISOString();

export async function supplementFacts(em: EntityManager, dossierId: string): Promise<SupplementFacts> {
  const s = await em.findOne(DossierSupplement, { dossierId }, { disableIdentityMap: true });
  const rows = await em.find(DossierAppointment, { dossierId }, { orderBy: { at: 'asc', id: 'asc' }, disableIdentityMap: true });
  const ids = [...new Set([s?.unitId, ...rows.map((r) => r.unitId)].filter((x): x is string => !!x))];
  const units = new Map((ids.length ? await em.find(Unit, { id: { $in: ids } }) : []).map((u) => [u.id, u]));
  const unit = (id: string | null | undefined) => {
    const u = id ? units.get(id) : undefined;
    return u ? { id: u.id, code: u.code, name: u.name } : null;
  };
  return {
    supplement: s
      ? {
          requestedAt: iso(s.requestedAt),
          requestedBy: { id: s.requestedById ?? null, name: s.requestedByName },
          unit: unit(s.unitId),
          missing: JSON.parse(s.missing) as string[],
          reason: s.reason ?? null,
          applicantDueAt: s.applicantDueAt ? iso(s.applicantDueAt) : null,
          receivedAt: s.receivedAt ? iso(s.receivedAt) : null,
          receivedBy: s.receivedByName ? { id: s.receivedById ?? null, name: s.receivedByName } : null,
          policy: s.policy ?? null,
        }
      : null,
    appointments: rows.map((r) => ({
      at: iso(r.at),
      cause: r.cause as 'supplement' | 'extension',
      previousAt: iso(r.previousAt),
      appointmentAt: iso(r.appointmentAt),
      reason: r.reason ?? null,
      by: { id: r.byId ?? null, name: r.byName },
      unit: unit(r.unitId),
      signerTitle: r.signerTitle ?? null,
    })),
  };
}
