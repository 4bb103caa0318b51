import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { useTestPlatform, type TestClient } from '../../tests/support/platform.ts';

/** Housekeeping of the messages table (core/engine/message-purge.ts), run by the job runner. */
const ctx = useTestPlatform();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let clerk: TestClient;

beforeAll(async () => {
  const analyst = await ctx.t.login('analyst');
  // msg-catch accepts "ket-qua-thue" from outside: sent with a key nobody waits for, it is buffered.
  for (const file of ['msg-start.bpmn', 'msg-catch.bpmn']) {
    const xml = readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');
    expect((await analyst.post('/api/definitions', xml, { 'content-type': 'application/xml' })).status).toBe(201);
  }
  clerk = await ctx.t.login('clerk');
});

const send = async (body: Record<string, unknown>) => {
  const res = await clerk.post('/api/messages', body);
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as { status: string };
};
const rows = async () =>
  Object.fromEntries(
    (
      await ctx.t.platform.services.db
        .em()
        .execute<{ message_id: string; status: string }[]>('SELECT message_id, status FROM messages ORDER BY message_id')
    ).map((r) => [r.message_id, r.status]),
  );
const chores = () => ctx.t.platform.services.jobs.runChores();

describe('message housekeeping', () => {
  it('expires buffered messages past their time to live, deletes finished ones past the retention, keeps the rest, and audits it', async () => {
    // Given a message nobody waits for (buffered) and one that started an instance (correlated)
    expect((await send({ name: 'ket-qua-thue', correlationKey: 'HS-1', messageId: 'old-buffered' })).status).toBe('buffered');
    expect((await send({ name: 'ho-so-truc-tuyen', correlationKey: 'DVC-1', messageId: 'old-started' })).status).toBe('started');
    expect(await rows()).toEqual({ 'old-buffered': 'buffered', 'old-started': 'correlated' });

    // When the time to live (72 h) passes, then the buffered one is marked expired, nothing is deleted
    ctx.t.clock.advance(73 * HOUR);
    await chores();
    expect(await rows()).toEqual({ 'old-buffered': 'expired', 'old-started': 'correlated' });

    // When the retention (90 days) passes, then both are deleted, while a fresh buffered message stays
    ctx.t.clock.advance(90 * DAY);
    clerk = await ctx.t.login('clerk');
    expect((await send({ name: 'ket-qua-thue', correlationKey: 'HS-2', messageId: 'fresh' })).status).toBe('buffered');
    await chores();
    expect(await rows()).toEqual({ fresh: 'buffered' });

    // summary is jsonb on PostgreSQL (an object), text on SQLite
    const audited = await ctx.t.platform.services.db
      .em()
      .execute<{ summary: unknown }[]>("SELECT summary FROM audit_log WHERE action = 'message.purged' ORDER BY id");
    expect(audited.map((a) => (typeof a.summary === 'string' ? JSON.parse(a.summary) : a.summary))).toEqual([
      expect.objectContaining({ expired: 1, deleted: 0 }),
      expect.objectContaining({ expired: 0, deleted: 2 }),
    ]);
  });

  it('runs at most once an hour per node, and does nothing (and audits nothing) when there is nothing to do', async () => {
    const count = async () =>
      Number(
        (
          await ctx.t.platform.services.db
            .em()
            .execute<{ n: number }[]>("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'message.purged'")
        )[0].n,
      );
    const before = await count();
    ctx.t.clock.advance(4 * DAY);
    await chores();
    // The fresh message expired: one record. Within the hour, the chore does not run again.
    expect(await rows()).toEqual({ fresh: 'expired' });
    expect(await count()).toBe(before + 1);
    await ctx.t.platform.services.db.em().execute("UPDATE messages SET status = 'buffered'");
    await chores();
    expect(await rows()).toEqual({ fresh: 'buffered' });
    ctx.t.clock.advance(HOUR);
    await chores();
    expect(await rows()).toEqual({ fresh: 'expired' });
    expect(await count()).toBe(before + 2);
    // An hour later there is nothing to expire or delete: no record.
    ctx.t.clock.advance(HOUR);
    await chores();
    expect(await rows()).toEqual({ fresh: 'expired' });
    expect(await count()).toBe(before + 2);
  });
});
