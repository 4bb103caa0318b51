import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { useHarness, type TestClient } from '../../../tests/support/harness.ts';
import { startTestPlatform } from '../../../tests/support/platform.ts';
import { definePlugin } from '../../plugin-api.ts';
import { installDemoPack } from '../../packs/demo.ts';
import { applicant, complete, procedure, publish } from '../fixtures/procedures.ts';
import type { DossierView } from '../service.ts';
import { Dossier } from '../entities.ts';
import { PortalSync } from './entities.ts';
import { PortalDelivery } from './delivery.ts';
import type { PortalPayload } from './payload.ts';
import type { PortalSender } from './sender.ts';

/**
 * The national-portal sync outbox (issue 15 point 9, docs/portal-sync.md): one payload per change,
 * sent by the configured sender (a plugin's, or the file sender), retried, in order per dossier,
 * and lossless for DOMAIN §4: every payload validates against docs/portal-payload.schema.json.
 */
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const schema = JSON.parse(readFileSync(new URL('../../../docs/portal-payload.schema.json', import.meta.url), 'utf8'));
const validate = addFormats(new Ajv2020({ allErrors: true, strict: true })).compile(schema);
const expectValid = (payload: unknown) => {
  const ok = validate(payload);
  expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
  expect(ok).toBe(true);
};

/** A sender a plugin contributes to `portal.sender`: fails while `failures` is above zero. */
const flaky = { failures: 0, sent: [] as { key: string; attempt: number; code: string; sequence: number }[] };
const flakySender: PortalSender = {
  async send(payload, info) {
    if (flaky.failures > 0) {
      flaky.failures--;
      throw new Error('portal unreachable (test)');
    }
    flaky.sent.push({ key: info.idempotencyKey, attempt: info.attempt, code: payload.code, sequence: payload.sequence });
  },
};
const flakyPlugin = definePlugin({
  id: 'flakyportal',
  version: '1.0.0',
  contributions: { 'portal.sender': [{ name: 'flaky', create: () => flakySender }] },
});

const h = useHarness({
  fixtures: new URL('../fixtures/', import.meta.url),
  plugins: [flakyPlugin],
  config: { portalSender: 'flaky', portalMaxAttempts: 3 },
});
const { deploy } = h.process({ as: () => admin });
const SYSTEM = { actor: { id: null, name: 'test:portal' }, requestId: null };
let clerk: TestClient;
let admin: TestClient;

async function at(local: string) {
  h.t.clock.set(new Date(`${local}+07:00`));
  clerk = await h.login('clerk');
  admin = await h.login('admin');
}

async function receive(body: Record<string, unknown> = {}): Promise<DossierView> {
  const res = await clerk.post('/api/dossiers', {
    procedureCode: '1.920001',
    caseKey: 'standard',
    channel: 1,
    applicant,
    outcome: 'receive',
    components: complete,
    ...body,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as DossierView;
}

/** Completes every open task of the dossier's process(es) as the system; answers how many. */
async function completeOpen(code: string, variables: Record<string, unknown> = {}): Promise<number> {
  const open = await h.em().execute<{ id: string }[]>("SELECT id FROM tasks WHERE business_key = ? AND status = 'open'", [code]);
  const engine = h.services.engine;
  for (const { id } of open) {
    const task = await engine.loadTask(h.em(), id);
    await h.em().transactional((em) => engine.completeTask(em, SYSTEM, task, variables));
  }
  return open.length;
}

const rows = (code: string) =>
  h
    .em()
    .fork()
    .find(PortalSync, { dossierCode: code }, { orderBy: { seq: 'asc' } });
const payloads = async (code: string) => (await rows(code)).map((r) => JSON.parse(r.payload) as PortalPayload);
const syncStatus = async (code: string) => (await h.em().fork().findOneOrFail(Dossier, { code })).syncStatus;
const later = (ms: number) => h.t.clock.set(new Date(h.t.clock.now().getTime() + ms));

beforeAll(async () => {
  await at('2026-03-16T08:00:00');
  await deploy('steps.bpmn');
  await publish(h.services, [procedure('1.920001', { process: 'steps' })]);
});

describe('Each change enqueues one payload', () => {
  it('Given a dossier received, then processing, Then each status change wrote exactly one row, numbered 1, 2, with a payload that validates, and the dossier is pending sync', async () => {
    await at('2026-03-16T08:00:00');
    const d = await receive();
    expect(await completeOpen(d.code)).toBe(1); // check → appraise (status 4)
    const [received, processing] = await payloads(d.code);
    expect((await rows(d.code)).map((r) => [r.seq, r.status, r.idempotencyKey])).toEqual([
      [1, 'pending', `${d.code}:1`],
      [2, 'pending', `${d.code}:2`],
    ]);
    expectValid(received);
    expectValid(processing);
    expect(received).toMatchObject({
      code: d.code,
      sequence: 1,
      change: { from: null, to: 2 },
      status: { code: 2, name: 'Đã tiếp nhận' },
      channel: 1,
      applicant: { name: 'Nguyễn Văn An', kind: 'citizen', idKind: 'personal_id' },
      procedure: { code: '1.920001', caseKey: 'standard', sectors: [{ code: 'HT', name: 'Hộ tịch', portalCode: null }] },
      dates: { receivedAt: d.receivedAt, appointmentAt: d.appointmentAt, finishedAt: null },
      units: { receiving: { code: 'DEMO.TTPVHCC.Q1' } },
    });
    expect(received.documents).toHaveLength(d.components.length);
    expect(processing).toMatchObject({ sequence: 2, change: { from: 2, to: 4 }, status: { code: 4 } });
    expect(processing.history.map((x) => [x.from, x.to])).toEqual([
      [null, 2],
      [2, 4],
    ]);
    expect(processing.trail.map((s) => [s.step, s.status])).toEqual([
      ['check', 'completed'],
      ['appraise', 'open'],
    ]);
    expect(await syncStatus(d.code)).toBe('pending');
  });

  it('Given a refusal at the desk, Then one row with status 3, its date and reasons', async () => {
    const d = await receive({ outcome: 'refuse', reasons: ['Không thuộc thẩm quyền'] });
    const list = await payloads(d.code);
    expect(list).toHaveLength(1);
    expectValid(list[0]);
    expect(list[0]).toMatchObject({ status: { code: 3 }, refusalReasons: ['Không thuộc thẩm quyền'], dates: { refusedAt: d.refusedAt } });
  });
});

describe('The file sender', () => {
  it('Given pending changes, When the file sender runs, Then each payload is a JSON file in the folder, the rows are sent and the dossier synced', async () => {
    await at('2026-03-17T08:00:00');
    const d = await receive();
    await completeOpen(d.code);
    const dir = mkdtempSync(join(tmpdir(), 'motcua-portal-'));
    const s = h.services;
    const files = new PortalDelivery({ ...s, config: { ...s.config, portalSender: 'file', portalDir: dir } });
    const result = await files.deliverDue();
    expect(result.failed).toBe(0);
    const names = readdirSync(dir).filter((f) => f.startsWith(d.code));
    expect(names).toEqual([`${d.code}__0001.json`, `${d.code}__0002.json`]);
    const written = JSON.parse(readFileSync(join(dir, names[1]), 'utf8')) as PortalPayload;
    expect(written).toEqual((await payloads(d.code))[1]);
    expect((await rows(d.code)).map((r) => [r.status, r.sentBy])).toEqual([
      ['sent', 'file'],
      ['sent', 'file'],
    ]);
    expect(await syncStatus(d.code)).toBe('sent');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('A sender that fails', () => {
  it('Given a plugin sender that fails once, Then the row is retried after the backoff, keeps its key, and later changes wait for it (in order per dossier)', async () => {
    await at('2026-03-18T08:00:00');
    await h.services.portalSync.deliverDue(); // earlier tests' rows out of the way
    flaky.sent.length = 0;
    const d = await receive();
    await completeOpen(d.code);
    flaky.failures = 1;
    expect(await h.services.portalSync.deliverDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
    const [first, second] = await rows(d.code);
    expect(first).toMatchObject({ status: 'pending', attempts: 1, lastError: 'portal unreachable (test)' });
    expect(second).toMatchObject({ status: 'pending', attempts: 0 });
    // Not due yet: nothing is sent, and the second change does not overtake the first.
    expect(await h.services.portalSync.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    later(31_000);
    expect(await h.services.portalSync.deliverDue()).toEqual({ sent: 2, retried: 0, failed: 0 });
    expect(flaky.sent).toEqual([
      { key: `${d.code}:1`, attempt: 2, code: d.code, sequence: 1 },
      { key: `${d.code}:2`, attempt: 1, code: d.code, sequence: 2 },
    ]);
    expect(await syncStatus(d.code)).toBe('sent');
  });

  it('Given a sender that keeps failing, Then after the last attempt the row is failed and the dossier shows it, the row is kept, and an operator retry sends it', async () => {
    await at('2026-03-19T08:00:00');
    const d = await receive();
    flaky.failures = 1000;
    for (let i = 0; i < 3; i++) {
      await h.services.portalSync.deliverDue();
      later(3_600_000);
    }
    expect((await rows(d.code)).map((r) => [r.status, r.attempts])).toEqual([['failed', 3]]);
    expect(await syncStatus(d.code)).toBe('failed');
    flaky.failures = 0;
    expect(await h.services.portalSync.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(await h.services.portalSync.retryFailed(d.code)).toBe(1);
    expect(await syncStatus(d.code)).toBe('pending');
    expect(await h.services.portalSync.deliverDue()).toMatchObject({ sent: 1 });
    expect((await rows(d.code)).map((r) => r.status)).toEqual(['sent']);
    expect(await syncStatus(d.code)).toBe('sent');
  });

  it('Given MOTCUA_PORTAL_SENDER naming a sender nobody offers, Then the platform does not start', async () => {
    await expect(startTestPlatform({ config: { portalSender: 'vnpt' } })).rejects.toMatchObject({ code: 'portal.sender_unknown' });
  });
});

describe('A finished bundle dossier', () => {
  it(
    'Given the shipped birth bundle (birth + residence + health insurance) received at the desk, When every step is done until its process ends, Then every payload and the finished state validate',
    { timeout: 120_000 },
    async () => {
      await at('2026-03-23T08:00:00');
      expect((await installDemoPack(h.services)).status).toBe('installed');
      const d = await receive({
        procedureCode: '3.000722',
        caseKey: 'lien-thong-khai-sinh',
        competentUnitId: 'DEMO.XA.AN-BINH',
        components: [
          { document: 0, received: true, originals: 1, digitised: true },
          { document: 1, received: true, originals: 1, digitised: true },
        ],
      });
      for (let round = 0; round < 20; round++) {
        if (!(await completeOpen(d.code, { complete: true, khaiSinhApproved: true }))) break;
      }
      const instance = await h.em().execute<{ status: string }[]>('SELECT status FROM process_instances WHERE id = ?', [d.instanceIds[0]]);
      expect(instance[0].status).toBe('completed');
      const list = await payloads(d.code);
      expect(list.map((p) => p.sequence)).toEqual(list.map((_, i) => i + 1));
      list.forEach(expectValid);
      const last = list.at(-1)!;
      // The process's end resolved the dossier and its return step handed the result over (end event status 10).
      expect(list.slice(-2).map((p) => p.status.code)).toEqual([9, 10]);
      expect(last.procedure).toMatchObject({ code: '3.000722', caseKey: 'lien-thong-khai-sinh' });
      expect(last.fees.items.length).toBeGreaterThan(0);
      expect(last.dates.finishedAt).not.toBeNull();
      expect(last.trail.every((s) => s.status !== 'open')).toBe(true);
      expect(last.trail.map((s) => s.step)).toEqual(
        expect.arrayContaining(['Task_TiepNhan', 'Task_HoTich_XuLy', 'Task_ThuongTru_XuLy', 'Task_Bhyt_XuLy', 'Task_TraKetQua']),
      );
      expect(last.hops.length).toBeGreaterThan(0);
    },
  );
});
