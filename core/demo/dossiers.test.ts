import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { verifyAuditChain } from '../audit/verify.ts';
import { installDemoPack } from '../packs/demo.ts';
import { testDialect, useHarness, type TestClient } from '../../tests/support/harness.ts';
import { demoDossiersOnStart, demoWeek, seedDemoDossiers, type DemoSummary } from './dossiers.ts';

/**
 * Demo dossiers (issue 15 point 12): the desk's last working week played through the services on
 * a new demo database. "Now" is Monday 7 December 2026, 13:49 in Vietnam; the week is the six
 * working days before it (Fri 27 Nov, Mon 30 Nov – Fri 4 Dec), and the province is founded at
 * 06:30 on its first day, as `serve --demo` does with its pinned clock.
 */
const now = new Date('2026-12-07T06:49:00.000Z');
const week = demoWeek(now);
const sqlite = testDialect() === 'sqlite';
const h = useHarness({ config: { demo: true }, demo: !sqlite, clock: new ManualClock(week.start) });
let summary: DemoSummary;
let clerk: TestClient;

interface Listed {
  code: string;
  status: number;
  applicantName: string;
  receivedAt: string | null;
  appointmentAt: string | null;
  overdue: boolean;
}

async function list(as: TestClient, query: string): Promise<Listed[]> {
  const res = await as.get(`/api/dossiers?limit=100&${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { items: Listed[] }).items;
}

beforeAll(async () => {
  expect((await installDemoPack(h.services)).status).toBe('installed');
  summary = await seedDemoDossiers(h.services, (to) => h.t.clock.set(to), week.days, now);
  h.t.clock.set(now);
  clerk = await h.login('clerk');
}, 300_000);

describe('Demo dossiers', () => {
  it('Given Monday 7 December 2026, Then the demo week is the six working days before it, founded at 06:30 on the first', () => {
    expect(week.start.toISOString()).toBe('2026-11-26T23:30:00.000Z');
    expect(week.days.map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10))).toEqual([
      '2026-11-27',
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
    ]);
  });

  it('When the week is played, Then a few dozen dossiers lie in every national status 1–10, some of them overdue', () => {
    expect(summary.dossiers).toBeGreaterThanOrEqual(30);
    expect(
      Object.keys(summary.byStatus)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(summary.overdue).toBeGreaterThan(0);
  });

  it('Then the desk reads them as a living week: newest first, received on the week’s working days, the overdue ones flagged', async () => {
    const all = await list(clerk, '');
    // Desk 1 reads its own; desk 2's are the centre's too, but clerk holds desk 1 only.
    expect(all.length).toBeGreaterThan(20);
    const received = all.filter((d) => d.receivedAt);
    for (const d of received) {
      expect(new Date(d.receivedAt!) < now).toBe(true);
      expect(week.days).toContain(Math.floor((Date.parse(d.receivedAt!) + 7 * 3_600_000) / 86_400_000));
    }
    const overdue = await list(clerk, 'overdue=true');
    expect(overdue.length).toBeGreaterThan(0);
    expect(overdue.every((d) => d.overdue && [2, 4, 5, 6].includes(d.status))).toBe(true);
  });

  it('Then it is the same week on every new demo database: codes by day of receipt, people from the seeded list', async () => {
    const [first] = await list(clerk, 'receivedFrom=2026-11-27&receivedTo=2026-11-27&q=DEMO.TTPVHCC-261127-0001');
    expect(first).toMatchObject({ code: 'DEMO.TTPVHCC-261127-0001', status: 10, applicantName: 'Trần Thu Phương' });
  });

  it('Then every account has work in its inbox, and a returned dossier shows its hops, its return and its evaluation', async () => {
    for (const username of ['clerk', 'xa.chuyenvien', 'xa.lanhdao', 'congan.chuyenvien', 'bhxh.chuyenvien', 'vpdk.chuyenvien']) {
      const res = await (await h.login(username)).get('/api/tasks');
      expect(((await res.json()) as unknown[]).length, username).toBeGreaterThan(0);
    }
    const d = (await (await clerk.get('/api/dossiers/DEMO.TTPVHCC-261127-0003')).json()) as {
      status: number;
      result: { method: string | null; recipient: { relation: string } | null };
      hops: { kind: string; timeliness: string | null }[];
    };
    expect(d.status).toBe(10);
    expect(d.result).toMatchObject({ method: 'desk', recipient: { relation: 'bản thân' } });
    expect(d.hops.map((x) => x.kind)).toEqual(['receipt', 'step', 'step', 'step', 'return']);
    expect(d.hops.filter((x) => x.timeliness).length).toBeGreaterThan(0);
    const [{ n }] = await h.em().execute<{ n: number }[]>('SELECT COUNT(*) AS n FROM dossier_evaluations');
    expect(Number(n)).toBe(6);
  });

  it('Then the audit trail of the week verifies', async () => {
    const v = await verifyAuditChain(h.em());
    expect(v.problems).toEqual([]);
  });

  it(
    sqlite
      ? 'Given a demo database that has dossiers, When the start-up hook runs again, Then it adds none'
      : 'Given PostgreSQL (never a demo server), When the start-up hook runs, Then it seeds nothing',
    async () => {
      const before = summary.dossiers;
      const line = await demoDossiersOnStart(h.services, week, (to) => h.t.clock.set(to), now);
      expect(line).toBeNull();
      const [{ n }] = await h.em().execute<{ n: number }[]>('SELECT COUNT(*) AS n FROM dossiers');
      expect(Number(n)).toBe(before);
    },
  );
});
