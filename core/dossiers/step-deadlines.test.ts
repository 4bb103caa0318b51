import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import { Dossier } from './entities.ts';
import { applicant, complete, procedure, publish } from './fixtures/procedures.ts';
import type { DossierView } from './service.ts';

/**
 * A step's due time is capped by its dossier's appointment (step-deadlines.ts): four steps whose
 * budgets chain 8 working hours (2 + 4 + 1 + 1), on a same-day procedure and on a 3-day one.
 * Working hours 07:00–11:30 and 13:30–17:00; every time below is Vietnam time, hand-computed.
 */
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
const { deploy, complete: completeTask } = h.process({ as: () => clerk });
const PW = 'Truong-Son-Range-7';
let clerk: TestClient;
let admin: TestClient;
let commune: TestClient;
let communeUnitId: string;
/** Every `task.created` payload's due time, by task id. */
const created = new Map<string, string | null>();

const vn = (local: string) => new Date(`${local}+07:00`).toISOString();
async function at(local: string) {
  h.t.clock.set(new Date(`${local}+07:00`));
  clerk = await h.login('clerk');
  admin = await h.login('admin');
  if (commune) commune = await h.login('chuyen-vien-han', PW);
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

/** The open step of the dossier as its worker's inbox shows it, and the due time `task.created` carried. */
async function openStep(code: string, as: TestClient) {
  const res = await as.get(`/api/tasks?businessKey=${encodeURIComponent(code)}`);
  expect(res.status, await res.clone().text()).toBe(200);
  const [task] = (await res.json()) as { id: string; activityId: string; dueAt: string | null }[];
  expect(task, `an open step of ${code} in the inbox`).toBeDefined();
  expect(created.get(task.id), 'task.created carries the inbox time').toBe(task.dueAt);
  return { activityId: task.activityId, dueAt: task.dueAt };
}

async function hops(code: string) {
  const res = await admin.get(`/api/dossiers/${encodeURIComponent(code)}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as DossierView).hops.filter((x) => x.kind !== 'receipt');
}

beforeAll(async () => {
  h.services.events.subscribe('task.created', (event) => {
    created.set(event.payload.taskId, event.payload.dueAt);
    return Promise.resolve();
  });
  await at('2026-03-16T07:30:00');
  communeUnitId = ((await (await admin.get('/api/units/DEMO.XA.AN-BINH')).json()) as { id: string }).id;
  const user = await admin.post('/api/users', {
    username: 'chuyen-vien-han',
    displayName: 'Lê Văn Hạn',
    unitId: 'DEMO.XA.AN-BINH',
    password: PW,
  });
  expect(user.status, await user.clone().text()).toBe(201);
  const role = await admin.post('/api/role-assignments', { userId: 'chuyen-vien-han', role: 'specialist', unitId: 'DEMO.XA.AN-BINH' });
  expect(role.status).toBe(201);
  commune = await h.login('chuyen-vien-han', PW);
  await deploy('deadlines.bpmn', { as: admin });
  await deploy('registration.bpmn', { as: admin });
  await publish(h.services, [
    procedure('1.930103', { process: 'registration', days: 3 }),
    procedure('1.930101', { process: 'deadlines', sameDay: true }),
    procedure('1.930102', { process: 'deadlines', days: 3 }),
  ]);
});

describe('A same-day procedure whose steps chain 8 hours', () => {
  it('Given a dossier received at 14:00 (appointment 17:00), When its steps run, Then each step opened before 17:00 is due by 17:00, those opened after keep their budgets, and the step that overran is the late one', async () => {
    // Monday 16 March 2026, 14:00, before the 15:00 cut-off: the result is due at 17:00 today.
    await at('2026-03-16T14:00:00');
    const d = await receive('1.930101');
    expect(d.appointmentAt).toBe(vn('2026-03-16T17:00:00'));
    // The check (2 h): 16:00, before the appointment, kept.
    expect(await openStep(d.code, clerk)).toEqual({ activityId: 'check', dueAt: vn('2026-03-16T16:00:00') });

    await at('2026-03-16T15:00:00');
    await completeTask(d.instanceIds[0], { as: clerk });
    // The appraisal (4 h) from 15:00 would be due Tuesday 09:00; capped at the appointment.
    expect(await openStep(d.code, commune)).toEqual({ activityId: 'appraise', dueAt: vn('2026-03-16T17:00:00') });

    // Tuesday 08:00: appraised after the appointment passed.
    await at('2026-03-17T08:00:00');
    await completeTask(d.instanceIds[0], { as: commune });
    // Signing (1 h) opens after the appointment: its own budget, 09:00, not the past 17:00.
    expect(await openStep(d.code, commune)).toEqual({ activityId: 'sign', dueAt: vn('2026-03-17T09:00:00') });

    await at('2026-03-17T08:30:00');
    await completeTask(d.instanceIds[0], { as: commune });
    expect(await openStep(d.code, clerk)).toEqual({ activityId: 'hand_back', dueAt: vn('2026-03-17T09:30:00') });
    await at('2026-03-17T09:00:00');
    await completeTask(d.instanceIds[0], { as: clerk });

    // Uncapped, the appraisal (due Tuesday 09:00) would have been on time and no step late.
    expect((await hops(d.code)).map((x) => [x.step?.activityId, x.at, x.dueAt, x.timeliness, x.lateUnitId])).toEqual([
      ['check', vn('2026-03-16T15:00:00'), vn('2026-03-16T16:00:00'), 'on_time', null],
      ['appraise', vn('2026-03-17T08:00:00'), vn('2026-03-16T17:00:00'), 'late', communeUnitId],
      ['sign', vn('2026-03-17T08:30:00'), vn('2026-03-17T09:00:00'), 'on_time', null],
      ['hand_back', vn('2026-03-17T09:00:00'), vn('2026-03-17T09:30:00'), 'on_time', null],
    ]);
  });
});

describe('A procedure whose step budgets fit its time', () => {
  it('Given a 3-day procedure received Monday 08:00, When its 8 hours of steps run, Then every step is due by its own budget, unchanged', async () => {
    await at('2026-03-23T08:00:00');
    const d = await receive('1.930102');
    expect(d.appointmentAt).toBe(vn('2026-03-26T08:00:00'));
    expect(await openStep(d.code, clerk)).toEqual({ activityId: 'check', dueAt: vn('2026-03-23T10:00:00') });
    await at('2026-03-23T09:00:00');
    await completeTask(d.instanceIds[0], { as: clerk });
    // 09:00 + 4 h: 2.5 h to 11:30, 1.5 h from 13:30.
    expect(await openStep(d.code, commune)).toEqual({ activityId: 'appraise', dueAt: vn('2026-03-23T15:00:00') });
    await at('2026-03-23T15:00:00');
    await completeTask(d.instanceIds[0], { as: commune });
    expect(await openStep(d.code, commune)).toEqual({ activityId: 'sign', dueAt: vn('2026-03-23T16:00:00') });
    await at('2026-03-23T16:30:00');
    await completeTask(d.instanceIds[0], { as: commune });
    // 16:30 + 1 h: 0.5 h to closing, 0.5 h from Tuesday 07:00.
    expect(await openStep(d.code, clerk)).toEqual({ activityId: 'hand_back', dueAt: vn('2026-03-24T07:30:00') });
    await completeTask(d.instanceIds[0], { as: clerk });
    expect((await hops(d.code)).map((x) => [x.step?.activityId, x.timeliness])).toEqual([
      ['check', 'on_time'],
      ['appraise', 'on_time'],
      ['sign', 'late'],
      ['hand_back', 'early'],
    ]);
  });
});

describe('A step with no time of its own', () => {
  it('Given a step without a budget or due date, When it opens before the appointment, Then it is due at the appointment', async () => {
    await at('2026-03-25T09:00:00');
    const d = await receive('1.930103');
    expect(d.appointmentAt).toBe(vn('2026-03-30T09:00:00'));
    expect(await openStep(d.code, commune)).toEqual({ activityId: 'appraise', dueAt: vn('2026-03-30T09:00:00') });
  });
});

describe('The appointment moves', () => {
  it('Given a step capped at the appointment, When the appointment moves later and then earlier, Then recapOpenTasks moves the cap with it, never past the step’s own budget', async () => {
    // Wednesday 18 March, 14:00: due 17:00; the check done at 14:30 opens the appraisal, own due Thursday 08:30.
    await at('2026-03-18T14:00:00');
    const d = await receive('1.930101');
    await at('2026-03-18T14:30:00');
    await completeTask(d.instanceIds[0], { as: clerk });
    expect(await openStep(d.code, commune)).toEqual({ activityId: 'appraise', dueAt: vn('2026-03-18T17:00:00') });

    const move = (local: string) =>
      h.services.db.em().transactional(async (em) => {
        const dossier = await em.findOneOrFail(Dossier, { code: d.code });
        dossier.appointmentAt = new Date(vn(local));
        return (await h.services.dossiers.recapOpenTasks(em, dossier)).map((t) => [t.activityId, t.to?.toISOString() ?? null]);
      });
    const inbox = async () =>
      (await (await commune.get(`/api/tasks?businessKey=${encodeURIComponent(d.code)}`)).json()) as { dueAt: string }[];

    // Extended to Thursday 17:00: the appraisal gets its own 08:30 back.
    expect(await move('2026-03-19T17:00:00')).toEqual([['appraise', vn('2026-03-19T08:30:00')]]);
    expect((await inbox())[0].dueAt).toBe(vn('2026-03-19T08:30:00'));
    // Moved to Wednesday 16:00: capped there.
    expect(await move('2026-03-18T16:00:00')).toEqual([['appraise', vn('2026-03-18T16:00:00')]]);
    expect((await inbox())[0].dueAt).toBe(vn('2026-03-18T16:00:00'));
    // The same appointment again: nothing changes.
    expect(await move('2026-03-18T16:00:00')).toEqual([]);
  });
});
