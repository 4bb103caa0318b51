import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import { installDemoPack } from '../packs/demo.ts';
import { cliActing } from '../org/actor.ts';
import { findUser, grantRole } from '../org/users-service.ts';
import { applicant, complete, procedure, publish } from './fixtures/procedures.ts';
import type { DossierView } from './service.ts';
import { allowedActions } from './transitions.ts';

/**
 * The branches of a received dossier (issue 15 point 6): payment, withdrawal, stop, resolution
 * when the process ends, return of the result; every one through the transition table.
 */
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
const { deploy } = h.process({ as: () => admin });
const SYSTEM = { actor: { id: null, name: 'test:transitions' }, requestId: null };
const PW = 'Truong-Son-Range-7';
let clerk: TestClient;
let admin: TestClient;
let specialist: TestClient; // a specialist of the commune that appraises the fixtures' dossiers
let outsider: TestClient; // a specialist of a department that has nothing to do with them

interface Problem {
  code: string;
  detail: string;
  allowed?: string[];
  status?: number;
}

async function at(local: string) {
  h.t.clock.set(new Date(`${local}+07:00`));
  clerk = await h.login('clerk');
  admin = await h.login('admin');
  specialist = await h.login('cv-an-binh', PW);
  outsider = await h.login('cv-sxd', PW);
}

async function receive(procedureCode = '1.920001'): Promise<DossierView> {
  const res = await clerk.post('/api/dossiers', {
    procedureCode,
    caseKey: 'standard',
    channel: 1,
    applicant,
    outcome: 'receive',
    components: complete,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as DossierView;
}

async function dossier(code: string): Promise<DossierView> {
  const res = await admin.get(`/api/dossiers/${code}`);
  expect(res.status).toBe(200);
  return (await res.json()) as DossierView;
}

async function completeOpen(d: DossierView) {
  const [{ id }] = await h
    .em()
    .execute<{ id: string }[]>("SELECT id FROM tasks WHERE instance_id = ? AND status = 'open'", [d.instanceIds[0]]);
  const engine = h.services.engine;
  const task = await engine.loadTask(h.em(), id);
  await h.em().transactional((em) => engine.completeTask(em, SYSTEM, task, {}));
}

async function branch(as: TestClient, code: string, path: string, body: unknown) {
  const res = await as.post(`/api/dossiers/${code}/${path}`, body);
  const json = (await res.json()) as DossierView & Problem;
  return { status: res.status, body: json };
}

const withdrawal = { reason: 'Không còn nhu cầu', requestedBy: 'Nguyễn Văn An' };
const stopping = {
  reasons: ['Người nộp hồ sơ không bổ sung hồ sơ trong thời hạn 7 ngày làm việc'],
  legalGround: 'Khoản 3 Điều 18 Nghị định 118/2025/NĐ-CP',
  signerTitle: 'CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ',
};
const handOver = { recipient: { name: 'Nguyễn Văn An', idNumber: '001204012345', relation: 'bản thân' }, method: 'desk' };

const taskStatuses = (instanceId: string) =>
  h.em().execute<{ status: string }[]>('SELECT status FROM tasks WHERE instance_id = ?', [instanceId]);
const instanceStatus = async (id: string) =>
  (await h.em().execute<{ status: string }[]>('SELECT status FROM process_instances WHERE id = ?', [id]))[0].status;
const audits = async (action: string, targetId: string) =>
  (
    await h.em().execute<{ summary: unknown }[]>('SELECT summary FROM audit_log WHERE action = ? AND target_id = ?', [action, targetId])
  ).map((r) => (typeof r.summary === 'string' ? JSON.parse(r.summary) : r.summary) as Record<string, unknown>);

beforeAll(async () => {
  h.t.clock.set(new Date('2026-03-16T08:00:00+07:00'));
  admin = await h.login('admin');
  for (const [username, unit] of [
    ['cv-an-binh', 'DEMO.XA.AN-BINH'],
    ['cv-sxd', 'DEMO.SXD'],
  ]) {
    const created = await admin.post('/api/users', { username, displayName: `Chuyên viên ${unit}`, unitId: unit, password: PW });
    expect(created.status, await created.clone().text()).toBe(201);
    const granted = await admin.post('/api/role-assignments', { userId: username, role: 'specialist', unitId: unit });
    expect(granted.status, await granted.clone().text()).toBe(201);
  }
  await deploy('steps.bpmn');
  await deploy('registration.bpmn');
  await publish(h.services, [procedure('1.920001', { process: 'steps' }), procedure('1.920002')]);
});

describe('The transition table', () => {
  it('lists the actions a person may ask for from each status', () => {
    expect(allowedActions(2)).toEqual(['request_payment', 'withdraw', 'stop', 'request_supplement', 'extend']);
    expect(allowedActions(4)).toEqual(['request_payment', 'withdraw', 'stop', 'request_supplement', 'extend']);
    expect(allowedActions(5)).toEqual(['withdraw', 'stop', 'receive_supplement']);
    expect(allowedActions(6)).toEqual(['record_payment', 'withdraw', 'stop', 'extend']);
    expect(allowedActions(9)).toEqual(['return_result']);
    for (const s of [1, 3, 7, 8, 10]) expect(allowedActions(s), String(s)).toEqual([]);
  });
});

describe('Payment', () => {
  it('Given a dossier in processing, When the commune specialist requests a payment and the desk records it, Then it goes 4 → 6 → 4 with the payment due then paid', async () => {
    await at('2026-03-16T08:00:00');
    const d = await receive();
    await completeOpen(d); // check → appraise (4)
    const asked = await branch(specialist, d.code, 'payment-request', { amount: 50_000, reason: 'Lệ phí cấp bản sao' });
    expect(asked.status, asked.body.detail).toBe(200);
    expect(asked.body).toMatchObject({
      status: 6,
      paymentStatus: 'due',
      payment: { due: 50_000, reason: 'Lệ phí cấp bản sao', paid: null, mode: null, paidAt: null },
    });
    // Paying less than due is refused, nothing changes
    const short = await branch(clerk, d.code, 'payment', { amount: 20_000, mode: 'cash' });
    expect(short.status).toBe(422);
    expect(short.body).toMatchObject({ code: 'dossier.payment_insufficient', due: 50_000, paid: 20_000 });
    await at('2026-03-16T09:30:00');
    const paid = await branch(clerk, d.code, 'payment', { amount: 50_000, mode: 'transfer' });
    expect(paid.status, paid.body.detail).toBe(200);
    expect(paid.body).toMatchObject({
      status: 4,
      paymentStatus: 'paid',
      payment: { due: 50_000, paid: 50_000, mode: 'transfer', paidAt: new Date('2026-03-16T09:30:00+07:00').toISOString() },
    });
    expect(paid.body.history.map((x) => [x.from, x.to])).toEqual([
      [null, 2],
      [2, 4],
      [4, 6],
      [6, 4],
    ]);
    expect(await audits('dossier.payment_requested', d.id)).toHaveLength(1);
    expect(await audits('dossier.payment_recorded', d.id)).toHaveLength(1);
  });
});

describe('Illegal transitions answer 409 with the allowed actions', () => {
  it('Given a dossier in processing, Then recording a payment or returning a result is refused, naming what is allowed', async () => {
    await at('2026-03-16T10:00:00');
    const d = await receive();
    await completeOpen(d);
    const pay = await branch(clerk, d.code, 'payment', { amount: 1, mode: 'cash' });
    expect(pay.status).toBe(409);
    const fromProcessing = ['request_payment', 'withdraw', 'stop', 'request_supplement', 'extend'];
    expect(pay.body).toMatchObject({ code: 'dossier.illegal_transition', status: 4, allowed: fromProcessing });
    const ret = await branch(clerk, d.code, 'result-return', handOver);
    expect(ret.status).toBe(409);
    expect(ret.body).toMatchObject({ code: 'dossier.illegal_transition', allowed: fromProcessing });
    expect((await dossier(d.code)).status).toBe(4);
  });

  it('Given a withdrawn dossier, Then every branch is refused with nothing allowed', async () => {
    await at('2026-03-16T10:10:00');
    const d = await receive();
    expect((await branch(clerk, d.code, 'withdrawal', withdrawal)).status).toBe(200);
    for (const [who, path, body] of [
      [specialist, 'payment-request', { amount: 1000 }],
      [clerk, 'payment', { amount: 1000, mode: 'cash' }],
      [clerk, 'withdrawal', withdrawal],
      [specialist, 'stop', stopping],
      [clerk, 'result-return', handOver],
    ] as const) {
      const r = await branch(who, d.code, path, body);
      expect(r.status, path).toBe(409);
      expect(r.body, path).toMatchObject({ code: 'dossier.illegal_transition', status: 7, allowed: [] });
    }
  });

  it('Given a dossier, Then who may not take a branch is told so: 404 outside the dossier, 403 without the permission', async () => {
    await at('2026-03-16T10:20:00');
    const d = await receive();
    expect((await branch(outsider, d.code, 'stop', stopping)).body.code).toBe('dossier.not_found');
    const clerkStops = await branch(clerk, d.code, 'stop', stopping);
    expect(clerkStops.status).toBe(403);
    const specialistWithdraws = await branch(specialist, d.code, 'withdrawal', withdrawal);
    expect(specialistWithdraws.status).toBe(403);
    const missing = await branch(clerk, d.code, 'withdrawal', { reason: 'x' });
    expect(missing.status).toBe(400);
    expect((await dossier(d.code)).status).toBe(2);
  });
});

describe('Withdrawal and stop end the process', () => {
  it('Given a dossier whose appraisal is open, When the applicant withdraws it at the desk, Then it is 7, its process and open task are cancelled', async () => {
    await at('2026-03-17T08:00:00');
    const d = await receive();
    await completeOpen(d); // the appraisal task opens (4)
    const r = await branch(clerk, d.code, 'withdrawal', withdrawal);
    expect(r.status, r.body.detail).toBe(200);
    expect(r.body).toMatchObject({
      status: 7,
      withdrawal: { at: new Date('2026-03-17T08:00:00+07:00').toISOString(), reason: 'Không còn nhu cầu', requestedBy: 'Nguyễn Văn An' },
    });
    expect(r.body.history.at(-1)).toMatchObject({ from: 4, to: 7 });
    expect(await instanceStatus(d.instanceIds[0])).toBe('cancelled');
    expect((await taskStatuses(d.instanceIds[0])).map((t) => t.status).sort()).toEqual(['cancelled', 'completed']);
    expect(await audits('dossier.withdrawn', d.id)).toHaveLength(1);
  });

  it('Given a dossier in processing, When the commune specialist stops it, Then it is 8, its process is cancelled, and form 05 states the reasons, the legal ground and the signer', async () => {
    await at('2026-03-17T09:00:00');
    const d = await receive();
    await completeOpen(d);
    const r = await branch(specialist, d.code, 'stop', stopping);
    expect(r.status, r.body.detail).toBe(200);
    expect(r.body).toMatchObject({ status: 8, stop: { reasons: stopping.reasons, legalGround: stopping.legalGround } });
    expect(await instanceStatus(d.instanceIds[0])).toBe('cancelled');
    expect((await taskStatuses(d.instanceIds[0])).map((t) => t.status).sort()).toEqual(['cancelled', 'completed']);
    const form = await admin.get(`/api/dossiers/${d.code}/forms/05`);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ');
    expect(html).toContain(d.code);
    expect(html).toContain('Người nộp hồ sơ không bổ sung hồ sơ trong thời hạn 7 ngày làm việc');
    expect(html).toContain('Căn cứ: Khoản 3 Điều 18 Nghị định 118/2025/NĐ-CP.');
    expect(html).toContain('CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ');
    expect(html).toContain('Chuyên viên DEMO.XA.AN-BINH');
    expect(html).toContain('Nguyễn Văn An');
    // A dossier that was not stopped has no form 05
    const other = await receive();
    expect((await admin.get(`/api/dossiers/${other.code}/forms/05`)).status).toBe(404);
  });
});

describe('Optimistic lock', () => {
  it('Given a dossier read at one version, When a branch names an older version, Then it answers 409 conflict.stale and nothing changes', async () => {
    await at('2026-03-17T10:00:00');
    const d = await receive();
    const stale = await branch(clerk, d.code, 'withdrawal', { ...withdrawal, lockVersion: d.lockVersion - 1 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'conflict.stale', currentVersion: d.lockVersion });
    const current = await branch(clerk, d.code, 'withdrawal', { ...withdrawal, lockVersion: d.lockVersion });
    expect(current.status, current.body.detail).toBe(200);
  });

  it('Given a dossier, When a withdrawal and a stop arrive at once, Then one wins and the other gets a 409 conflict', async () => {
    await at('2026-03-17T10:10:00');
    const d = await receive();
    const [a, b] = await Promise.all([branch(clerk, d.code, 'withdrawal', withdrawal), branch(specialist, d.code, 'stop', stopping)]);
    const statuses = [a.status, b.status].sort();
    expect(statuses, JSON.stringify([a.body, b.body])).toEqual([200, 409]);
    const loser = a.status === 409 ? a.body : b.body;
    expect(['conflict.stale', 'dossier.illegal_transition']).toContain(loser.code);
    const after = await dossier(d.code);
    expect([7, 8]).toContain(after.status);
    expect(after.history.filter((x) => x.to === 7 || x.to === 8)).toHaveLength(1);
  });
});

describe('Resolved when the process ends, then the result returned', () => {
  it('Given a one-step process, When its appraisal is completed, Then the dossier is resolved (9); the desk returns the result (10) once', async () => {
    await at('2026-03-18T08:00:00');
    const d = await receive('1.920002');
    await at('2026-03-18T10:00:00');
    await completeOpen(d); // appraise → end
    const resolved = await dossier(d.code);
    expect(resolved).toMatchObject({ status: 9, resultStatus: 'pending', resolvedAt: new Date('2026-03-18T10:00:00+07:00').toISOString() });
    expect(resolved.history.at(-1)).toMatchObject({ from: 2, to: 9 });
    expect(await audits('dossier.resolved', d.id)).toHaveLength(1);
    // A specialist may not hand the result over
    expect((await branch(specialist, d.code, 'result-return', handOver)).status).toBe(403);
    await at('2026-03-18T15:00:00');
    const r = await branch(clerk, d.code, 'result-return', handOver);
    expect(r.status, r.body.detail).toBe(200);
    expect(r.body).toMatchObject({
      status: 10,
      resultStatus: 'returned',
      result: {
        returnedAt: new Date('2026-03-18T15:00:00+07:00').toISOString(),
        method: 'desk',
        recipient: { name: 'Nguyễn Văn An', idNumber: '001204012345', relation: 'bản thân' },
        returnedBy: { name: 'clerk' },
      },
    });
    const again = await branch(clerk, d.code, 'result-return', handOver);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'dossier.illegal_transition', status: 10, allowed: [] });
  });

  it('Given a process whose return step set 9, When it ends, Then the resolution is recorded without a second move', async () => {
    await at('2026-03-18T11:00:00');
    const d = await receive();
    await completeOpen(d); // → appraise (4)
    await completeOpen(d); // → hand back (9)
    await completeOpen(d); // → end
    const after = await dossier(d.code);
    expect(after.status).toBe(9);
    expect(after.resolvedAt).not.toBeNull();
    expect(after.history.map((x) => x.to)).toEqual([2, 4, 9]);
    expect(await audits('dossier.resolved', d.id)).toHaveLength(1);
  });
});

describe('The birth bundle of procedures/base resolves when all its parts do', () => {
  it(
    'Given a bundle dossier received at the desk, When every agency has done its part and the desk its return step, Then it is resolved once, at the parent end, and delivered (its end event says 10)',
    { timeout: 120_000 },
    async () => {
      await at('2026-03-19T08:00:00');
      const s = h.services;
      expect((await installDemoPack(s)).status).toBe('installed');
      await s.db.em().transactional(async (em) => {
        const root = (await em.execute<{ id: string }[]>("SELECT id FROM units WHERE code = 'DEMO'"))[0].id;
        for (const [username, role] of [
          ['specialist', 'specialist'],
          ['leader', 'leader'],
        ] as const) {
          await grantRole(s, em, cliActing(), { userId: (await findUser(em, username)).id, role, unitId: root });
        }
      });
      const res = await clerk.post('/api/dossiers', {
        procedureCode: '3.000722',
        caseKey: 'lien-thong-khai-sinh',
        channel: 1,
        applicant,
        outcome: 'receive',
        competentUnitId: 'DEMO.XA.AN-BINH',
        components: [
          { document: 0, originals: 1 },
          { document: 1, originals: 1 },
        ],
      });
      expect(res.status, await res.clone().text()).toBe(201);
      const d = (await res.json()) as DossierView;
      const workers = [clerk, await h.login('specialist'), await h.login('leader')];
      const seen: number[] = [];
      for (let round = 0; round < 20; round++) {
        let progressed = false;
        for (const w of workers) {
          const tasks = (await (await w.get(`/api/tasks?businessKey=${encodeURIComponent(d.code)}`)).json()) as { id: string }[];
          for (const t of tasks) {
            const r = await w.post(`/api/tasks/${t.id}/complete`, { variables: { complete: true, khaiSinhApproved: true } });
            expect(r.status, await r.clone().text()).toBe(204);
            seen.push((await dossier(d.code)).status);
            progressed = true;
          }
        }
        if (!progressed) break;
      }
      const after = await dossier(d.code);
      expect(after.parts.length).toBeGreaterThan(1);
      expect(after.parts.every((p) => p.status === 'completed')).toBe(true);
      expect(after.status).toBe(10);
      expect(after.resultStatus).toBe('returned');
      expect(after.resolvedAt).not.toBeNull();
      // Never resolved while a part still ran: 9 appears only with the desk's return step, then 10 at the parent end
      expect(seen.slice(0, -2).every((x) => x === 2 || x === 4)).toBe(true);
      expect(after.history.map((x) => x.to).slice(-2)).toEqual([9, 10]);
      const resolvedAudits = await audits('dossier.resolved', d.id);
      expect(resolvedAudits).toHaveLength(1);
      const main = after.parts.find((p) => p.main)!;
      expect(resolvedAudits[0]).toMatchObject({ instanceId: main.instanceId, via: 'process_end' });
    },
  );
});
