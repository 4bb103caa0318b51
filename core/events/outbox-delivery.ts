import { hostname } from 'node:os';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import type { EventBus } from './bus.ts';
import { LockMode } from '@mikro-orm/core';
import { OutboxEntry } from './entities.ts';
import { eventOf } from './outbox.ts';

export interface OutboxDeliveryOptions {
  /** Rows claimed per round (default 50). */
  batch?: number;
  /** How long claimed rows stay leased to this runner while their consumers run (default 5 min). */
  leaseMs?: number;
  /** Attempts before a row is marked failed (default 8). */
  maxAttempts?: number;
  /** Delay before attempt n + 1 after n failures (default 30 s · 2^(n − 1), at most 1 h). */
  retryDelayMs?(attempts: number): number;
}

export interface DeliveryResult {
  delivered: number;
  retried: number;
  failed: number;
}

/**
 * Delivers `outbox` rows to their after-commit consumers, after the commit that wrote them, at
 * least once. A round claims due rows in one short transaction (`FOR UPDATE SKIP LOCKED` on
 * PostgreSQL, so runners on several nodes never take the same row) and leases them
 * (`locked_by`, `locked_until`); each consumer then runs outside any transaction, and its
 * outcome is written in another: delivered, or retried later with backoff, or failed after the
 * last attempt (logged as an error). A crash between the consumer and that write leaves the
 * lease to expire and the row is delivered again: consumers use the idempotency key.
 * Only rows of consumers this node has are claimed.
 */
export class OutboxDelivery {
  readonly id = `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;

  constructor(
    private readonly deps: { db: Database; clock: Clock; log: Logger; events: EventBus },
    private readonly options: OutboxDeliveryOptions = {},
  ) {}

  /** Delivers due rows until none is left or `limit` rows were tried. */
  async deliverDue(limit = 500): Promise<DeliveryResult> {
    const result: DeliveryResult = { delivered: 0, retried: 0, failed: 0 };
    const consumers = this.deps.events.consumerNames();
    if (!consumers.length) return result;
    let tried = 0;
    while (tried < limit) {
      const rows = await this.claim(consumers, Math.min(this.options.batch ?? 50, limit - tried));
      if (!rows.length) break;
      for (const row of rows) result[await this.deliver(row)]++;
      tried += rows.length;
    }
    return result;
  }

  private async claim(consumers: string[], n: number): Promise<OutboxEntry[]> {
    const now = this.deps.clock.now();
    const pg = this.deps.db.dialect === 'postgresql';
    const until = new Date(now.getTime() + (this.options.leaseMs ?? 300_000));
    return this.deps.db.em().transactional(async (em) => {
      // Read outside the identity map: the lease below and the outcomes are native updates.
      const rows = await em.find(
        OutboxEntry,
        {
          status: 'pending',
          nextAttemptAt: { $lte: now },
          $or: [{ lockedUntil: null }, { lockedUntil: { $lte: now } }],
          consumer: { $in: consumers },
        },
        {
          orderBy: { createdAt: 'asc', id: 'asc' },
          limit: n,
          lockMode: pg ? LockMode.PESSIMISTIC_PARTIAL_WRITE : undefined,
          disableIdentityMap: true,
        },
      );
      if (rows.length)
        await em.nativeUpdate(OutboxEntry, { id: { $in: rows.map((r) => r.id) } }, { lockedBy: this.id, lockedUntil: until });
      return rows;
    });
  }

  private async deliver(row: OutboxEntry): Promise<keyof DeliveryResult> {
    const consumer = this.deps.events.consumer(row.consumer)!;
    const attempt = row.attempts + 1;
    const em = this.deps.db.em();
    try {
      await consumer.handler(eventOf(row), { idempotencyKey: row.idempotencyKey, attempt, consumer: row.consumer });
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      const giveUp = attempt >= (this.options.maxAttempts ?? 8);
      const delay = this.options.retryDelayMs?.(attempt) ?? Math.min(30_000 * 2 ** (attempt - 1), 3_600_000);
      const log = {
        outboxId: row.id,
        consumer: row.consumer,
        event: row.eventType,
        eventId: row.eventId,
        attempts: attempt,
        err: message,
      };
      this.deps.log[giveUp ? 'error' : 'warn'](log, giveUp ? 'outbox delivery failed for good' : 'outbox delivery failed, will retry');
      await em.nativeUpdate(
        OutboxEntry,
        { id: row.id, lockedBy: this.id, status: 'pending' },
        {
          status: giveUp ? 'failed' : 'pending',
          attempts: attempt,
          lastError: message.slice(0, 4000),
          nextAttemptAt: new Date(this.deps.clock.now().getTime() + delay),
          lockedBy: null,
          lockedUntil: null,
        },
      );
      return giveUp ? 'failed' : 'retried';
    }
    await em.nativeUpdate(
      OutboxEntry,
      { id: row.id, status: 'pending' },
      { status: 'delivered', attempts: attempt, deliveredAt: this.deps.clock.now(), lastError: null, lockedBy: null, lockedUntil: null },
    );
    return 'delivered';
  }
}
