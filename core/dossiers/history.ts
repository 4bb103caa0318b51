import type { EntityManager } from '@mikro-orm/knex';
import type { DossierChangeKind } from '../events/catalogue.ts';
import type { Ports } from '../modules/ports.ts';
import type { Acting } from '../org/actor.ts';
import { DossierStatusChange, type Dossier } from './entities.ts';

export type StatusChange = { from: number | null; to: number; by: { id: string | null; name: string }; at: Date; reason: string | null };

/** Records a status change of a dossier (its history row; flushed with the command's other writes). */
export function recordStatusChange(em: EntityManager, dossier: Pick<Dossier, 'id'>, change: StatusChange): void {
  const { reason } = change;
  em.create(DossierStatusChange, {
    id: crypto.randomUUID(),
    dossierId: dossier.id,
    fromStatus: change.from,
    toStatus: change.to,
    at: change.at,
    byId: change.by.id,
    byName: change.by.name,
    reason: shorten(reason),
  });
}

/**
 * Moves a dossier to a national status: sets it, records the history row and publishes
 * `dossier.status_changed` in the command's transaction, so every move (receipt, a step's
 * `motcua:statusCode`, a branch) is seen the same way by reports and the portal outbox.
 * The caller flushes.
 */
export async function changeStatus(
  em: EntityManager,
  events: Ports['events'],
  dossier: Dossier,
  change: StatusChange & { requestId?: string | null },
): Promise<void> {
  dossier.status = change.to;
  dossier.updatedAt = change.at;
  recordStatusChange(em, dossier, change);
  await events.publish(
    em,
    'dossier.status_changed',
    {
      ...dossierFacts(dossier),
      from: change.from,
      reason: shorten(change.reason),
    },
    { actor: change.by, requestId: change.requestId ?? null },
  );
}

/**
 * Tells whoever follows the dossier as a whole (the portal outbox) that something it reports
 * changed: a branch's facts (an appointment, a supplement, a payment, the return of the result)
 * or a hand-over between units. Publish it after the change's writes: the outbox builds the
 * payload from what the transaction sees then, one row per command however many are published.
 */
export async function dossierChanged(
  em: EntityManager,
  events: Ports['events'],
  dossier: Dossier,
  what: DossierChangeKind,
  reason: string | null,
  acting: Pick<Acting, 'actor' | 'requestId'> | null,
): Promise<void> {
  await events.publish(em, 'dossier.changed', { ...dossierFacts(dossier), what, reason: shorten(reason) }, acting);
}

const shorten = (reason: string | null) => (reason && reason.length > 2000 ? `${reason.slice(0, 1999)}…` : reason);

/** The facts every dossier event carries (docs/events.md). */
export function dossierFacts(dossier: Dossier) {
  return {
    dossierId: dossier.id,
    code: dossier.code,
    procedureCode: dossier.procedureCode,
    procedureVersion: dossier.procedureVersion,
    caseKey: dossier.caseKey,
    channel: dossier.channel,
    status: dossier.status,
    unitId: dossier.unitId,
  };
}

type HistoryRow = Pick<DossierStatusChange, 'at' | 'fromStatus' | 'toStatus'>;

/**
 * The status changes in the order they happened. Changes of one command share its instant (a
 * receipt at 2 whose first step sets 4; a resolution at 9 returned at once, 10), and neither the
 * time nor the row id orders them; each change starts where the one before it ended, so within one
 * instant the rows are chained by status: the row whose `from` is no other same-instant row's `to`
 * first, then the row leaving the status it entered, and so on.
 */
export function inOrder<R extends HistoryRow>(rows: readonly R[]): R[] {
  const byTime = [...rows].sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime());
  const out: R[] = [];
  for (let i = 0; i < byTime.length;) {
    const t = new Date(byTime[i].at).getTime();
    let j = i;
    while (j < byTime.length && new Date(byTime[j].at).getTime() === t) j++;
    const group = byTime.slice(i, j);
    let prev = out.at(-1)?.toStatus ?? null;
    while (group.length) {
      const entered = new Set(group.map((r) => r.toStatus));
      const follows = group.findIndex((r) => r.fromStatus === prev);
      const starts = group.findIndex((r) => r.fromStatus == null || !entered.has(r.fromStatus));
      const next = follows >= 0 ? follows : Math.max(starts, 0);
      const [row] = group.splice(next, 1);
      out.push(row);
      prev = row.toStatus;
    }
    i = j;
  }
  return out;
}

/** A dossier's status history, oldest first (`inOrder`). */
export async function statusChanges(em: EntityManager, dossierId: string): Promise<DossierStatusChange[]> {
  return inOrder(await em.find(DossierStatusChange, { dossierId }, { orderBy: { at: 'asc' } }));
}
