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
