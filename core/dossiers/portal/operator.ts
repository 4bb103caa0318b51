import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../../errors.ts';
import type { Ports } from '../../modules/ports.ts';
import type { Acting } from '../../org/actor.ts';
import { Dossier } from '../entities.ts';
import { PortalSync, type PortalSyncStatus } from './entities.ts';

/**
 * The portal outbox as its operators (IT staff) see it (docs/portal-sync.md, "Operating it"):
 * rows by state, counts and the age of the oldest pending row, and a retry that makes a row due
 * now. `failed` is the dead letter: a row whose last attempt (`MOTCUA_PORTAL_MAX_ATTEMPTS`)
 * failed is never tried again until an operator retries it.
 */

type OperatorPorts = Pick<Ports, 'db' | 'clock' | 'audit'>;

export interface OutboxRow {
  id: string;
  dossierCode: string;
  seq: number;
  idempotencyKey: string;
  status: PortalSyncStatus;
  attempts: number;
  lastError: string | null;
  /** When a pending row is next tried (a failed row is not tried again until retried). */
  nextAttemptAt: string | null;
  /** Held by a sender until then (being sent). */
  lockedUntil: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface OutboxPage {
  items: OutboxRow[];
  total: number;
  /** The `offset` of the next page; null on the last. */
  nextOffset: number | null;
}

export interface OutboxStatus {
  pending: number;
  /** Pending rows that failed at least once and wait for their next attempt. */
  retrying: number;
  sent: number;
  failed: number;
  /** Age in seconds of the oldest pending row (by the clock), null when none is pending. */
  oldestPendingAgeSeconds: number | null;
  oldestPendingAt: string | null;
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

function rowOf(r: PortalSync): OutboxRow {
  return {
    id: r.id,
    dossierCode: r.dossierCode,
    seq: r.seq,
    idempotencyKey: r.idempotencyKey,
    status: r.status,
    attempts: r.attempts,
    lastError: r.lastError ?? null,
    nextAttemptAt: r.status === 'pending' ? iso(r.nextAttemptAt) : null,
    lockedUntil: iso(r.lockedUntil),
    createdAt: iso(r.createdAt)!,
    sentAt: iso(r.sentAt),
  };
}

/** Rows in one state, a page at a time: pending and failed oldest first (the queue's order), sent newest first. */
export async function listOutbox(
  svc: Pick<OperatorPorts, 'db'>,
  q: { state: PortalSyncStatus; limit: number; offset: number; dossierCode?: string },
): Promise<OutboxPage> {
  const em = svc.db.em().fork();
  const where = { status: q.state, ...(q.dossierCode ? { dossierCode: q.dossierCode } : {}) };
  const order = q.state === 'sent' ? 'desc' : 'asc';
  const [rows, total] = await em.findAndCount(PortalSync, where, {
    orderBy: { createdAt: order, seq: order, id: order },
    limit: q.limit,
    offset: q.offset,
    disableIdentityMap: true,
  });
  return { items: rows.map(rowOf), total, nextOffset: q.offset + rows.length < total ? q.offset + rows.length : null };
}

export async function outboxStatus(svc: Pick<OperatorPorts, 'db' | 'clock'>): Promise<OutboxStatus> {
  const em = svc.db.em().fork();
  const counts = await em.execute<{ status: string; n: number | string }[]>(
    'SELECT status, COUNT(*) AS n FROM dossier_portal_sync GROUP BY status',
  );
  const n = (s: string) => Number(counts.find((c) => c.status === s)?.n ?? 0);
  const retrying = await em.count(PortalSync, { status: 'pending', attempts: { $gt: 0 } });
  const oldest = await em.findOne(
    PortalSync,
    { status: 'pending' },
    { orderBy: { createdAt: 'asc' }, fields: ['createdAt'], disableIdentityMap: true },
  );
  const at = oldest ? new Date(oldest.createdAt) : null;
  return {
    pending: n('pending'),
    retrying,
    sent: n('sent'),
    failed: n('failed'),
    oldestPendingAgeSeconds: at ? Math.max(0, Math.floor((svc.clock.now().getTime() - at.getTime()) / 1000)) : null,
    oldestPendingAt: iso(at),
  };
}

/**
 * Makes a row due now: a failed (dead) row pending again with fresh attempts, the dossier's
 * `sync_status` pending; a pending row waiting for its backoff due at once. Audited
 * (`portal.sync_retried`). A sent row, or one a sender holds right now, answers 409
 * `portal.sync_not_retryable`; an unknown id 404 `portal.sync_not_found`.
 */
export async function retryOutboxRow(svc: OperatorPorts, acting: Acting, id: string): Promise<OutboxRow> {
  return svc.db.em().transactional(async (em) => {
    const row = await em.findOne(PortalSync, { id });
    if (!row) throw new AppError('portal.sync_not_found', `No portal sync row ${id}`);
    await retry(em, svc, acting, row);
    return rowOf(row);
  });
}

/** Every failed row made pending again, each audited; answers how many. */
export async function retryAllFailed(svc: OperatorPorts, acting: Acting): Promise<number> {
  return svc.db.em().transactional(async (em) => {
    const rows = await em.find(PortalSync, { status: 'failed' }, { orderBy: { createdAt: 'asc', seq: 'asc' } });
    for (const row of rows) await retry(em, svc, acting, row);
    return rows.length;
  });
}

async function retry(em: EntityManager, svc: OperatorPorts, acting: Acting, row: PortalSync): Promise<void> {
  const now = svc.clock.now();
  const held = row.lockedUntil && new Date(row.lockedUntil).getTime() > now.getTime();
  if (row.status === 'sent' || held) {
    throw new AppError(
      'portal.sync_not_retryable',
      `Portal sync row ${row.id} (${row.idempotencyKey}) is ${row.status === 'sent' ? `sent (${iso(row.sentAt)})` : 'being sent right now'}: nothing to retry`,
      { status: row.status },
    );
  }
  const from = { status: row.status, attempts: row.attempts, lastError: row.lastError ?? null };
  if (row.status === 'failed') row.attempts = 0;
  row.status = 'pending';
  row.nextAttemptAt = now;
  row.lockedBy = null;
  row.lockedUntil = null;
  await em.flush();
  if (from.status === 'failed') await em.nativeUpdate(Dossier, { id: row.dossierId }, { syncStatus: 'pending' });
  const [dossier] = await em.find(Dossier, { id: row.dossierId }, { fields: ['unitId'], disableIdentityMap: true });
  await svc.audit.append(em, {
    ...acting,
    action: 'portal.sync_retried',
    targetType: 'dossier_portal_sync',
    targetId: row.id,
    unitId: dossier?.unitId ?? null,
    summary: { code: row.dossierCode, seq: row.seq, idempotencyKey: row.idempotencyKey, ...from },
  });
}
