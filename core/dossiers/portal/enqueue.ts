import type { EntityManager } from '@mikro-orm/knex';
import type { Ports } from '../../modules/ports.ts';
import type { DomainEvent } from '../../events/catalogue.ts';
import { Dossier } from '../entities.ts';
import { buildPortalPayload, type PortalChangeKind } from './payload.ts';
import { PortalSync } from './entities.ts';
import { loadPortalSource } from './source.ts';

type ChangeEvent = DomainEvent<'dossier.status_changed'> | DomainEvent<'dossier.changed'>;

/** The row a transaction already wrote for a dossier, and what its payload's `change` gathers. */
interface Pending {
  id: string;
  seq: number;
  idempotencyKey: string;
  /** The status before the transaction's first status move; undefined while none moved it. */
  from: number | null | undefined;
  /** The reason of its last status move. */
  statusReason: string | null | undefined;
  kinds: PortalChangeKind[];
}

/** Per transaction (its connection's transaction object), per dossier: the row written so far. */
const written = new WeakMap<object, Map<string, Pending>>();

/**
 * Every change of a dossier the portal is told about enqueues its payload in the changing
 * command's transaction: a status move (`dossier.status_changed`: receipt, refusal, a step's
 * status, a branch) and the other changes (`dossier.changed`: an extension's new appointment, a
 * supplement requested or received, a payment, the return of the result, a lapse, a hop). A
 * command that changes a dossier several times writes **one** row, rebuilt at each change, so it
 * carries the state the command committed. The dossier's `sync_status` becomes `pending` until
 * the sender takes its rows (delivery.ts).
 */
export function enqueuePortalSync(svc: Pick<Ports, 'events' | 'catalogue' | 'clock'>): void {
  svc.events.subscribe('dossier.status_changed', async (event, { em }) => {
    await enqueueChange(em, svc, event);
  });
  svc.events.subscribe('dossier.changed', async (event, { em }) => {
    await enqueueChange(em, svc, event);
  });
}

export async function enqueueChange(em: EntityManager, svc: Pick<Ports, 'catalogue' | 'clock'>, event: ChangeEvent): Promise<PortalSync> {
  const dossier = await em.findOneOrFail(Dossier, { id: event.payload.dossierId });
  dossier.syncStatus = 'pending';
  // Writes the change (and the dossier's new lock version) first: on PostgreSQL that holds the
  // dossier's row, so a concurrent change of it waits here and the sequence below cannot repeat.
  await em.flush();
  const tx = (em.getTransactionContext() as object | undefined) ?? em;
  const ofTx = written.get(tx) ?? new Map<string, Pending>();
  written.set(tx, ofTx);
  const isStatus = event.type === 'dossier.status_changed';
  const kind: PortalChangeKind = isStatus ? 'status' : (event as DomainEvent<'dossier.changed'>).payload.what;
  let pending = ofTx.get(dossier.id);
  if (!pending) {
    const last = await em.findOne(PortalSync, { dossierId: dossier.id }, { orderBy: { seq: 'desc' }, fields: ['seq'] });
    const seq = (last?.seq ?? 0) + 1;
    pending = {
      id: crypto.randomUUID(),
      seq,
      idempotencyKey: `${dossier.code}:${seq}`,
      from: undefined,
      statusReason: undefined,
      kinds: [],
    };
  }
  if (isStatus && pending.from === undefined) pending.from = (event as DomainEvent<'dossier.status_changed'>).payload.from;
  if (isStatus) pending.statusReason = event.payload.reason;
  if (!pending.kinds.includes(kind)) pending.kinds.push(kind);
  const source = await loadPortalSource(em, svc, dossier, {
    sequence: pending.seq,
    idempotencyKey: pending.idempotencyKey,
    change: {
      at: event.occurredAt,
      from: pending.from === undefined ? dossier.status : pending.from,
      to: dossier.status,
      reason: pending.statusReason !== undefined ? pending.statusReason : event.payload.reason,
      by: event.actor?.name ?? 'system',
      kinds: [...pending.kinds],
    },
  });
  const payload = JSON.stringify(buildPortalPayload(source));
  const now = svc.clock.now();
  if (ofTx.has(dossier.id)) {
    // The same command changed the dossier again: its row takes the latest payload.
    const row = await em.findOneOrFail(PortalSync, { id: pending.id });
    row.payload = payload;
    await em.flush();
    return row;
  }
  const row = em.create(PortalSync, {
    id: pending.id,
    dossierId: dossier.id,
    dossierCode: dossier.code,
    seq: pending.seq,
    idempotencyKey: pending.idempotencyKey,
    eventId: event.id,
    payload,
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
  ofTx.set(dossier.id, pending);
  return row;
}
