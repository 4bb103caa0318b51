import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import { applicant, complete, procedure, publish } from './fixtures/procedures.ts';
import { PortalSync } from './portal/entities.ts';
import type { PortalPayload } from './portal/payload.ts';
import type { DossierView } from './service.ts';

/**
 * The applicant's supplement deadline (issue 15 point 6, DOMAIN: "after which the dossier
 * lapses"): a durable job due at the deadline lapses a dossier still waiting for its supplement.
 * Hand-computed in the default working hours 07:00–11:30 and 13:30–17:00, Vietnam time, March
 * 2026 (no holidays): asked Tuesday 17 March 10:00 with 7 working days → Thursday 26 March 10:00
 * (Tue 5 h, then Wed 18, Thu 19, Fri 20, Mon 23, Tue 24, Wed 25 at 8 h each, then 3 h on Thu 26).
 */
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
const { deploy } = h.process({ as: () => admin });
let clerk: TestClient;
let admin: TestClient;

const vn = (local: string) => new Date(`${local}+07:00`).toISOString();

async function at(local: string) {
  h.t.clock.set(new Date(`${local}+07:00`));
  clerk = await h.login('clerk');
  admin = await h.login('admin');
}

async function post(as: TestClient, path: string, body: unknown): Promise<DossierView> {
  const res = await as.post(path, body);
  expect(res.status < 300, await res.clone().text()).toBe(true);
  return (await res.json()) as DossierView;
}

async function askedTuesday(): Promise<DossierView> {
  await at('2026-03-16T08:00:00');
  const d = await post(clerk, '/api/dossiers', {
    procedureCode: '1.960001',
    caseKey: 'standard',
    channel: 1,
    applicant,
    outcome: 'receive',
    components: complete,
  });
  await at('2026-03-17T10:00:00');
  const asked = await post(admin, `/api/dossiers/${d.code}/supplement-request`, { missing: ['Bản sao giấy khai sinh'] });
  expect(asked.status).toBe(5);
  expect(asked.supplement?.applicantDueAt).toBe(vn('2026-03-26T10:00:00'));
  return asked;
}

const read = async (code: string) => (await (await admin.get(`/api/dossiers/${code}`)).json()) as DossierView;
const lapseJobs = (code: string) =>
  h
    .em()
    .execute<{ status: string; due_at: unknown }[]>(
      "SELECT status, due_at FROM jobs WHERE kind = 'dossier.supplement-lapse' AND payload LIKE ?",
      [`%${code}%`],
    );
const audits = async (action: string, targetId: string) =>
  (
    await h
      .em()
      .execute<{ summary: string | object }[]>('SELECT summary FROM audit_log WHERE action = ? AND target_id = ?', [action, targetId])
  ).map((r) => (typeof r.summary === 'string' ? JSON.parse(r.summary) : r.summary) as Record<string, unknown>);

beforeAll(async () => {
  await at('2026-03-16T07:00:00');
  await deploy('registration.bpmn');
  await publish(h.services, [
    procedure('1.960001', { days: 5, supplement: { policy: 'restart', applicantDeadline: { value: 7, unit: 'working_days' } } }),
  ]);
});

describe("The applicant's supplement deadline", () => {
  it('Given a supplement asked Tuesday 10:00 and never answered, When the clock passes Thursday 26 March 10:00, Then the dossier lapses to stopped with the reason, its process cancelled, recorded, audited and reported to the portal', async () => {
    const d = await askedTuesday();
    expect(await lapseJobs(d.code)).toHaveLength(1);
    await at('2026-03-26T09:59:00');
    await h.services.jobs.runDue();
    expect((await read(d.code)).status).toBe(5);
    await at('2026-03-26T10:00:00');
    await h.services.jobs.runDue();
    const lapsed = await read(d.code);
    expect(lapsed.status).toBe(8);
    const reason = 'Người nộp hồ sơ không bổ sung hồ sơ trước 10:00 ngày 26/03/2026 (hết thời hạn bổ sung)';
    expect(lapsed.history.at(-1)).toMatchObject({ from: 5, to: 8, reason, at: vn('2026-03-26T10:00:00') });
    expect((await lapseJobs(d.code)).map((j) => j.status)).toEqual(['done']);
    const instances = await h.em().execute<{ status: string }[]>('SELECT status FROM process_instances WHERE business_key = ?', [d.code]);
    expect(instances.map((i) => i.status)).toEqual(['cancelled']);
    const open = await h.em().execute<{ id: string }[]>("SELECT id FROM tasks WHERE business_key = ? AND status = 'open'", [d.code]);
    expect(open).toEqual([]);
    const [audit, ...more] = await audits('dossier.lapsed', d.id);
    expect(more).toEqual([]);
    expect(audit).toMatchObject({ code: d.code, from: 5, to: 8, applicantDueAt: vn('2026-03-26T10:00:00') });
    const rows = await h
      .em()
      .fork()
      .find(PortalSync, { dossierCode: d.code }, { orderBy: { seq: 'desc' }, limit: 1 });
    const last = JSON.parse(rows[0].payload) as PortalPayload;
    expect(last.change).toMatchObject({ from: 5, to: 8, reason });
    expect(last.change.kinds).toEqual(expect.arrayContaining(['status', 'lapse']));
    // Once only: a later pass finds nothing more to do.
    await at('2026-03-27T10:00:00');
    await h.services.jobs.runDue();
    expect((await audits('dossier.lapsed', d.id)).length).toBe(1);
  });

  it('Given a supplement asked Tuesday and received Thursday 19 March, When the clock passes the deadline, Then nothing lapses: the job was cancelled by the receipt', async () => {
    const d = await askedTuesday();
    await at('2026-03-19T15:00:00');
    expect((await post(clerk, `/api/dossiers/${d.code}/supplement`, {})).status).toBe(4);
    expect((await lapseJobs(d.code)).map((j) => j.status)).toEqual(['obsolete']);
    await at('2026-03-27T10:00:00');
    await h.services.jobs.runDue();
    const after = await read(d.code);
    expect(after.status).toBe(4);
    expect(after.history.map((x) => x.to)).not.toContain(8);
    expect(await audits('dossier.lapsed', d.id)).toEqual([]);
  });

  it('Given a dossier stopped by its unit while waiting, When the deadline passes, Then the job finds nothing to lapse (obsolete)', async () => {
    const d = await askedTuesday();
    await at('2026-03-18T09:00:00');
    const stopped = await post(admin, `/api/dossiers/${d.code}/stop`, { reasons: ['Không đủ điều kiện'], legalGround: 'Điều 9' });
    expect(stopped.status).toBe(8);
    await at('2026-03-26T10:00:00');
    await h.services.jobs.runDue();
    expect((await lapseJobs(d.code)).map((j) => j.status)).toEqual(['obsolete']);
    expect(await audits('dossier.lapsed', d.id)).toEqual([]);
  });
});
