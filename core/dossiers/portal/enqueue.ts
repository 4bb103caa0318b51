import type { EntityManager } from '@mikro-orm/knex';
import type { Ports } from '../../modules/ports.ts';
import type { DomainEvent } from '../../events/catalogue.ts';
import { Dossier } from '../entities.ts';
import { buildPortalPayload } from './payload.ts';
import { PortalSync } from './entities.ts';
import { loadPortalSource } from './source.ts';

/**
 * Every change of a dossier's status (`dossier.status_changed`: receipt, refusal, supplement, a
 * step's status, a branch) enqueues one row of `dossier_portal_sync` in the changing command's
 * transaction, with the portal payload built there: the row exists exactly when the change
 * committed, and carries the state that committed. The dossier's `sync_status` becomes
 * `pending` until the sender takes its rows (delivery.ts).
 */
export function enqueuePortalSync(svc: Pick<Ports, 'events' | 'catalogue' | 'clock'>): void {
  svc.events.subscribe('dossier.status_changed', async (event, { em }) => {
    await enqueueChange(em, svc, event);
  });
}

export async function enqueueChange(
  em: EntityManager,
  svc: Pick<Ports, 'catalogue' | 'clock'>,
  event: DomainEvent<'dossier.status_changed'>,
): Promise<PortalSync> {
  const dossier = await em.findOneOrFail(Dossier, { id: event.payload.dossierId });
  dossier.syncStatus = 'pending';
  // Writes the change (and the dossier's new lock version) first: on PostgreSQL that holds the
  // dossier's row, so a concurrent change of it waits here and the sequence below cannot repeat.
  await em.flush();
  const last = await em.findOne(PortalSync, { dossierId: dossier.id }, { orderBy: { seq: 'desc' }, fields: ['seq'] });
  const sequence = (last?.seq ?? 0) + 1;
  const idempotencyKey = `${dossier.code}:${sequence}`;
  const source = await loadPortalSource(em, svc, dossier, {
    sequence,
    idempotencyKey,
    change: {
      at: event.occurredAt,
      from: event.payload.from,
      to: event.payload.status,
      reason: event.payload.reason,
      by: event.actor?.name ?? 'system',
    },
  });
  const now = svc.clock.now();
  const row = em.create(PortalSync, {
    id: crypto.randomUUID(),
    dossierId: dossier.id,
    dossierCode: dossier.code,
    seq: sequence,
    idempotencyKey,
    eventId: event.id,
    payload: JSON.stringify(buildPortalPayload(source)),
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    lockedBy: null,
    lockedUntil: null,
    lastError: null,
    sentBy: null,
    createdAt: now,
    sentAt: null,
  });
  await em.flush();
  return row;
}
