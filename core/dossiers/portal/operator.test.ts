import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../../tests/support/harness.ts';
import { runMotcua } from '../../../tests/support/cli.ts';
import { procedure, publish, receiveDossier } from '../fixtures/procedures.ts';
import type { DossierView } from '../service.ts';
import { Dossier } from '../entities.ts';
import type { OutboxPage, OutboxRow } from './operator.ts';

/**
 * The portal outbox for its operators (docs/portal-sync.md, "Operating it"): the rows by state,
 * a retry of a dead (failed) row through the API and the CLI, audited, and the row then sent by
 * the file sender. The sender really fails: its folder is first a file, so it cannot write.
 */
const tmp = mkdtempSync(join(tmpdir(), 'motcua-portal-ops-'));
const dir = join(tmp, 'outbox');
const h = useHarness({
  fixtures: new URL('../fixtures/', import.meta.url),
  config: { portalSender: 'file', portalDir: dir, portalMaxAttempts: 2 },
});
const { deploy } = h.process({ as: () => admin });
let clerk: TestClient;
let admin: TestClient;

async function at(local: string) {
  h.t.clock.set(new Date(`${local}+07:00`));
  clerk = await h.login('clerk');
  admin = await h.login('admin');
}
const later = (ms: number) => h.t.clock.set(new Date(h.t.clock.now().getTime() + ms));

async function receive(): Promise<DossierView> {
  return await receiveDossier(clerk, '1.970001');
}

/** Receives a dossier while the sender cannot write, and lets its row fail for good (2 attempts). */
async function deadRow(): Promise<{ d: DossierView; row: OutboxRow }> {
  rmSync(dir, { recursive: true, force: true });
  writeFileSync(dir, 'not a folder');
  const d = await receive();
  expect(await h.services.portalSync.deliverDue()).toMatchObject({ sent: 0, retried: 1 });
  later(31_000);
  expect(await h.services.portalSync.deliverDue()).toMatchObject({ sent: 0, failed: 1 });
  rmSync(dir, { force: true });
  const page = await outbox(admin, `state=failed&dossierCode=${d.code}`);
  expect(page.items).toHaveLength(1);
  return { d, row: page.items[0] };
}

async function outbox(as: TestClient, query: string): Promise<OutboxPage> {
  const res = await as.get(`/api/portal/outbox?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as OutboxPage;
}

const syncStatus = async (code: string) => (await h.em().fork().findOneOrFail(Dossier, { code })).syncStatus;
const audits = async (targetId: string) =>
  (
    await h
      .em()
      .execute<{ actor_name: string; summary: string | object }[]>(
        "SELECT actor_name, summary FROM audit_log WHERE action = 'portal.sync_retried' AND target_id = ?",
        [targetId],
      )
  ).map((r) => ({ actor: r.actor_name, ...((typeof r.summary === 'string' ? JSON.parse(r.summary) : r.summary) as object) }));

beforeAll(async () => {
  await at('2026-03-16T08:00:00');
  await deploy('registration.bpmn');
  await publish(h.services, [procedure('1.970001', { days: 5 })]);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('GET /api/portal/outbox and POST /api/portal/outbox/{id}/retry', () => {
  it('Given a row that failed its last attempt (the dead letter), Then the operator sees it with its attempts and error, retries it (audited), and the file sender sends it', async () => {
    await at('2026-03-16T09:00:00');
    const { d, row } = await deadRow();
    expect(row).toMatchObject({ dossierCode: d.code, seq: 1, status: 'failed', attempts: 2, nextAttemptAt: null });
    expect(row.lastError).toMatch(/EEXIST|ENOTDIR/);
    expect(await syncStatus(d.code)).toBe('failed');
    // Not tried again by itself.
    await at('2026-03-17T09:00:00');
    expect(await h.services.portalSync.deliverDue()).toMatchObject({ sent: 0, retried: 0, failed: 0 });

    const res = await admin.post(`/api/portal/outbox/${row.id}/retry`, {});
    expect(res.status, await res.clone().text()).toBe(200);
    const retried = (await res.json()) as OutboxRow;
    expect(retried).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: h.t.clock.now().toISOString() });
    expect(await syncStatus(d.code)).toBe('pending');
    expect(await audits(row.id)).toEqual([
      expect.objectContaining({ actor: 'admin', code: d.code, seq: 1, status: 'failed', attempts: 2, lastError: row.lastError }),
    ]);
    expect((await outbox(admin, `state=pending&dossierCode=${d.code}`)).items.map((r) => r.id)).toEqual([row.id]);

    expect(await h.services.portalSync.deliverDue()).toMatchObject({ sent: 1 });
    expect(existsSync(join(dir, `${d.code}__0001.json`))).toBe(true);
    expect(await syncStatus(d.code)).toBe('sent');
    expect((await outbox(admin, `state=sent&dossierCode=${d.code}`)).items).toMatchObject([{ id: row.id, status: 'sent', attempts: 1 }]);
    const again = await admin.post(`/api/portal/outbox/${row.id}/retry`, {});
    expect(again.status).toBe(409);
    expect(((await again.json()) as { code: string }).code).toBe('portal.sync_not_retryable');
    const none = await admin.post('/api/portal/outbox/no-such-row/retry', {});
    expect(none.status).toBe(404);
    expect(((await none.json()) as { code: string }).code).toBe('portal.sync_not_found');
  });

  it('Given a clerk, Then the outbox and its retry are refused (403) and nothing is audited', async () => {
    await at('2026-03-18T09:00:00');
    const { d, row } = await deadRow();
    expect((await clerk.get('/api/portal/outbox?state=failed')).status).toBe(403);
    const res = await clerk.post(`/api/portal/outbox/${row.id}/retry`, {});
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('auth.forbidden');
    expect(await audits(row.id)).toEqual([]);
    // Out of the way of the next tests.
    await h.services.portalSync.retryFailed(d.code);
    expect(await h.services.portalSync.deliverDue()).toMatchObject({ sent: 1 });
  });

  it('Given several rows, Then a page holds at most `limit` of them and says where the next one starts', async () => {
    await at('2026-03-19T09:00:00');
    await receive();
    await receive();
    const all = await outbox(admin, 'state=pending&limit=200');
    expect(all.total).toBeGreaterThanOrEqual(2);
    const first = await outbox(admin, 'state=pending&limit=1');
    expect(first.items).toHaveLength(1);
    expect(first.nextOffset).toBe(1);
    const second = await outbox(admin, 'state=pending&limit=1&offset=1');
    expect(second.items[0].id).not.toBe(first.items[0].id);
    await h.services.portalSync.deliverDue();
  });
});

describe('motcua portal status and motcua portal retry', () => {
  it(
    'Given a dead row, Then `portal status` counts it and lists it, `portal retry --all-failed` makes it pending (audited as cli), and a sent row cannot be retried',
    { timeout: 120_000 },
    async () => {
      await at('2026-03-20T09:00:00');
      const { d, row } = await deadRow();
      const status = await runMotcua(h.t.db, ['portal', 'status']);
      expect(status.stderr).toBe('');
      expect(status.code).toBe(0);
      const lines = status.stdout.split('\n');
      expect(lines).toContain('failed: 1');
      expect(lines).toContain('pending: 0 (retrying: 0)');
      expect(lines.find((l) => l.startsWith('sent: '))).toMatch(/^sent: [1-9]\d*$/);
      expect(lines).toContain('oldest pending: —');
      expect(status.stdout).toContain(`${row.id}  ${d.code}:1  2`);

      const retried = await runMotcua(h.t.db, ['portal', 'retry', '--all-failed']);
      expect(retried.stderr).toBe('');
      expect(retried.stdout.trim()).toBe('1 failed row pending again');
      expect(await audits(row.id)).toEqual([expect.objectContaining({ actor: 'cli:tester', code: d.code, status: 'failed' })]);
      const after = await runMotcua(h.t.db, ['portal', 'status']);
      expect(after.stdout.split('\n')).toEqual(expect.arrayContaining(['pending: 1 (retrying: 0)', 'failed: 0']));
      expect(after.stdout).toMatch(/oldest pending: \S/);
      expect(after.stdout).not.toContain('oldest pending: —');

      // The CLI made it due by the server's own clock, not the test's.
      h.t.clock.set(new Date(Math.max(Date.now(), h.t.clock.now().getTime()) + 60_000));
      expect(await h.services.portalSync.deliverDue()).toMatchObject({ sent: 1 });
      const sent = await runMotcua(h.t.db, ['portal', 'retry', row.id]);
      expect(sent.code).toBe(2);
      expect(sent.stderr).toMatch(/^error portal\.sync_not_retryable: /);
      const neither = await runMotcua(h.t.db, ['portal', 'retry']);
      expect(neither.code).toBe(2);
    },
  );
});
