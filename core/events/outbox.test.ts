import { beforeAll, describe, expect, it } from 'vitest';
import { testDialect, useTestPlatform } from '../../tests/support/platform.ts';
import type { Delivery } from './bus.ts';
import type { DomainEvent } from './catalogue.ts';
import { OutboxDelivery } from './outbox-delivery.ts';
import { OUTBOX_RETENTION_MS, purgeOutbox } from './outbox-purge.ts';

const ctx = useTestPlatform();
const MINUTE = 60_000;

/** Calls of each after-commit consumer; `failures` makes the next n calls of one throw. */
const calls = new Map<string, { event: DomainEvent; delivery: Delivery }[]>();
const failures = new Map<string, number>();

function consume(type: string) {
  ctx.t.platform.services.events.subscribe(
    type,
    (event, delivery) => {
      calls.set(type, [...(calls.get(type) ?? []), { event, delivery }]);
      const left = failures.get(type) ?? 0;
      if (left > 0) {
        failures.set(type, left - 1);
        throw new Error('the portal is down');
      }
    },
    { afterCommit: true, owner: 'test' },
  );
}

beforeAll(async () => {
  for (const type of [
    'test.dossier.received',
    'test.dossier.retried',
    'test.dossier.rolled-back',
    'test.dossier.broken',
    'test.dossier.raced',
  ])
    consume(type);
});

const services = () => ctx.t.platform.services;
const publish = (type: string, payload: Record<string, unknown>) =>
  services()
    .db.em()
    .transactional((em) => services().events.publish(em, type, payload, { actor: { id: null, name: 'test' }, requestId: 'req-outbox' }));
const rows = (type: string) =>
  services()
    .db.em()
    .execute<{ status: string; attempts: number | string; idempotency_key: string; consumer: string; last_error: string | null }[]>(
      'SELECT status, attempts, idempotency_key, consumer, last_error FROM outbox WHERE event_type = ? ORDER BY created_at, id',
      [type],
    );

describe('the outbox', () => {
  it('Given an after-commit consumer, When an event is published, Then it is written as a row and delivered once after the commit, with its idempotency key', async () => {
    // When
    await publish('test.dossier.received', { dossier: 'HS-1' });
    // Then nothing is delivered inside the command; the row waits
    expect(calls.get('test.dossier.received')).toBeUndefined();
    const [row] = await rows('test.dossier.received');
    expect(row).toMatchObject({ status: 'pending', consumer: 'test:test.dossier.received' });
    // When the job runner passes (its chores deliver the outbox)
    await services().jobs.runChores();
    // Then the consumer got the event once
    const got = calls.get('test.dossier.received')!;
    expect(got).toHaveLength(1);
    expect(got[0].event).toMatchObject({
      type: 'test.dossier.received',
      payload: { dossier: 'HS-1' },
      actor: { id: null, name: 'test' },
      requestId: 'req-outbox',
    });
    expect(got[0].delivery).toEqual({ idempotencyKey: row.idempotency_key, attempt: 1, consumer: 'test:test.dossier.received' });
    expect((await rows('test.dossier.received'))[0]).toMatchObject({ status: 'delivered', attempts: expect.anything() });
    // And a later pass does not deliver it again
    await services().jobs.runChores();
    expect(calls.get('test.dossier.received')).toHaveLength(1);
  });

  it('Given a consumer that fails twice, When delivery is retried with backoff, Then it succeeds on the third attempt with the same idempotency key', async () => {
    const delivery = new OutboxDelivery(services());
    failures.set('test.dossier.retried', 2);
    await publish('test.dossier.retried', { dossier: 'HS-2' });
    expect(await delivery.deliverDue()).toEqual({ delivered: 0, retried: 1, failed: 0 });
    // Not again before its backoff (30 s after the first failure)
    expect(await delivery.deliverDue()).toEqual({ delivered: 0, retried: 0, failed: 0 });
    expect((await rows('test.dossier.retried'))[0]).toMatchObject({ status: 'pending', last_error: 'the portal is down' });
    ctx.t.clock.advance(31_000);
    expect(await delivery.deliverDue()).toEqual({ delivered: 0, retried: 1, failed: 0 });
    ctx.t.clock.advance(61_000);
    expect(await delivery.deliverDue()).toEqual({ delivered: 1, retried: 0, failed: 0 });
    const got = calls.get('test.dossier.retried')!;
    expect(got.map((c) => c.delivery.attempt)).toEqual([1, 2, 3]);
    expect(new Set(got.map((c) => c.delivery.idempotencyKey)).size).toBe(1);
    expect(new Set(got.map((c) => c.event.id)).size).toBe(1);
    expect((await rows('test.dossier.retried'))[0]).toMatchObject({ status: 'delivered', last_error: null });
    expect(Number((await rows('test.dossier.retried'))[0].attempts)).toBe(3);
  });

  it('Given a consumer that always fails, When it ran out of attempts, Then the row is marked failed and never tried again', async () => {
    const delivery = new OutboxDelivery(services(), { maxAttempts: 3, retryDelayMs: () => MINUTE });
    failures.set('test.dossier.broken', 100);
    await publish('test.dossier.broken', { dossier: 'HS-3' });
    const outcomes = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(await delivery.deliverDue());
      ctx.t.clock.advance(MINUTE);
    }
    expect(outcomes.map((o) => o.failed)).toEqual([0, 0, 1, 0]);
    expect(calls.get('test.dossier.broken')).toHaveLength(3);
    expect((await rows('test.dossier.broken'))[0]).toMatchObject({ status: 'failed', last_error: 'the portal is down' });
  });

  it('Given a transaction that rolls back after publishing, Then no row is left and the consumer is never called', async () => {
    const err = await services()
      .db.em()
      .transactional(async (em) => {
        await services().events.publish(em, 'test.dossier.rolled-back', { dossier: 'HS-4' });
        throw new Error('the command failed later');
      })
      .catch((e: Error) => e);
    expect(err.message).toBe('the command failed later');
    expect(await rows('test.dossier.rolled-back')).toEqual([]);
    await services().jobs.runChores();
    expect(calls.get('test.dossier.rolled-back')).toBeUndefined();
  });

  it('Given delivered rows older than the retention, When the purge runs, Then they are deleted and the others kept', async () => {
    const count = async () =>
      Number(
        (await services().db.em().execute<{ n: number | string }[]>("SELECT COUNT(*) AS n FROM outbox WHERE status = 'delivered'"))[0].n,
      );
    expect(await count()).toBeGreaterThan(0);
    expect(await purgeOutbox(services())).toBe(0);
    ctx.t.clock.advance(OUTBOX_RETENTION_MS + MINUTE);
    expect(await purgeOutbox(services())).toBeGreaterThan(0);
    expect(await count()).toBe(0);
    expect((await rows('test.dossier.broken'))[0]).toMatchObject({ status: 'failed' });
  });

  it.runIf(testDialect() === 'postgresql')(
    'Given two job runners, When both deliver at once, Then each row is delivered exactly once (PostgreSQL)',
    async () => {
      const n = 40;
      for (let i = 0; i < n; i++) await publish('test.dossier.raced', { i });
      const a = new OutboxDelivery(services(), { batch: 5 });
      const b = new OutboxDelivery(services(), { batch: 5 });
      const [ra, rb] = await Promise.all([a.deliverDue(), b.deliverDue()]);
      expect(ra.delivered + rb.delivered).toBe(n);
      const got = calls.get('test.dossier.raced')!;
      expect(got).toHaveLength(n);
      expect(new Set(got.map((c) => c.event.payload.i)).size).toBe(n);
      expect((await rows('test.dossier.raced')).every((r) => r.status === 'delivered')).toBe(true);
    },
  );
});
