import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import { applicant, complete, procedure, publish } from './fixtures/procedures.ts';
import { hostile, pdf, png } from './fixtures/scans.ts';
import type { AttachmentView } from './attachment-view.ts';
import type { DossierView } from './service.ts';

/**
 * Attachments by the people who work a dossier's steps (docs/dossiers.md § Attachments): the
 * commune specialist appraising it attaches the appraisal note, the leader the signed result
 * (`kind=result`), each marked with who and which step; the same size and type checks as at the
 * desk; whoever has no open or completed step of the dossier and no desk role gets 404; only the
 * uploader removes a file, while the dossier is open.
 */
const LIMIT = 64 * 1024;
const h = useHarness({ config: { attachmentMaxBytes: LIMIT } });
const { deploy } = h.process({ as: () => analyst });
let analyst: TestClient;

/** The desk checks, the commune's specialist appraises (4), its leader approves (4), the desk hands back (9). */
const diagram = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:motcua="https://motcua.dev/schema/bpmn/1.0" id="dossier-fixture-workers-defs" targetNamespace="https://motcua.dev/test">
  <process id="dossier-fixture-workers" name="Quy trình thử đính kèm" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f0" sourceRef="start" targetRef="check" />
    <userTask id="check" name="Kiểm tra hồ sơ" camunda:candidateGroups="receptionist" />
    <sequenceFlow id="f1" sourceRef="check" targetRef="appraise" />
    <userTask id="appraise" name="Thẩm định" camunda:candidateGroups="specialist" motcua:statusCode="4" />
    <sequenceFlow id="f2" sourceRef="appraise" targetRef="approve" />
    <userTask id="approve" name="Phê duyệt, ký kết quả" camunda:candidateGroups="leader" motcua:statusCode="4" />
    <sequenceFlow id="f3" sourceRef="approve" targetRef="hand_back" />
    <userTask id="hand_back" name="Trả kết quả" camunda:candidateGroups="receptionist" motcua:statusCode="9" />
    <sequenceFlow id="f4" sourceRef="hand_back" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>`;

interface Problem {
  code: string;
  detail: string;
}

const as = (username: string) => h.login(username);

function upload(who: TestClient, code: string, bytes: Buffer, name: string, q: Record<string, string> = {}) {
  const query = new URLSearchParams({ name, ...q });
  return who.post(`/api/dossiers/${encodeURIComponent(code)}/attachments?${query}`, new Uint8Array(bytes), {
    'content-type': 'application/octet-stream',
  });
}

async function uploaded(
  who: TestClient,
  code: string,
  bytes: Buffer,
  name: string,
  q: Record<string, string> = {},
): Promise<AttachmentView> {
  const res = await upload(who, code, bytes, name, q);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as AttachmentView;
}

async function work(username: string, code: string, step: string): Promise<void> {
  const who = await as(username);
  const tasks = (await (await who.get(`/api/tasks?businessKey=${encodeURIComponent(code)}`)).json()) as {
    id: string;
    activityId: string;
  }[];
  expect(tasks.map((t) => t.activityId)).toEqual([step]);
  const res = await who.post(`/api/tasks/${tasks[0].id}/complete`, { variables: {} });
  expect(res.status, await res.clone().text()).toBe(204);
}

async function openTaskId(code: string, step: string): Promise<string> {
  const rows = await h
    .em()
    .execute<{ id: string }[]>("SELECT id FROM tasks WHERE business_key = ? AND activity_id = ? AND status = 'open'", [code, step]);
  return rows[0].id;
}

const count = async (dossierId: string) =>
  Number((await h.em().execute<{ n: number }[]>('SELECT COUNT(*) AS n FROM dossier_attachments WHERE dossier_id = ?', [dossierId]))[0].n);

let d: DossierView;

beforeAll(async () => {
  h.t.clock.set(new Date('2026-03-16T08:00:00+07:00'));
  analyst = await as('analyst');
  await deploy(diagram);
  await publish(h.services, [procedure('1.960001', { process: 'workers' })]);
  const res = await (
    await as('clerk')
  ).post('/api/dossiers', {
    procedureCode: '1.960001',
    caseKey: 'standard',
    channel: 1,
    applicant,
    outcome: 'receive',
    components: complete,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  d = (await res.json()) as DossierView;
  await work('clerk', d.code, 'check');
});

describe('Attachments by those who work the dossier', () => {
  let note: AttachmentView;
  let deskScan: AttachmentView;

  it('Given the appraisal open at the commune, When its specialist attaches the appraisal note, Then it is stored marked with them and the step, and audited with the step', async () => {
    const task = await openTaskId(d.code, 'appraise');
    note = await uploaded(await as('xa.chuyenvien'), d.code, pdf('ý kiến thẩm định'), 'Ý kiến thẩm định.pdf');
    expect(note).toMatchObject({
      fileName: 'Ý kiến thẩm định.pdf',
      mediaType: 'application/pdf',
      kind: 'scan',
      uploadedBy: { name: 'xa.chuyenvien' },
      step: { taskId: task, activityId: 'appraise', name: 'Thẩm định' },
    });
    // The desk still attaches the papers handed in: no step of its own is open, so none is marked.
    h.t.clock.advance(60_000);
    deskScan = await uploaded(await as('clerk'), d.code, png(), 'Giấy tờ tùy thân.png');
    expect(deskScan).toMatchObject({ kind: 'scan', step: null, uploadedBy: { name: 'clerk' } });
    const listed = (await (await (await as('xa.chuyenvien')).get(`/api/dossiers/${d.code}`)).json()) as DossierView;
    expect(listed.attachments.map((a) => [a.fileName, a.step?.activityId ?? null])).toEqual([
      ['Ý kiến thẩm định.pdf', 'appraise'],
      ['Giấy tờ tùy thân.png', null],
    ]);
    const [audit] = await h
      .em()
      .execute<{ summary: unknown }[]>(
        "SELECT summary FROM audit_log WHERE action = 'dossier.attachment_added' AND target_id = ? ORDER BY id",
        [d.id],
      );
    const summary = typeof audit.summary === 'string' ? JSON.parse(audit.summary) : audit.summary;
    expect(summary).toMatchObject({ attachmentId: note.id, taskId: task, activityId: 'appraise', kind: 'scan' });
  });

  it('Given the specialist uploading, Then the desk’s checks apply: a ZIP or HTML named .pdf is 415, an empty body 400, a file over the limit 413, and nothing is stored', async () => {
    const specialist = await as('xa.chuyenvien');
    const before = await count(d.id);
    for (const [kind, make] of Object.entries(hostile)) {
      const res = await upload(specialist, d.code, make(), `${kind}.pdf`);
      expect(res.status, kind).toBe(415);
      expect(((await res.json()) as Problem).code).toBe('dossier.attachment_type');
    }
    expect((await upload(specialist, d.code, Buffer.alloc(0), 'trống.pdf')).status).toBe(400);
    expect((await upload(specialist, d.code, pdf('lớn', LIMIT + 1), 'lớn.pdf')).status).toBe(413);
    expect((await upload(specialist, d.code, pdf(), 'x.pdf', { kind: 'other' })).status).toBe(400);
    expect(await count(d.id)).toBe(before);
  });

  it('Given someone with no open or completed step of the dossier and no desk role, When they upload, Then 404 as for a dossier that does not exist: the police specialist, and the commune leader before the approval opens', async () => {
    for (const username of ['congan.chuyenvien', 'xa.lanhdao', 'specialist']) {
      const res = await upload(await as(username), d.code, pdf(), 'dò.pdf');
      expect(res.status, username).toBe(404);
      expect(((await res.json()) as Problem).code, username).toBe('dossier.not_found');
    }
  });

  it('Given the appraisal done and the approval open, When the leader attaches the signed decision as a result, Then it is kind result at the approval; the specialist, whose step is done, is refused (403)', async () => {
    await work('xa.chuyenvien', d.code, 'appraise');
    const result = await uploaded(await as('xa.lanhdao'), d.code, pdf('quyết định đã ký'), 'Quyết định.pdf', { kind: 'result' });
    expect(result).toMatchObject({
      kind: 'result',
      uploadedBy: { name: 'xa.lanhdao' },
      step: { activityId: 'approve', name: 'Phê duyệt, ký kết quả' },
    });
    const late = await upload(await as('xa.chuyenvien'), d.code, pdf(), 'thêm.pdf');
    expect(late.status).toBe(403);
    expect(((await late.json()) as Problem).code).toBe('auth.forbidden_scope');
  });

  it('Given files of three people, Then only each uploader removes their own while the dossier is open: others who read it get 403, others 404, and a closed dossier 409', async () => {
    const leader = await as('xa.lanhdao');
    const specialist = await as('xa.chuyenvien');
    const byLeader = await leader.delete(`/api/dossiers/${d.code}/attachments/${deskScan.id}`);
    expect(byLeader.status).toBe(403);
    expect(((await byLeader.json()) as Problem).code).toBe('dossier.attachment_not_uploader');
    expect((await (await as('clerk')).delete(`/api/dossiers/${d.code}/attachments/${note.id}`)).status).toBe(403);
    expect((await (await as('congan.chuyenvien')).delete(`/api/dossiers/${d.code}/attachments/${note.id}`)).status).toBe(404);
    // The specialist's step is done, the dossier still open (4): they take their note back.
    expect((await specialist.delete(`/api/dossiers/${d.code}/attachments/${note.id}`)).status).toBe(204);
    const left = (await (await leader.get(`/api/dossiers/${d.code}/attachments`)).json()) as AttachmentView[];
    expect(left.map((a) => a.fileName).sort()).toEqual(['Giấy tờ tùy thân.png', 'Quyết định.pdf']);
    // Approved: the hand-back step moves the dossier to 9, a closed record.
    await work('xa.lanhdao', d.code, 'approve');
    const result = left.find((a) => a.kind === 'result')!;
    const closed = await leader.delete(`/api/dossiers/${d.code}/attachments/${result.id}`);
    expect(closed.status).toBe(409);
    expect(((await closed.json()) as Problem).code).toBe('dossier.invalid_transition');
  });
});
