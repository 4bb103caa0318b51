import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createTestDatabase, testDialect } from '../../tests/support/platform.ts';
import { createPlatform, type Platform } from '../boot.ts';
import { ManualClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import type { EntityManager } from '@mikro-orm/knex';
import { createLogger } from '../logger.ts';
import type { Acting } from '../org/actor.ts';

/** The job runner across platforms: catch-up after a restart, several runners on one database. */
const HOUR = 3_600_000;
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const WAIT = fixture('timer-wait.bpmn');
const variant = (key: string, from: string, to: string) => WAIT.replaceAll('timer-wait', key).replace(from, to);
const TEST_ACTING: Acting = { actor: { id: null, name: 'test' }, requestId: null };

async function count(sql: string, params: unknown[], em: EntityManager): Promise<number> {
  const [{ n }] = await em.execute<{ n: number | string }[]>(sql, params);
  return Number(n);
}

async function boot(database: string, clock: ManualClock): Promise<Platform> {
  const env = testDialect() === 'postgresql' ? { DATABASE_URL: database } : {};
  const config = loadConfig({ ...env, MOTCUA_LOG_LEVEL: 'silent' }, { database });
  return createPlatform({ config, clock, seedAdmin: false, log: createLogger('silent') });
}

async function deployAndStart(p: Platform, xml: string, key: string, n: number): Promise<string[]> {
  const svc = p.services;
  await svc.db.em().transactional((em) => svc.engine.definitions.deploy(em, TEST_ACTING, xml, `${key}.bpmn`));
  const ids: string[] = [];
  for (let i = 0; i < n; i += 100) {
    await svc.db.em().transactional(async (em) => {
      for (let k = i; k < Math.min(n, i + 100); k++)
        ids.push(await svc.engine.start(em, TEST_ACTING, { definitionKey: key, businessKey: `T-${k}` }));
    });
  }
  return ids;
}

describe('restart', () => {
  it('fires the timers that fell due while no platform ran as soon as the next one starts', async () => {
    // Given a platform with an instance waiting at a 1-hour timer, which then stops
    const db = await createTestDatabase();
    const clock = new ManualClock('2026-03-02T01:00:00.000Z');
    try {
      const first = await boot(db.database, clock);
      const [id] = await deployAndStart(first, variant('timer-hour', 'P60D', 'PT1H'), 'timer-hour', 1);
      await first.close();
      // When three hours later a new platform starts on the same database
      clock.advance(3 * HOUR);
      const second = await boot(db.database, clock);
      try {
        second.services.jobs.start();
        await second.services.jobs.stop();
        // Then its runner's first pass has fired the overdue timer
        const [task] = await second.services.db
          .em()
          .execute<{ activity_id: string }[]>("SELECT activity_id FROM tasks WHERE instance_id = ? AND status = 'open'", [id]);
        expect(task?.activity_id).toBe('after');
        expect(await count("SELECT COUNT(*) AS n FROM jobs WHERE instance_id = ? AND status = 'done'", [id], second.services.db.em())).toBe(
          1,
        );
      } finally {
        await second.close();
      }
    } finally {
      await db.drop();
    }
  }, 60_000);
});

describe('two platforms on one PostgreSQL database', () => {
  it('fire each of 500 timers due at once exactly once', async () => {
    if (testDialect() !== 'postgresql') {
      // SQLite has a single writer: one job runner per database (docs/architecture.md).
      expect(testDialect()).toBe('sqlite');
      return;
    }
    // Given two platforms on one database and 500 instances waiting at a 1-hour timer
    const db = await createTestDatabase();
    const clock = new ManualClock('2026-03-02T01:00:00.000Z');
    const a = await boot(db.database, clock);
    const b = await boot(db.database, clock);
    try {
      const ids = await deployAndStart(a, variant('timer-many', 'P60D', 'PT1H'), 'timer-many', 500);
      const em = a.services.db.em();
      expect(await count("SELECT COUNT(*) AS n FROM jobs WHERE status = 'pending'", [], em)).toBe(500);
      // When both runners fire due jobs at the same time
      clock.advance(2 * HOUR);
      const [ra, rb] = await Promise.all([a.services.jobs.runDue(1000), b.services.jobs.runDue(1000)]);
      // Then each timer fired exactly once, some on each platform
      expect(ra.done + rb.done).toBe(500);
      expect(ra.done).toBeGreaterThan(0);
      expect(rb.done).toBeGreaterThan(0);
      expect(ra.failed + rb.failed).toBe(0);
      expect(await count("SELECT COUNT(*) AS n FROM jobs WHERE status = 'done'", [], em)).toBe(500);
      expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'timer.fired'", [], em)).toBe(500);
      expect(await count("SELECT COUNT(DISTINCT target_id) AS n FROM audit_log WHERE action = 'timer.fired'", [], em)).toBe(500);
      expect(await count("SELECT COUNT(*) AS n FROM tasks WHERE activity_id = 'after' AND status = 'open'", [], em)).toBe(500);
      expect(await count("SELECT COUNT(DISTINCT instance_id) AS n FROM tasks WHERE activity_id = 'after'", [], em)).toBe(ids.length);
      expect(await count("SELECT COUNT(*) AS n FROM activity_history WHERE activity_id = 'wait' AND ended_at IS NOT NULL", [], em)).toBe(
        500,
      );
      const again = await Promise.all([a.services.jobs.runDue(1000), b.services.jobs.runDue(1000)]);
      expect(again.map((r) => r.done)).toEqual([0, 0]);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  }, 120_000);
});

describe('a timer and a user racing on one instance', () => {
  it('either the timer fires or the task is completed, never both', async () => {
    // Given 20 reviews whose 1-hour interrupting timer is due
    const db = await createTestDatabase();
    const clock = new ManualClock('2026-03-02T01:00:00.000Z');
    const a = await boot(db.database, clock);
    const b = testDialect() === 'postgresql' ? await boot(db.database, clock) : a;
    try {
      const xml = fixture('timer-boundary.bpmn').replaceAll('timer-boundary', 'timer-race').replace('P2D', 'PT1H');
      const ids = await deployAndStart(a, xml, 'timer-race', 20);
      clock.advance(2 * HOUR);
      const em = a.services.db.em();
      const tasks = await em.execute<{ id: string }[]>("SELECT id FROM tasks WHERE activity_id = 'review' AND status = 'open'");
      expect(tasks).toHaveLength(20);
      // When users complete them while the runner fires the timers (on another platform on PostgreSQL)
      const engine = a.services.engine;
      const completions = tasks.map((t) =>
        a.services.db.em().transactional(async (tx) => engine.completeTask(tx, TEST_ACTING, await engine.loadTask(tx, t.id), {})),
      );
      const [settled] = await Promise.all([Promise.allSettled(completions), b.services.jobs.runDue(1000)]);
      await b.services.jobs.runDue(1000);
      // Then each instance went one way only, and the losers changed nothing
      for (const r of settled)
        if (r.status === 'rejected') expect(['conflict.stale', 'task.not_open']).toContain((r.reason as { code?: string }).code);
      for (const id of ids) {
        const late = await count("SELECT COUNT(*) AS n FROM tasks WHERE instance_id = ? AND activity_id = 'late'", [id], em);
        const reviewed = await count(
          "SELECT COUNT(*) AS n FROM tasks WHERE instance_id = ? AND activity_id = 'review' AND status = 'completed'",
          [id],
          em,
        );
        const fired = await count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'timer.fired' AND target_id = ?", [id], em);
        expect(late + reviewed, id).toBe(1);
        expect(fired, id).toBe(late);
      }
      const won = settled.filter((r) => r.status === 'fulfilled').length;
      expect(await count("SELECT COUNT(*) AS n FROM tasks WHERE activity_id = 'late'", [], em)).toBe(20 - won);
      expect(await count("SELECT COUNT(*) AS n FROM jobs WHERE status = 'pending'", [], em)).toBe(0);
    } finally {
      await a.close();
      if (b !== a) await b.close();
      await db.drop();
    }
  }, 60_000);
});
