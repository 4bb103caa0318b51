import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { useHarness, type TestClient } from '../../../tests/support/harness.ts';
import { applicant, complete, procedure, publish } from '../fixtures/procedures.ts';
import type { DossierView } from '../service.ts';
import { PortalSync } from './entities.ts';
import type { PortalPayload } from './payload.ts';

/**
 * Every change reaches the portal outbox (issue 15 point 9, docs/portal-sync.md), not only status
 * moves: an extension, a supplement asked and received, a payment asked and recorded, the return
 * of the result, a hand-over between units. One row per command, however many changes it made,
 * carrying the state the command committed. Appointments hand-computed in the default working
 * hours 07:00–11:30 and 13:30–17:00, Vietnam time, March 2026 (no holidays).
 */
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const schema = JSON.parse(readFileSync(new URL('../../../docs/portal-payload.schema.json', import.meta.url), 'utf8'));
const validate = addFormats(new Ajv2020({ allErrors: true, strict: true })).compile(schema);

const h = useHarness({ fixtures: new URL('../fixtures/', import.meta.url) });
const { deploy } = h.process({ as: () => admin });
const SYSTEM = { actor: { id: null, name: 'test:portal' }, requestId: null };
let clerk: TestClient;
let admin: TestClient;

const vn = (local: string) => new Date(`${local}+07:00`).toISOString();

async function at(local: string) {
  h.t.clock.set(new Date(`${local}+07:00`));
  clerk = await h.login('clerk');
  admin = await h.login('admin');
}

async function receive(procedureCode: string): Promise<DossierView> {
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

async function branch(as: TestClient, code: string, path: string, body: unknown): Promise<DossierView> {
  const res = await as.post(`/api/dossiers/${code}/${path}`, body);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as DossierView;
}

async function completeOpen(code: string): Promise<number> {
  const open = await h.em().execute<{ id: string }[]>("SELECT id FROM tasks WHERE business_key = ? AND status = 'open'", [code]);
  const engine = h.services.engine;
  for (const { id } of open) {
    const task = await engine.loadTask(h.em(), id);
    await h.em().transactional((em) => engine.completeTask(em, SYSTEM, task, {}));
  }
  return open.length;
}

const payloads = async (code: string) =>
  (
    await h
      .em()
      .fork()
      .find(PortalSync, { dossierCode: code }, { orderBy: { seq: 'asc' } })
  ).map((r) => JSON.parse(r.payload) as PortalPayload);

/** Runs `command` and answers the rows it enqueued (each must validate against the schema). */
async function enqueuedBy(code: string, command: () => Promise<unknown>): Promise<PortalPayload[]> {
  const before = (await payloads(code)).length;
  await command();
  const added = (await payloads(code)).slice(before);
  for (const p of added) expect(validate(p) ? [] : validate.errors, JSON.stringify(validate.errors)).toEqual([]);
  return added;
}

beforeAll(async () => {
  await at('2026-03-16T07:00:00');
  await deploy('registration.bpmn');
  await deploy('steps.bpmn');
  await deploy('roles.bpmn');
  await publish(h.services, [
    procedure('1.950001', { days: 5, supplement: { policy: 'pause_extend', applicantDeadline: { value: 7, unit: 'working_days' } } }),
    procedure('1.950002', { days: 5, process: 'steps' }),
    procedure('1.950003', { days: 5, process: 'roles' }),
  ]);
});

describe('Changes besides a status move', () => {
  it('Given a dossier due Monday 23 March 08:00, When the late unit extends it to Thursday 26 March 16:00 (form 04), Then one row with the new appointment, the one before and after, and the status unchanged', async () => {
    await at('2026-03-16T08:00:00');
    const d = await receive('1.950001');
    expect(d.appointmentAt).toBe(vn('2026-03-23T08:00:00'));
    await at('2026-03-20T10:00:00');
    const [p, ...more] = await enqueuedBy(d.code, () =>
      branch(admin, d.code, 'extension', { reason: 'Cần xác minh thêm', newAppointmentAt: vn('2026-03-26T16:00:00') }),
    );
    expect(more).toEqual([]);
    expect(p.change).toMatchObject({ from: d.status, to: d.status, kinds: ['extend'], reason: 'Cần xác minh thêm' });
    expect(p.dates.appointmentAt).toBe(vn('2026-03-26T16:00:00'));
    expect(p.appointments).toEqual([
      {
        at: vn('2026-03-20T10:00:00'),
        cause: 'extension',
        before: vn('2026-03-23T08:00:00'),
        after: vn('2026-03-26T16:00:00'),
        reason: 'Cần xác minh thêm',
        by: expect.any(String),
      },
    ]);
  });

  it('Given a supplement asked Tuesday 10:00 and received Thursday 15:00 (pause and extend), Then each command wrote one row: the request with the applicant deadline (7 working days: Thursday 26 March 10:00), the receipt with its status and its new appointment together', async () => {
    await at('2026-03-16T08:00:00');
    const d = await receive('1.950001');
    await at('2026-03-17T10:00:00');
    const asked = await enqueuedBy(d.code, () => branch(admin, d.code, 'supplement-request', { missing: ['Bản sao giấy khai sinh'] }));
    expect(asked).toHaveLength(1);
    expect(asked[0].change).toMatchObject({ from: d.status, to: 5, kinds: ['status', 'request_supplement'] });
    expect(asked[0].supplements).toMatchObject([
      { stage: 'processing', items: ['Bản sao giấy khai sinh'], applicantDueAt: vn('2026-03-26T10:00:00'), receivedAt: null },
    ]);
    await at('2026-03-19T15:00:00');
    let view: DossierView | undefined;
    const back = await enqueuedBy(d.code, async () => (view = await branch(clerk, d.code, 'supplement', {})));
    // Status 5 → 4, and the appointment moved by the 19 working hours waited (Tue 5 h, Wed 8 h, Thu 6 h): Monday 23 08:00 + 19 h = Wednesday 25 11:00. One command, one row.
    expect(back).toHaveLength(1);
    expect(view!.appointmentAt).toBe(vn('2026-03-25T11:00:00'));
    expect(back[0].change).toMatchObject({ from: 5, to: 4, kinds: ['status', 'receive_supplement'] });
    expect(back[0].dates.appointmentAt).toBe(vn('2026-03-25T11:00:00'));
    expect(back[0].supplements).toMatchObject([
      {
        stage: 'processing',
        receivedAt: vn('2026-03-19T15:00:00'),
        appointmentBefore: vn('2026-03-23T08:00:00'),
        appointmentAfter: vn('2026-03-25T11:00:00'),
      },
    ]);
    expect(back[0].appointments.map((a) => [a.cause, a.before, a.after])).toEqual([
      ['supplement', vn('2026-03-23T08:00:00'), vn('2026-03-25T11:00:00')],
    ]);
  });

  it('Given a payment asked and then recorded at the desk, Then each wrote one row whose payment shows what is due, then what was paid, how and when', async () => {
    await at('2026-03-16T08:00:00');
    const d = await receive('1.950001');
    await at('2026-03-17T09:00:00');
    const [asked] = await enqueuedBy(d.code, () => branch(admin, d.code, 'payment-request', { amount: 50000, reason: 'Lệ phí' }));
    expect(asked.change.kinds).toEqual(['status', 'request_payment']);
    expect(asked.payment).toEqual({
      due: 50000,
      reason: 'Lệ phí',
      requestedAt: vn('2026-03-17T09:00:00'),
      paid: null,
      mode: null,
      paidAt: null,
    });
    await at('2026-03-17T14:00:00');
    const paid = await enqueuedBy(d.code, () => branch(clerk, d.code, 'payment', { amount: 50000, mode: 'cash' }));
    expect(paid).toHaveLength(1);
    expect(paid[0].change).toMatchObject({ from: 6, to: d.status, kinds: ['status', 'record_payment'] });
    expect(paid[0].subStates.payment).toBe('paid');
    expect(paid[0].payment).toMatchObject({ due: 50000, paid: 50000, mode: 'cash', paidAt: vn('2026-03-17T14:00:00') });
  });

  it('Given a resolved dossier (status 9), When the desk hands the result over, Then one row with status 10 and to whom and how it went', async () => {
    await at('2026-03-16T08:00:00');
    const d = await receive('1.950002');
    await completeOpen(d.code); // check → appraise
    await completeOpen(d.code); // appraise → hand_back (status 9)
    expect((await payloads(d.code)).at(-1)!.status.code).toBe(9);
    await at('2026-03-18T10:00:00');
    const returned = await enqueuedBy(d.code, () =>
      branch(clerk, d.code, 'result-return', { recipient: { name: 'Nguyễn Văn An', relation: 'bản thân' }, method: 'desk' }),
    );
    expect(returned).toHaveLength(1);
    expect(returned[0].change).toMatchObject({ from: 9, to: 10, kinds: ['status', 'return_result'] });
    expect(returned[0].resultReturn).toEqual({
      at: vn('2026-03-18T10:00:00'),
      method: 'desk',
      recipient: 'Nguyễn Văn An',
      relation: 'bản thân',
    });
    expect(returned[0].dates.returnedAt).toBe(vn('2026-03-18T10:00:00'));
  });

  it('Given a process whose steps set no status, When a step is completed, Then the hand-over alone enqueues one row whose hops and trail show it', async () => {
    await at('2026-03-16T08:00:00');
    const d = await receive('1.950003');
    const before = (await payloads(d.code)).at(-1)!;
    await at('2026-03-16T09:00:00');
    const moved = await enqueuedBy(d.code, () => completeOpen(d.code)); // check (desk) → appraise (commune)
    expect(moved).toHaveLength(1);
    expect(moved[0].change.kinds).toContain('hop');
    expect(moved[0].sequence).toBe(before.sequence + 1);
    expect(moved[0].trail.map((s) => [s.step, s.status])).toEqual([
      ['check', 'completed'],
      ['appraise', 'open'],
    ]);
    expect(moved[0].hops.length).toBe(before.hops.length + 1);
    expect(moved[0].hops.at(-1)).toMatchObject({ at: vn('2026-03-16T09:00:00'), to: { code: 'DEMO.XA.AN-BINH' } });
  });
});
