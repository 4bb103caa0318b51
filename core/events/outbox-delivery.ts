import { hostname } from 'node:os';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import type { EventBus } from './bus.ts';
import { eventOf, type OutboxRow } from './outbox.ts';
import { sql } from '../db/sql.ts';

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

  private async claim(consumers: string[], n: number): Promise<OutboxRow[]> {
    const now = this.deps.clock.now();
    const pg = this.deps.db.dialect === 'postgresql';
    const until = new Date(now.getTime() + (this.options.leaseMs ?? 300_000));
    return this.deps.db.em().transactional(async (em) => {
      const rows = await sql(em).all<OutboxRow>(
        `SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
         AND consumer IN (${consumers.map(() => '?').join(', ')}) ORDER BY created_at, id LIMIT ${Number(n)}${pg ? ' FOR UPDATE SKIP LOCKED' : ''}`,
        [now, now, ...consumers],
      );
      if (rows.length)
        await sql(em).run(`UPDATE outbox SET locked_by = ?, locked_until = ? WHERE id IN (${rows.map(() => '?').join(', ')})`, [
          this.id,
          until,
          ...rows.map((r) => r.id),
        ]);
      return rows;
    });
  }

  private async deliver(row: OutboxRow): Promise<keyof DeliveryResult> {
    const consumer = this.deps.events.consumer(row.consumer)!;
    const attempt = Number(row.attempts) + 1;
    const em = this.deps.db.em();
    try {
      await consumer.handler(eventOf(row), { idempotencyKey: row.idempotency_key, attempt, consumer: row.consumer });
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      const giveUp = attempt >= (this.options.maxAttempts ?? 8);
      const delay = this.options.retryDelayMs?.(attempt) ?? Math.min(30_000 * 2 ** (attempt - 1), 3_600_000);
      const log = {
        outboxId: row.id,
        consumer: row.consumer,
        event: row.event_type,
        eventId: row.event_id,
        attempts: attempt,
        err: message,
      };
      this.deps.log[giveUp ? 'error' : 'warn'](log, giveUp ? 'outbox delivery failed for good' : 'outbox delivery failed, will retry');
      await sql(em).run(
        `UPDATE outbox SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?, locked_by = NULL, locked_until = NULL WHERE id = ? AND locked_by = ? AND status = 'pending'`,
        [
          giveUp ? 'failed' : 'pending',
          attempt,
          message.slice(0, 4000),
          new Date(this.deps.clock.now().getTime() + delay),
          row.id,
          this.id,
        ],
      );
      return giveUp ? 'failed' : 'retried';
    }
    await sql(em).run(
      "UPDATE outbox SET status = 'delivered', attempts = ?, delivered_at = ?, last_error = NULL, locked_by = NULL, locked_until = NULL WHERE id = ? AND status = 'pending'",
      [attempt, this.deps.clock.now(), row.id],
    );
    return 'delivered';
  }
}
