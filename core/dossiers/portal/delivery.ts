import { hostname } from 'node:os';
import { LockMode } from '@mikro-orm/core';
import type { Ports } from '../../modules/ports.ts';
import { Dossier } from '../entities.ts';
import { PortalSync } from './entities.ts';
import type { PortalPayload } from './payload.ts';
import { FilePortalSender, unknownSender, type PortalSender, type PortalSenderContribution } from './sender.ts';

export interface PortalDeliveryOptions {
  batch?: number;
  leaseMs?: number;
  /** Delay before attempt n + 1 after n failures (default 30 s · 2^(n − 1), at most 1 h). */
  retryDelayMs?(attempts: number): number;
}

export interface PortalDeliveryResult {
  sent: number;
  retried: number;
  failed: number;
}

type DeliveryPorts = Pick<Ports, 'db' | 'clock' | 'log' | 'config' | 'plugins'>;

/**
 * Sends the pending rows of `dossier_portal_sync` with the configured sender, after the commit
 * that wrote them, at least once, **in order per dossier**: a row is taken only when no earlier
 * row of its dossier is still pending, so the portal never gets a dossier's older state after a
 * newer one. A round claims due rows in one short transaction (`FOR UPDATE SKIP LOCKED` on
 * PostgreSQL) and leases them; the sender runs outside any transaction; the outcome is written
 * in another, with the dossier's `sync_status`: `sent` when nothing of it is left pending,
 * `failed` after the last attempt (logged as an error; an operator retries it). A failed row does
 * not hold back later ones: each payload carries the whole dossier, its history included.
 */
export class PortalDelivery {
  readonly id = `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  private sender: Promise<PortalSender | null> | null = null;

  constructor(
    private readonly svc: DeliveryPorts,
    private readonly options: PortalDeliveryOptions = {},
  ) {}

  /** Checks at boot that the configured sender exists (`portal.sender_unknown` otherwise). */
  static check(svc: Pick<Ports, 'config' | 'plugins'>): void {
    const name = svc.config.portalSender;
    if (name === 'none' || name === 'file') return;
    const offered = svc.plugins.contributionsTo<PortalSenderContribution>('portal.sender').map((c) => c.value.name);
    if (!offered.includes(name)) throw unknownSender(name, offered);
  }

  /** The configured sender, built once; null for `none` (rows wait). */
  senderOf(): Promise<PortalSender | null> {
    this.sender ??= (async () => {
      const name = this.svc.config.portalSender;
      if (name === 'none') return null;
      if (name === 'file') return new FilePortalSender(this.svc.config.portalDir);
      const found = this.svc.plugins.contributionsTo<PortalSenderContribution>('portal.sender').find((c) => c.value.name === name);
      if (!found) throw unknownSender(name, []);
      return found.value.create(this.svc.plugins.context(found.plugin));
    })();
    return this.sender;
  }

  /** Sends due rows until none is left or `limit` were tried. */
  async deliverDue(limit = 500): Promise<PortalDeliveryResult> {
    const result: PortalDeliveryResult = { sent: 0, retried: 0, failed: 0 };
    const sender = await this.senderOf();
    if (!sender) return result;
    let tried = 0;
    while (tried < limit) {
      const rows = await this.claim(Math.min(this.options.batch ?? 50, limit - tried));
      if (!rows.length) break;
      for (const row of rows) result[await this.deliver(sender, row)]++;
      tried += rows.length;
    }
    return result;
  }

  private async claim(n: number): Promise<PortalSync[]> {
    const now = this.svc.clock.now();
    const pg = this.svc.db.dialect === 'postgresql';
    const until = new Date(now.getTime() + (this.options.leaseMs ?? 300_000));
    return this.svc.db.em().transactional(async (em) => {
      const due = await em.find(
        PortalSync,
        { status: 'pending', nextAttemptAt: { $lte: now }, $or: [{ lockedUntil: null }, { lockedUntil: { $lte: now } }] },
        {
          orderBy: { createdAt: 'asc', seq: 'asc' },
          limit: n,
          lockMode: pg ? LockMode.PESSIMISTIC_PARTIAL_WRITE : undefined,
          disableIdentityMap: true,
        },
      );
      if (!due.length) return [];
      // In order per dossier: only a dossier's first pending row (one a concurrent runner holds counts too).
      const pending = await em.find(
        PortalSync,
        { dossierId: { $in: [...new Set(due.map((r) => r.dossierId))] }, status: 'pending' },
        { fields: ['dossierId', 'seq'], disableIdentityMap: true },
      );
      const first = new Map<string, number>();
      for (const r of pending) first.set(r.dossierId, Math.min(first.get(r.dossierId) ?? Infinity, r.seq));
      const rows = due.filter((r) => first.get(r.dossierId) === r.seq);
      if (rows.length) await em.nativeUpdate(PortalSync, { id: { $in: rows.map((r) => r.id) } }, { lockedBy: this.id, lockedUntil: until });
      return rows;
    });
  }

  private async deliver(sender: PortalSender, row: PortalSync): Promise<keyof PortalDeliveryResult> {
    const attempt = row.attempts + 1;
    try {
      await sender.send(JSON.parse(row.payload) as PortalPayload, { idempotencyKey: row.idempotencyKey, attempt });
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      const giveUp = attempt >= this.svc.config.portalMaxAttempts;
      const delay = this.options.retryDelayMs?.(attempt) ?? Math.min(30_000 * 2 ** (attempt - 1), 3_600_000);
      this.svc.log[giveUp ? 'error' : 'warn'](
        { dossier: row.dossierCode, seq: row.seq, idempotencyKey: row.idempotencyKey, attempts: attempt, err: message },
        giveUp ? 'portal sync failed for good' : 'portal sync failed, will retry',
      );
      await this.svc.db.em().transactional(async (em) => {
        await em.nativeUpdate(
          PortalSync,
          { id: row.id, lockedBy: this.id, status: 'pending' },
          {
            status: giveUp ? 'failed' : 'pending',
            attempts: attempt,
            lastError: message.slice(0, 4000),
            nextAttemptAt: new Date(this.svc.clock.now().getTime() + delay),
            lockedBy: null,
            lockedUntil: null,
          },
        );
        if (giveUp) await em.nativeUpdate(Dossier, { id: row.dossierId }, { syncStatus: 'failed' });
      });
      return giveUp ? 'failed' : 'retried';
    }
    await this.svc.db.em().transactional(async (em) => {
      await em.nativeUpdate(
        PortalSync,
        { id: row.id, status: 'pending' },
        {
          status: 'sent',
          attempts: attempt,
          sentAt: this.svc.clock.now(),
          sentBy: this.svc.config.portalSender,
          lastError: null,
          lockedBy: null,
          lockedUntil: null,
        },
      );
      if (!(await em.count(PortalSync, { dossierId: row.dossierId, status: 'pending' })))
        await em.nativeUpdate(Dossier, { id: row.dossierId }, { syncStatus: 'sent' });
    });
    return 'sent';
  }

  /**
   * An operator's retry of a dossier's failed rows: pending again, due now, attempts from zero.
   * Answers how many rows were re-queued.
   */
  async retryFailed(dossierCode: string): Promise<number> {
    return this.svc.db.em().transactional(async (em) => {
      const n = await em.nativeUpdate(
        PortalSync,
        { dossierCode, status: 'failed' },
        { status: 'pending', attempts: 0, nextAttemptAt: this.svc.clock.now(), lockedBy: null, lockedUntil: null },
      );
      if (n) await em.nativeUpdate(Dossier, { code: dossierCode }, { syncStatus: 'pending' });
      return n;
    });
  }
}
