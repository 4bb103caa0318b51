import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import { applicant, complete, procedure, publish } from './fixtures/procedures.ts';
import type { DossierView } from './service.ts';
import { allowedActions, TRANSITIONS, type Action } from './transitions.ts';

/**
 * Every row of the transition table (transitions.ts), from every status it allows, taken through
 * the API the way the people who take it do (or, for `resolve` and `refuse`, by the process
 * reaching its end through a task completed over the API), with its resulting status, its
 * status-history row and its audit record; and every action a person may ask for, from every
 * national status, refused with 409 `dossier.illegal_transition` and the allowed actions when
 * the table does not list it. transitions.test.ts tells the branches' stories; this file proves
 * the table is what the API does, row by row, so a row added without a test fails here.
 */
const h = useHarness();
const { deploy } = h.process({ as: () => analyst });
let analyst: TestClient;

/**
 * check (the desk, no status of its own: the dossier stays 2) → refuse: the end refusing it (3);
 * skip: the end (resolves from 2); else the appraisal (4) → the end (resolves from 4 or 6).
 */
const diagram = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:motcua="https://motcua.dev/schema/bpmn/1.0" id="dossier-fixture-table-defs" targetNamespace="https://motcua.dev/test">
  <process id="dossier-fixture-table" name="Quy trình thử bảng chuyển trạng thái" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f0" sourceRef="start" targetRef="check" />
    <userTask id="check" name="Kiểm tra hồ sơ" camunda:candidateGroups="receptionist" />
    <sequenceFlow id="f1" sourceRef="check" targetRef="gw" />
    <exclusiveGateway id="gw" default="f4" />
    <sequenceFlow id="f2" sourceRef="gw" targetRef="refused"><conditionExpression xsi:type="tFormalExpression">=refuse = true</conditionExpression></sequenceFlow>
    <sequenceFlow id="f3" sourceRef="gw" targetRef="end"><conditionExpression xsi:type="tFormalExpression">=skip = true</conditionExpression></sequenceFlow>
    <sequenceFlow id="f4" sourceRef="gw" targetRef="appraise" />
    <userTask id="appraise" name="Thẩm định" camunda:candidateGroups="specialist" motcua:statusCode="4" />
    <sequenceFlow id="f5" sourceRef="appraise" targetRef="end" />
    <endEvent id="refused" name="Từ chối tiếp nhận" motcua:statusCode="3" />
    <endEvent id="end" />
  </process>
</definitions>`;

const PROCEDURE = '1.940001';
const vn = (local: string) => new Date(`${local}+07:00`).toISOString();

interface Problem {
  code: string;
  detail: string;
  status?: number;
  action?: string;
  allowed?: string[];
}
type Body = DossierView & Problem;

const as = (username: string) => h.login(username);
const clerk = () => as('clerk');
const specialist = () => as('xa.chuyenvien');
const leader = () => as('xa.lanhdao');

/** What a person sends for each action the API takes: who, where, what. */
const REQUESTS: Record<Exclude<Action, 'resolve' | 'refuse' | 'lapse'>, { who: () => Promise<TestClient>; path: string; body: unknown }> = {
  request_payment: { who: specialist, path: 'payment-request', body: { amount: 50_000, reason: 'Lệ phí' } },
  record_payment: { who: clerk, path: 'payment', body: { amount: 50_000, mode: 'cash' } },
  withdraw: { who: clerk, path: 'withdrawal', body: { reason: 'Không còn nhu cầu', requestedBy: 'Nguyễn Văn An' } },
  stop: { who: specialist, path: 'stop', body: { reasons: ['Không bổ sung trong thời hạn'], legalGround: 'Nghị định 118/2025/NĐ-CP' } },
  return_result: {
    who: clerk,
    path: 'result-return',
    body: { recipient: { name: 'Nguyễn Văn An', relation: 'bản thân' }, method: 'desk' },
  },
  request_supplement: { who: specialist, path: 'supplement-request', body: { missing: ['Bản sao giấy khai sinh'] } },
  receive_supplement: { who: clerk, path: 'supplement', body: { note: 'Đã nhận' } },
  extend: { who: leader, path: 'extension', body: { reason: 'Cần xác minh', newAppointmentAt: vn('2026-03-27T16:00:00') } },
};

const AUDIT: Record<Action, string> = {
  request_payment: 'dossier.payment_requested',
  record_payment: 'dossier.payment_recorded',
  withdraw: 'dossier.withdrawn',
  stop: 'dossier.stopped',
  resolve: 'dossier.resolved',
  refuse: 'dossier.refused',
  return_result: 'dossier.result_returned',
  request_supplement: 'dossier.supplement_requested',
  receive_supplement: 'dossier.supplement_received',
  extend: 'dossier.appointment_extended',
  lapse: 'dossier.lapsed',
};

async function take(action: keyof typeof REQUESTS, code: string): Promise<{ status: number; body: Body }> {
  const r = REQUESTS[action];
  const res = await (await r.who()).post(`/api/dossiers/${code}/${r.path}`, r.body);
  return { status: res.status, body: (await res.json()) as Body };
}

async function read(code: string): Promise<DossierView> {
  const res = await (await as('admin')).get(`/api/dossiers/${code}`);
  expect(res.status).toBe(200);
  return (await res.json()) as DossierView;
}

/** The one open task of the dossier in the user's inbox, completed over the API. */
async function work(who: TestClient, code: string, variables: Record<string, unknown> = {}): Promise<void> {
  const tasks = (await (await who.get(`/api/tasks?businessKey=${encodeURIComponent(code)}`)).json()) as { id: string }[];
  expect(tasks).toHaveLength(1);
  const res = await who.post(`/api/tasks/${tasks[0].id}/complete`, { variables });
  expect(res.status, await res.clone().text()).toBe(204);
}

async function receive(outcome: 'receive' | 'refuse' | 'submit' = 'receive'): Promise<DossierView> {
  const res = await (
    await clerk()
  ).post('/api/dossiers', {
    procedureCode: PROCEDURE,
    caseKey: 'standard',
    channel: outcome === 'submit' ? 2 : 1,
    applicant,
    outcome,
    components: complete,
    ...(outcome === 'refuse' && { reasons: ['Không thuộc đối tượng'] }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as DossierView;
}

/** Given a dossier in `status`, reached by the API as it would be at a desk (`via`: the status before 6). */
async function dossierIn(status: number, via = 4): Promise<DossierView> {
  if (status === 1) return receive('submit');
  if (status === 3) return receive('refuse');
  const d = await receive();
  const reach = async (s: number) => {
    h.t.clock.advance(60_000); // each step a minute later: the history reads in order
    if (s === 4) await work(await clerk(), d.code);
    if (s === 5) expect((await take('request_supplement', d.code)).status).toBe(200);
    if (s === 6) expect((await take('request_payment', d.code)).status).toBe(200);
    if (s === 7) expect((await take('withdraw', d.code)).status).toBe(200);
    if (s === 8) expect((await take('stop', d.code)).status).toBe(200);
    if (s === 9) await work(await specialist(), d.code);
    if (s === 10) expect((await take('return_result', d.code)).status).toBe(200);
  };
  const path: Record<number, number[]> = {
    2: [],
    4: [4],
    5: [4, 5],
    6: via === 2 ? [6] : [4, 6],
    7: [7],
    8: [8],
    9: [4, 9],
    10: [4, 9, 10],
  };
  for (const s of path[status]) await reach(s);
  expect((await read(d.code)).status).toBe(status);
  return read(d.code);
}

async function auditsOf(action: Action, dossierId: string) {
  const rows = await h
    .em()
    .execute<{ summary: unknown }[]>('SELECT summary FROM audit_log WHERE action = ? AND target_id = ?', [AUDIT[action], dossierId]);
  return rows.map((r) => (typeof r.summary === 'string' ? JSON.parse(r.summary) : r.summary) as { from: number; to: number });
}

/** The status a row leads to from `from` (`previous`: back to where the payment was asked; `same`: unchanged). */
function target(action: Action, from: number, via: number): number {
  const to = TRANSITIONS[action].to;
  return to === 'same' ? from : to === 'previous' ? via : to;
}

/** Every (action, from) pair of the table, with the status before a payment request for `record_payment`. */
const rows = (Object.keys(TRANSITIONS) as Action[]).flatMap((action) =>
  TRANSITIONS[action].from.flatMap((from): { action: Action; from: number; via: number }[] =>
    action === 'record_payment' ? [2, 4].map((via) => ({ action, from, via })) : [{ action, from, via: 4 }],
  ),
);

beforeAll(async () => {
  h.t.clock.set(new Date('2026-03-16T08:00:00+07:00'));
  analyst = await h.login('analyst');
  await deploy(diagram);
  await publish(h.services, [
    procedure(PROCEDURE, { process: 'table', supplement: { policy: 'restart', applicantDeadline: { value: 7, unit: 'working_days' } } }),
  ]);
});

describe('Every row of the transition table, through the API', () => {
  for (const { action, from, via } of rows) {
    const to = target(action, from, via);
    const by = TRANSITIONS[action].by;
    const name =
      `Given a dossier in status ${from}${action === 'record_payment' ? ` (asked from ${via})` : ''}, ` +
      `When ${action} is taken ${by.includes('api') ? 'through its route' : action === 'lapse' ? 'by the deadline passing' : 'by the process reaching its end'}, ` +
      `Then it is ${to}, with a history row ${from} → ${to} and the audit record ${AUDIT[action]}`;

    // The process cannot end while a supplement is awaited: completing its task is held (supplement.test.ts).
    const unreachable = action === 'resolve' && from === 5;
    it.skipIf(unreachable)(name, async () => {
      h.t.clock.set(new Date('2026-03-16T09:00:00+07:00'));
      const d = await dossierIn(from, via);
      const historyBefore = d.history.length;
      h.t.clock.advance(60_000);
      let after: DossierView;
      if (action === 'lapse') {
        // Nobody asks for it: the applicant's deadline (7 working days) passes and its job runs.
        h.t.clock.advance(15 * 24 * 3_600_000);
        await h.services.jobs.runDue();
        after = await read(d.code);
      } else if (action === 'resolve' || action === 'refuse') {
        if (from === 2) await work(await clerk(), d.code, action === 'refuse' ? { refuse: true } : { skip: true });
        else await work(await specialist(), d.code); // the appraisal (4, or 6 with a payment due) ends the process
        after = await read(d.code);
      } else {
        const r = await take(action, d.code);
        expect(r.status, r.body.detail).toBe(200);
        after = r.body;
      }
      expect(after.status).toBe(to);
      if (to === from) {
        // An extension moves the appointment, not the status: no history row, the appointment row instead.
        expect(after.history).toHaveLength(historyBefore);
        expect(after.appointments.at(-1)).toMatchObject({ cause: 'extension', appointmentAt: vn('2026-03-27T16:00:00') });
      } else {
        expect(after.history).toHaveLength(historyBefore + 1);
        expect(after.history.at(-1)).toMatchObject({ from, to });
      }
      const audits = await auditsOf(action, d.id);
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({ from, to });
    });
  }

  it('covers every row: each action from each status the table lists', () => {
    for (const action of Object.keys(TRANSITIONS) as Action[])
      for (const from of TRANSITIONS[action].from)
        expect(
          rows.some((r) => r.action === action && r.from === from),
          `${action} from ${from}`,
        ).toBe(true);
  });
});

describe('Every action a person may ask for, from every status, is refused unless the table lists it', () => {
  for (const status of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
    const refused = (Object.keys(REQUESTS) as (keyof typeof REQUESTS)[]).filter((a) => !TRANSITIONS[a].from.includes(status));
    it(`Given a dossier in status ${status}, When ${refused.join(', ')} is asked, Then each answers 409 dossier.illegal_transition naming the allowed ${
      allowedActions(status).join(', ') || 'none'
    }, and nothing moves`, async () => {
      h.t.clock.set(new Date('2026-03-16T10:00:00+07:00'));
      const d = await dossierIn(status);
      for (const action of refused) {
        const r = await take(action, d.code);
        expect(r.status, `${action} from ${status}: ${r.body.detail}`).toBe(409);
        expect(r.body, action).toMatchObject({ code: 'dossier.illegal_transition', status, action, allowed: allowedActions(status) });
      }
      const after = await read(d.code);
      expect(after.status).toBe(status);
      expect(after.history).toEqual(d.history);
      expect(after.appointmentAt).toBe(d.appointmentAt);
    });
  }
});
