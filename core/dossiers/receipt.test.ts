import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import type { DomainEvent } from '../events/catalogue.ts';
import { nextNumber } from './code.ts';
import { applicant, complete, procedure, publish } from './fixtures/procedures.ts';
import type { DossierView } from './service.ts';

const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
const { deploy } = h.process({ as: () => clerk });
let clerk: TestClient;
let specialist: TestClient;
const seen: DomainEvent[] = [];
const moves: DomainEvent[] = [];

/** Moves the injected clock to a Vietnam local time; signs in again (sessions expire while time jumps). */
async function at(local: string) {
  h.t.clock.set(new Date(`${local}+07:00`));
  clerk = await h.login('clerk');
  specialist = await h.login('specialist');
}

async function post(body: Record<string, unknown>, as = clerk, status = 201): Promise<DossierView & { code: string }> {
  const res = await as.post('/api/dossiers', { procedureCode: '1.900001', caseKey: 'standard', channel: 1, applicant, ...body });
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as DossierView;
}

beforeAll(async () => {
  clerk = await h.login('clerk');
  specialist = await h.login('specialist');
  await deploy('registration.bpmn');
  for (const type of ['dossier.received', 'dossier.refused', 'dossier.supplement_requested'] as const) {
    h.services.events.subscribe(type, (event) => void seen.push(event));
  }
  h.services.events.subscribe('dossier.status_changed', (event) => void moves.push(event));
  // Another province: its procedures are not received here.
  const admin = await h.login('admin');
  const other = await admin.post('/api/units', { code: 'KHAC', name: 'Tỉnh khác', level: 'province' });
  expect(other.status, await other.clone().text()).toBe(201);
  await publish(h.services, [
    procedure('1.900001'),
    procedure('1.900002', { sameDay: true }),
    procedure('1.900003', { agencies: ['KHAC'] }),
    procedure('1.900004', { agencies: ['DEMO.XA.AN-BINH'] }),
  ]);
});

describe('Receipt at the desk', () => {
  it('Given a complete dossier handed in at 16:40 on a Friday, When the clerk receives it, Then it is status 2 with code, appointment three working days on (Wednesday 16:40), and the case process started under its code', async () => {
    // Given Friday 6 March 2026, 16:40 in Vietnam (20 working minutes left that day)
    await at('2026-03-06T16:40:00');
    // When
    const d = await post({ outcome: 'receive', components: complete, owner: { name: 'Nguyễn Thị Bình', kind: 'citizen' } });
    // Then: 20 min Fri + 8 h Mon + 8 h Tue + 7 h 40 min Wed (07:00–11:30, 13:30–16:40) = 24 working hours
    expect(d).toMatchObject({ code: 'DEMO.TTPVHCC-260306-0001', status: 2, channel: 1, agencyCode: 'DEMO.TTPVHCC' });
    expect(d.appointmentAt).toBe(new Date('2026-03-11T16:40:00+07:00').toISOString());
    expect(d.receivedAt).toBe(new Date('2026-03-06T16:40:00+07:00').toISOString());
    expect(d.procedure).toMatchObject({ code: '1.900001', version: 1, caseKey: 'standard', definitionKey: 'dossier-fixture-registration' });
    expect(d.fees).toEqual({ due: 8000, paid: 0, mode: null });
    expect(d.paymentStatus).toBe('due');
    expect(d.owner).toMatchObject({ name: 'Nguyễn Thị Bình' });
    expect(d.components.map((c) => [c.name, c.received, c.optional])).toEqual([
      ['Tờ khai theo mẫu', true, false],
      ['Giấy tờ tùy thân', true, false],
      ['Giấy ủy quyền', false, true],
    ]);
    expect(d.history).toMatchObject([{ from: null, to: 2, by: { name: 'clerk' } }]);
    expect(d.instanceIds).toHaveLength(1);
    const [inst] = await h
      .em()
      .execute<{ business_key: string; variables: string }[]>('SELECT business_key, variables FROM process_instances WHERE id = ?', [
        d.instanceIds[0],
      ]);
    expect(inst.business_key).toBe(d.code);
    expect(JSON.parse(inst.variables)).toMatchObject({ dossierId: d.id, dossierCode: d.code, applicant: { name: 'Nguyễn Văn An' } });
    const audit = await h.em().execute<{ action: string }[]>('SELECT action FROM audit_log WHERE target_id = ?', [d.id]);
    expect(audit.map((a) => a.action)).toEqual(['dossier.received']);
    expect(seen.filter((e) => e.payload.code === d.code)).toMatchObject([
      {
        type: 'dossier.received',
        actor: { name: 'clerk' },
        payload: {
          dossierId: d.id,
          status: 2,
          channel: 1,
          instanceId: d.instanceIds[0],
          appointmentAt: d.appointmentAt,
          procedureVersion: 1,
        },
      },
    ]);
    expect(moves.find((e) => e.payload.code === d.code)).toMatchObject({
      actor: { name: 'clerk' },
      payload: { dossierId: d.id, from: null, status: 2, reason: null },
    });
  });

  it('Given a same-day procedure, When received before 15:00, Then the appointment is 17:00 that day; after 15:00, 17:00 the next working day', async () => {
    await at('2026-03-10T14:59:00');
    const before = await post({ procedureCode: '1.900002', outcome: 'receive', components: complete });
    expect(before.appointmentAt).toBe(new Date('2026-03-10T17:00:00+07:00').toISOString());
    await at('2026-03-13T15:10:00'); // a Friday, after the cut-off
    const after = await post({ procedureCode: '1.900002', outcome: 'receive', components: complete });
    expect(after.appointmentAt).toBe(new Date('2026-03-16T17:00:00+07:00').toISOString());
  });

  it('Given a receipt after closing time, Then the appointment counts from the next working morning', async () => {
    await at('2026-03-13T18:30:00'); // Friday evening → Monday 07:00; 24 working hours → Wednesday 17:00
    const d = await post({ outcome: 'receive', components: complete });
    expect(d.appointmentAt).toBe(new Date('2026-03-18T17:00:00+07:00').toISOString());
  });

  it('Given a required document is not ticked, When the clerk tries to receive, Then it is refused as incomplete naming what is missing, and nothing is numbered', async () => {
    await at('2026-03-17T09:00:00');
    const res = await clerk.post('/api/dossiers', {
      procedureCode: '1.900001',
      caseKey: 'standard',
      channel: 1,
      applicant,
      outcome: 'receive',
      components: [complete[0]],
    });
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { code: string; missing: string[] };
    expect(problem).toMatchObject({ code: 'dossier.incomplete', missing: ['Giấy tờ tùy thân'] });
    // The next receipt of the day takes number 0001: the refused one left no gap.
    expect((await post({ outcome: 'receive', components: complete })).code).toBe('DEMO.TTPVHCC-260317-0001');
  });

  it('Given an incomplete dossier, When the clerk requests a supplement, Then form 02 lists everything missing, there is no appointment and no process', async () => {
    await at('2026-03-17T10:00:00');
    const d = await post({ outcome: 'request_supplement', components: [complete[0]], missing: ['Tờ khai chưa có chữ ký'] });
    expect(d).toMatchObject({ status: 5, appointmentAt: null, receivedAt: null, instanceIds: [] });
    expect(d.supplementMissing).toEqual(['Giấy tờ tùy thân', 'Tờ khai chưa có chữ ký']);
    expect(seen.at(-1)).toMatchObject({ type: 'dossier.supplement_requested', payload: { code: d.code, missing: d.supplementMissing } });
    // A specialist holds no dossier.receive at all: refused before anything is looked up
    const refused = await specialist.post(`/api/dossiers/${d.code}/receive`, { outcome: 'receive', components: complete });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'auth.forbidden' });
    expect(d.history).toMatchObject([{ from: null, to: 5 }]);
    // When the applicant comes back with the papers, Then the clerk receives it under the same code
    await at('2026-03-18T08:00:00');
    const res = await clerk.post(`/api/dossiers/${d.code}/receive`, { outcome: 'receive', components: complete });
    expect(res.status, await res.clone().text()).toBe(200);
    const received = (await res.json()) as DossierView;
    expect(received).toMatchObject({ code: d.code, status: 2, supplementMissing: [] });
    expect(received.history.map((x) => [x.from, x.to])).toEqual([
      [null, 5],
      [5, 2],
    ]);
    expect(received.instanceIds).toHaveLength(1);
  });

  it('Given an ineligible dossier, When the clerk refuses it, Then it is status 3 with the reasons (form 03)', async () => {
    const d = await post({ outcome: 'refuse', components: complete, reasons: ['Người nộp không thuộc đối tượng'] });
    expect(d).toMatchObject({ status: 3, refusalReasons: ['Người nộp không thuộc đối tượng'], appointmentAt: null, instanceIds: [] });
    expect(d.refusedAt).toBe(h.t.clock.now().toISOString());
    expect(seen.at(-1)).toMatchObject({ type: 'dossier.refused', payload: { code: d.code, status: 3, reasons: d.refusalReasons } });
    const res = await clerk.post('/api/dossiers', {
      procedureCode: '1.900001',
      caseKey: 'standard',
      channel: 1,
      applicant,
      outcome: 'refuse',
    });
    expect(res.status).toBe(400);
  });

  it('Given a commune procedure, When the provincial centre receives it, Then it is competent: a centre receives regardless of address within the province', async () => {
    const d = await post({ procedureCode: '1.900004', outcome: 'receive', components: complete });
    expect(d).toMatchObject({ status: 2, agencyCode: 'DEMO.TTPVHCC', procedure: { code: '1.900004' } });
  });

  it('Given a procedure of another province, When the clerk receives it, Then it is refused as not competent', async () => {
    const res = await clerk.post('/api/dossiers', {
      procedureCode: '1.900003',
      caseKey: 'standard',
      channel: 1,
      applicant,
      outcome: 'receive',
      components: complete,
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: 'dossier.not_competent', agencies: ['KHAC'] });
  });

  it('Given unknown procedures, cases, channels or components, Then each answers a clear error', async () => {
    const errors = async (body: Record<string, unknown>) => {
      const res = await clerk.post('/api/dossiers', {
        procedureCode: '1.900001',
        caseKey: 'standard',
        channel: 1,
        applicant,
        outcome: 'receive',
        components: complete,
        ...body,
      });
      return [res.status, ((await res.json()) as { code: string }).code];
    };
    expect(await errors({ procedureCode: '9.999999' })).toEqual([422, 'dossier.procedure_unavailable']);
    expect(await errors({ caseKey: 'other' })).toEqual([422, 'dossier.procedure_unavailable']);
    expect(await errors({ channel: 3 })).toEqual([422, 'dossier.channel_unavailable']);
    expect(await errors({ components: [{ document: 7 }] })).toEqual([422, 'dossier.invalid_components']);
    expect(await errors({ channel: 1, outcome: 'submit' })).toEqual([400, 'request.invalid']);
    expect(await errors({ unitId: 'DEMO.STP' })).toEqual([422, 'dossier.not_a_desk']);
    const res = await specialist.post('/api/dossiers', {
      procedureCode: '1.900001',
      caseKey: 'standard',
      channel: 1,
      applicant,
      outcome: 'receive',
    });
    expect(res.status).toBe(403);
  });

  it('Given an online submission (status 1), When a clerk receives it, Then it is status 2 with its appointment from the receipt', async () => {
    await at('2026-03-18T09:00:00');
    const sub = await post({ channel: 2, outcome: 'submit' });
    expect(sub).toMatchObject({ status: 1, receivedAt: null, appointmentAt: null, instanceIds: [] });
    expect(sub.submittedAt).toBe(h.t.clock.now().toISOString());
    await at('2026-03-18T10:00:00');
    const res = await clerk.post(`/api/dossiers/${sub.code}/receive`, { outcome: 'receive', components: complete });
    expect(res.status, await res.clone().text()).toBe(200);
    const d = (await res.json()) as DossierView;
    expect(d).toMatchObject({ status: 2, channel: 2 });
    expect(d.appointmentAt).toBe(new Date('2026-03-23T10:00:00+07:00').toISOString());
    // Received twice: an illegal transition
    const again = await clerk.post(`/api/dossiers/${sub.code}/receive`, { outcome: 'receive', components: complete });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'dossier.invalid_transition' });
  });

  it('Given a dossier received at the centre, When someone outside its units reads it, Then it does not exist for them (404); the clerk reads it', async () => {
    const d = await post({ outcome: 'receive', components: complete });
    const mine = await clerk.get(`/api/dossiers/${d.code}`);
    expect(mine.status).toBe(200);
    expect(await mine.json()).toMatchObject({ code: d.code, status: 2, components: expect.any(Array), history: [{ to: 2 }] });
    const theirs = await specialist.get(`/api/dossiers/${d.code}`);
    expect(theirs.status).toBe(404);
    expect(await theirs.json()).toMatchObject({ code: 'dossier.not_found' });
    expect((await specialist.get('/api/dossiers/NO-SUCH-CODE')).status).toBe(404);
  });

  it('Given a receipt that rolls back after taking its number, Then the next receipt takes the same number (no gap)', async () => {
    await at('2026-03-19T09:00:00');
    let fail = true;
    h.services.events.subscribe('dossier.received', () => {
      if (fail) throw new Error('broken subscriber');
    });
    const res = await clerk.post('/api/dossiers', {
      procedureCode: '1.900001',
      caseKey: 'standard',
      channel: 1,
      applicant,
      outcome: 'receive',
      components: complete,
    });
    expect(res.status).toBe(500);
    fail = false;
    expect((await post({ outcome: 'receive', components: complete })).code).toBe('DEMO.TTPVHCC-260319-0001');
    expect((await post({ outcome: 'receive', components: complete })).code).toBe('DEMO.TTPVHCC-260319-0002');
  });

  it('Given 50 receipts at one agency at the same moment, Then they get 50 distinct, consecutive codes', async () => {
    await at('2026-03-20T09:00:00');
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        clerk.post('/api/dossiers', {
          procedureCode: '1.900001',
          caseKey: 'standard',
          channel: 1,
          applicant,
          outcome: 'receive',
          components: complete,
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const codes = await Promise.all(results.map(async (r) => ((await r.json()) as DossierView).code));
    const expected = Array.from({ length: 50 }, (_, i) => `DEMO.TTPVHCC-260320-${String(i + 1).padStart(4, '0')}`);
    expect([...codes].sort()).toEqual(expected);
    const [counter] = await h
      .em()
      .execute<{ n: number }[]>("SELECT n FROM dossier_counters WHERE agency_code = 'DEMO.TTPVHCC' AND day = '2026-03-20'");
    expect(Number(counter.n)).toBe(50);
  }, 120_000);

  it('Given a province code format in the settings, When a dossier is received, Then its code follows that format', async () => {
    await at('2026-03-23T09:00:00');
    await h.em().execute("INSERT INTO settings (key, value) VALUES ('dossier.code_format', '{agency}/{YYYY}{MM}{DD}/{NNNNNN}')");
    try {
      expect((await post({ outcome: 'receive', components: complete })).code).toBe('DEMO.TTPVHCC/20260323/000001');
    } finally {
      await h.em().execute("DELETE FROM settings WHERE key = 'dossier.code_format'");
    }
  });

  it('Given two agencies and two days, Then each (agency, day) counts on its own from 1', async () => {
    const take = (agency: string, day: string) => h.services.db.em().transactional((em) => nextNumber(em, agency, day));
    expect(await take('H27.A', '2026-04-01')).toBe(1);
    expect(await take('H27.A', '2026-04-01')).toBe(2);
    expect(await take('H27.B', '2026-04-01')).toBe(1);
    expect(await take('H27.A', '2026-04-02')).toBe(1);
  });
});
