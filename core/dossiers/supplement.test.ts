import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import { applicant, complete, procedure, publish } from './fixtures/procedures.ts';
import type { DossierView } from './service.ts';

/**
 * A supplement asked during processing and the apology and extension (issue 15 point 6; form 02
 * during processing, form 04). Appointments hand-computed in the default working hours
 * 07:00–11:30 and 13:30–17:00 (8 h a day), Vietnam time, March 2026 (no holidays).
 */
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
const { deploy } = h.process({ as: () => admin });
const PW = 'Truong-Son-Range-7';
let clerk: TestClient;
let admin: TestClient;
let specialist: TestClient; // a specialist of the commune that works the fixtures' dossiers
let leader: TestClient; // a leader of that commune: the late unit
let deskLeader: TestClient; // a leader of the centre: reads the dossier, is not the late unit
let outsider: TestClient; // a leader of a department that has nothing to do with it

interface Problem {
  code: string;
  detail: string;
  allowed?: string[];
  status?: number;
}

const vn = (local: string) => new Date(`${local}+07:00`).toISOString();

async function at(local: string) {
  h.t.clock.set(new Date(`${local}+07:00`));
  clerk = await h.login('clerk');
  admin = await h.login('admin');
  specialist = await h.login('cv-an-binh', PW);
  leader = await h.login('ld-an-binh', PW);
  deskLeader = await h.login('ld-ttpvhcc', PW);
  outsider = await h.login('ld-sxd', PW);
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

async function openTask(d: DossierView): Promise<string> {
  const rows = await h.em().execute<{ id: string }[]>("SELECT id FROM tasks WHERE instance_id = ? AND status = 'open'", [d.instanceIds[0]]);
  return rows[0].id;
}

async function branch(as: TestClient, code: string, path: string, body: unknown) {
  const res = await as.post(`/api/dossiers/${code}/${path}`, body);
  return { status: res.status, body: (await res.json()) as DossierView & Problem };
}

const audits = async (action: string, targetId: string) =>
  (await h.em().execute<{ id: string }[]>('SELECT id FROM audit_log WHERE action = ? AND target_id = ?', [action, targetId])).length;

const asking = { missing: ['Bản sao giấy khai sinh của người con', 'Tờ khai ghi thiếu nơi cư trú'], reason: 'Hồ sơ cần làm rõ quan hệ' };

/** Received Monday 16 March 08:00 with 5 working days: due Monday 23 March 08:00 (7 + 8 + 8 + 8 + 8 + 1 h). */
async function receivedMonday(procedureCode: string): Promise<DossierView> {
  await at('2026-03-16T08:00:00');
  const d = await receive(procedureCode);
  expect(d.appointmentAt).toBe(vn('2026-03-23T08:00:00'));
  return d;
}

/** Asked Tuesday 17 March 10:00 by the commune's specialist, received at the desk Thursday 19 March 15:00. */
async function supplementTuesdayToThursday(d: DossierView): Promise<DossierView> {
  await at('2026-03-17T10:00:00');
  const asked = await branch(specialist, d.code, 'supplement-request', asking);
  expect(asked.status, asked.body.detail).toBe(200);
  expect(asked.body.status).toBe(5);
  await at('2026-03-19T15:00:00');
  const back = await branch(clerk, d.code, 'supplement', { note: 'Đã nhận đủ' });
  expect(back.status, back.body.detail).toBe(200);
  expect(back.body.status).toBe(4);
  return back.body;
}

beforeAll(async () => {
  h.t.clock.set(new Date('2026-03-16T07:00:00+07:00'));
  admin = await h.login('admin');
  for (const [username, unit, role] of [
    ['cv-an-binh', 'DEMO.XA.AN-BINH', 'specialist'],
    ['ld-an-binh', 'DEMO.XA.AN-BINH', 'leader'],
    ['ld-ttpvhcc', 'DEMO.TTPVHCC', 'leader'],
    ['ld-sxd', 'DEMO.SXD', 'leader'],
  ]) {
    const created = await admin.post('/api/users', { username, displayName: `${role} ${unit}`, unitId: unit, password: PW });
    expect(created.status, await created.clone().text()).toBe(201);
    const granted = await admin.post('/api/role-assignments', { userId: username, role, unitId: unit });
    expect(granted.status, await granted.clone().text()).toBe(201);
  }
  await deploy('registration.bpmn');
  const days = 5;
  await publish(h.services, [
    procedure('1.930001', { days, supplement: { policy: 'restart' } }),
    procedure('1.930002', { days, supplement: { policy: 'pause_extend', applicantDeadline: { value: 7, unit: 'working_days' } } }),
    procedure('1.930003', { days, supplement: { policy: 'continue' } }),
  ]);
});

describe('Supplement during processing: the clock policy sets the new appointment', () => {
  it('Given policy restart, When the supplement asked Tuesday 10:00 arrives Thursday 15:00, Then the full 5 days count again from it: Thursday 26 March 15:00', async () => {
    const d = await receivedMonday('1.930001');
    const after = await supplementTuesdayToThursday(d);
    // Thu 2 h + Fri, Mon, Tue, Wed 32 h + Thu 26: 07:00–11:30 and 13:30–15:00 = 40 h
    expect(after.appointmentAt).toBe(vn('2026-03-26T15:00:00'));
    expect(after.appointments).toEqual([
      expect.objectContaining({
        cause: 'supplement',
        reason: 'restart',
        at: vn('2026-03-19T15:00:00'),
        previousAt: vn('2026-03-23T08:00:00'),
        appointmentAt: vn('2026-03-26T15:00:00'),
      }),
    ]);
    expect(after.supplement).toMatchObject({
      requestedAt: vn('2026-03-17T10:00:00'),
      receivedAt: vn('2026-03-19T15:00:00'),
      missing: asking.missing,
      policy: 'restart',
      applicantDueAt: null,
      unit: { code: 'DEMO.XA.AN-BINH' },
      receivedBy: { name: 'clerk' },
    });
    expect(after.history.map((x) => [x.from, x.to])).toEqual([
      [null, 2],
      [2, 5],
      [5, 4],
    ]);
    expect(await audits('dossier.supplement_requested', d.id)).toBe(1);
    expect(await audits('dossier.supplement_received', d.id)).toBe(1);
  });

  it('Given policy pause_extend, Then the appointment moves by the 19 working hours waited: Wednesday 25 March 11:00; the applicant had 7 working days', async () => {
    const d = await receivedMonday('1.930002');
    await at('2026-03-17T10:00:00');
    const asked = await branch(specialist, d.code, 'supplement-request', asking);
    // 7 working days = 56 h from Tue 10:00: Tue 5 h + Wed–Wed (6 days) 48 h + Thu 26 07:00–10:00
    expect(asked.body.supplement?.applicantDueAt).toBe(vn('2026-03-26T10:00:00'));
    await at('2026-03-19T15:00:00');
    const back = await branch(clerk, d.code, 'supplement', {});
    expect(back.status, back.body.detail).toBe(200);
    // Waited: Tue 10:00–17:00 5 h + Wed 8 h + Thu 07:00–15:00 6 h = 19 h; from Mon 23 08:00: Mon 7 h + Tue 8 h + Wed 07:00–11:00
    expect(back.body.appointmentAt).toBe(vn('2026-03-25T11:00:00'));
    expect(back.body.appointments.map((a) => [a.cause, a.reason, a.previousAt, a.appointmentAt])).toEqual([
      ['supplement', 'pause_extend', vn('2026-03-23T08:00:00'), vn('2026-03-25T11:00:00')],
    ]);
  });

  it('Given policy continue, Then the appointment stays Monday 23 March 08:00, and the unchanged one is still recorded', async () => {
    const d = await receivedMonday('1.930003');
    const after = await supplementTuesdayToThursday(d);
    expect(after.appointmentAt).toBe(vn('2026-03-23T08:00:00'));
    expect(after.appointments.map((a) => [a.reason, a.previousAt, a.appointmentAt])).toEqual([
      ['continue', vn('2026-03-23T08:00:00'), vn('2026-03-23T08:00:00')],
    ]);
  });
});

describe('Once per dossier, and the process waits', () => {
  it('Given a supplement asked, Then the open task stays open and cannot be completed until the desk records the supplement; a second request is refused', async () => {
    const d = await receivedMonday('1.930001');
    await at('2026-03-17T10:00:00');
    expect((await branch(specialist, d.code, 'supplement-request', asking)).status).toBe(200);
    const task = await openTask(d);
    const held = await specialist.post(`/api/tasks/${task}/complete`, { variables: {} });
    expect(held.status).toBe(409);
    expect(((await held.json()) as Problem).code).toBe('dossier.awaiting_supplement');
    // The desk records it; the same task is completed by its worker
    await at('2026-03-18T09:00:00');
    expect((await branch(clerk, d.code, 'supplement', {})).status).toBe(200);
    const again = await branch(specialist, d.code, 'supplement-request', asking);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'dossier.supplement_already_requested', requestedAt: vn('2026-03-17T10:00:00') });
    expect(await openTask(d)).toBe(task);
    const done = await specialist.post(`/api/tasks/${task}/complete`, { variables: {} });
    expect(done.status, await done.clone().text()).toBe(204);
    const res = await admin.get(`/api/dossiers/${d.code}`);
    expect(((await res.json()) as DossierView).status).toBe(9);
  });

  it('Given a supplement asked, Then form 02 prints what is missing, the unit that asked, its officer and the applicant deadline', async () => {
    const d = await receivedMonday('1.930002');
    await at('2026-03-17T10:00:00');
    expect((await branch(specialist, d.code, 'supplement-request', asking)).status).toBe(200);
    const res = await admin.get(`/api/dossiers/${d.code}/forms/02`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ');
    expect(html).toContain(d.code);
    expect(html).toContain('Bản sao giấy khai sinh của người con');
    expect(html).toContain('Tờ khai ghi thiếu nơi cư trú');
    expect(html).toContain('Lý do: Hồ sơ cần làm rõ quan hệ');
    expect(html).toContain('specialist DEMO.XA.AN-BINH, Xã An Bình');
    expect(html).toContain('Thời hạn bổ sung, hoàn thiện hồ sơ: trước 10:00 ngày 26/03/2026.');
  });
});

describe('Illegal transitions from the new status answer 409 with the allowed actions', () => {
  it('Given a dossier waiting for its supplement (5), Then an extension, a payment request or another supplement request is refused, naming what is allowed', async () => {
    const d = await receivedMonday('1.930003');
    await at('2026-03-17T10:00:00');
    // Nothing to receive before a request
    const early = await branch(clerk, d.code, 'supplement', {});
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'dossier.illegal_transition', status: 2 });
    expect((await branch(specialist, d.code, 'supplement-request', asking)).status).toBe(200);
    for (const [who, path, body] of [
      [leader, 'extension', { reason: 'x', newAppointmentAt: vn('2026-03-30T08:00:00') }],
      [specialist, 'payment-request', { amount: 1000 }],
      [specialist, 'supplement-request', asking],
    ] as const) {
      const r = await branch(who, d.code, path, body);
      expect(r.status, path).toBe(409);
      expect(r.body, path).toMatchObject({
        code: 'dossier.illegal_transition',
        status: 5,
        allowed: ['withdraw', 'stop', 'receive_supplement'],
      });
    }
    // A supplement before receipt is not this branch: the desk receives it with /receive
    const before = await clerk.post('/api/dossiers', {
      procedureCode: '1.930003',
      caseKey: 'standard',
      channel: 1,
      applicant,
      outcome: 'request_supplement',
      components: [complete[0]],
    });
    const b = (await before.json()) as DossierView;
    const wrong = await branch(clerk, b.code, 'supplement', {});
    expect(wrong.status).toBe(409);
    expect(wrong.body.code).toBe('dossier.no_open_supplement');
  });
});

describe('Apology and extension (form 04)', () => {
  const extension = {
    reason: 'Cần xác minh thêm thông tin tại cơ quan đăng ký cũ',
    newAppointmentAt: vn('2026-03-26T16:00:00'),
    signerTitle: 'CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ',
  };

  it('Given a dossier whose appraisal is open at the commune, When its leader extends it before the appointment, Then the appointment moves, the old one is kept, the status stays, and form 04 prints it', async () => {
    const d = await receivedMonday('1.930001');
    await at('2026-03-20T16:00:00');
    // Not later than the current appointment: refused
    const same = await branch(leader, d.code, 'extension', { ...extension, newAppointmentAt: vn('2026-03-23T08:00:00') });
    expect(same.status).toBe(422);
    expect(same.body.code).toBe('dossier.extension_not_later');
    const dueOfOpenStep = async () => {
      const res = await specialist.get(`/api/tasks?businessKey=${encodeURIComponent(d.code)}`);
      return ((await res.json()) as { dueAt: string | null }[]).map((t) => t.dueAt);
    };
    const before = await dueOfOpenStep();
    const r = await branch(leader, d.code, 'extension', extension);
    expect(r.status, r.body.detail).toBe(200);
    expect(r.body.status).toBe(2);
    // The open step was capped at the old appointment; it takes its cap from the new one (step-deadlines.ts).
    expect(before).toEqual([vn('2026-03-23T08:00:00')]);
    expect(await dueOfOpenStep()).not.toEqual(before);
    expect((await dueOfOpenStep()).every((due) => due !== null && due <= vn('2026-03-26T16:00:00'))).toBe(true);
    expect(r.body.appointmentAt).toBe(vn('2026-03-26T16:00:00'));
    expect(r.body.history).toHaveLength(1);
    expect(r.body.appointments).toEqual([
      {
        at: vn('2026-03-20T16:00:00'),
        cause: 'extension',
        previousAt: vn('2026-03-23T08:00:00'),
        appointmentAt: vn('2026-03-26T16:00:00'),
        reason: extension.reason,
        by: { id: expect.any(String), name: 'ld-an-binh' },
        unit: expect.objectContaining({ code: 'DEMO.XA.AN-BINH', name: 'Xã An Bình' }),
        signerTitle: 'CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ',
      },
    ]);
    expect(await audits('dossier.appointment_extended', d.id)).toBe(1);
    const form = await admin.get(`/api/dossiers/${d.code}/forms/04`);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ');
    expect(html).toContain('Kính gửi: <strong>Nguyễn Văn An</strong>');
    expect(html).toContain(d.code);
    expect(html).toContain('Thời gian hẹn trả kết quả: 08:00 ngày 23/03/2026.');
    expect(html).toContain('Xã An Bình chưa trả kết quả');
    expect(html).toContain(`Lý do: ${extension.reason}`);
    expect(html).toContain('16:00 ngày 26/03/2026');
    expect(html).toContain('CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ');
    expect(html).toContain('leader DEMO.XA.AN-BINH');
  });

  it('Given a dossier, Then a leader of another unit is refused (403 if they read it, 404 if not), and after the appointment has passed nobody may extend it', async () => {
    const d = await receivedMonday('1.930002');
    await at('2026-03-20T16:00:00');
    const desk = await branch(deskLeader, d.code, 'extension', extension);
    expect(desk.status).toBe(403);
    expect(desk.body.code).toBe('auth.forbidden_scope');
    expect((await branch(outsider, d.code, 'extension', extension)).body.code).toBe('dossier.not_found');
    expect((await branch(specialist, d.code, 'extension', extension)).status).toBe(403);
    // A dossier without an extension has no form 04
    expect((await admin.get(`/api/dossiers/${d.code}/forms/04`)).status).toBe(404);
    await at('2026-03-23T08:00:00');
    const late = await branch(leader, d.code, 'extension', extension);
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ code: 'dossier.appointment_passed', appointmentAt: vn('2026-03-23T08:00:00') });
    const res = await admin.get(`/api/dossiers/${d.code}`);
    expect(((await res.json()) as DossierView).appointmentAt).toBe(vn('2026-03-23T08:00:00'));
  });
});
