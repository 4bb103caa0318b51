import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import { documents } from '../../tests/support/base-pack-source.ts';
import { installDemoPack } from '../packs/demo.ts';
import type { DossierView } from './service.ts';

/**
 * Issue 15: "the birth bundle end to end through the API with a supplement in the police part".
 * The birth bundle (3.000722, version of 1 September 2026) of procedures/base, driven over HTTP by
 * the demo accounts each working their own inbox. The commune police, working its part (a separate
 * process instance under the dossier's code), asks the applicant for a paper; every part waits;
 * the desk records it; the clock restarts (the case's policy: the bundle's 3 working days); every part finishes,
 * the bundle resolves once and the desk returns it.
 *
 * Hand-computed, Vietnam time, the default working hours: received Monday 7 December 2026 08:00
 * (the bundle's 3 working days: due Thursday 10 December 08:00; its 15:00 cut-off is its
 * civil-status part's, not the bundle's); the police asks Monday 10:00; the
 * applicant's 7 working days end Wednesday 16 December 10:00; the supplement is handed in Tuesday
 * 8 December 09:00: the restarted appointment is 3 working days later, Friday 11 December 09:00.
 */
const h = useHarness();
const vn = (local: string) => new Date(`${local}+07:00`).toISOString();

interface Task {
  id: string;
  activityId: string;
  instanceId: string;
}
interface Problem {
  code: string;
  detail: string;
}

const applicant = { kind: 'citizen', name: 'Lê Thị Mai', idNumber: '024190098765', sex: 'female', phone: '0987654321' };
let code = '';
let received: DossierView;

async function at(local: string) {
  h.t.clock.set(new Date(`${local}+07:00`));
}

async function dossier(): Promise<DossierView> {
  const res = await (await h.login('clerk')).get(`/api/dossiers/${code}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as DossierView;
}

async function inbox(as: TestClient): Promise<Task[]> {
  const res = await as.get(`/api/tasks?businessKey=${encodeURIComponent(code)}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Task[];
}

/** The user finds `step` of this dossier in their inbox (alone, unless `among` lists the others) and completes it. */
async function act(username: string, step: string, among: string[] = [step]): Promise<Task> {
  const as = await h.login(username);
  const tasks = await inbox(as);
  expect(tasks.map((t) => t.activityId).sort(), username).toEqual([...among].sort());
  const task = tasks.find((t) => t.activityId === step)!;
  const res = await as.post(`/api/tasks/${task.id}/complete`, { variables: {} });
  expect(res.status, await res.clone().text()).toBe(204);
  return task;
}

beforeAll(async () => {
  await at('2026-12-07T07:00:00');
  expect((await installDemoPack(h.services)).status).toBe('installed');
}, 120_000);

describe('The birth bundle with a supplement asked in the police part', () => {
  it('Given a bundle received Monday 08:00 and worked by the civil-status office, Then the police and social-insurance parts run as their own instances', async () => {
    await at('2026-12-07T08:00:00');
    const kase = documents()
      .find((d) => d.doc.code === '3.000722' && d.doc.effectiveFrom === '2026-09-01')!
      .doc.cases.find((c) => c.key === 'lien-thong-khai-sinh')!;
    const res = await (
      await h.login('clerk')
    ).post('/api/dossiers', {
      procedureCode: '3.000722',
      caseKey: 'lien-thong-khai-sinh',
      channel: 1,
      competentUnitId: 'DEMO.XA.AN-BINH',
      applicant,
      outcome: 'receive',
      components: kase.documents.map((d, i) => ({ document: i, received: true, originals: d.originals, copies: d.copies })),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    received = (await res.json()) as DossierView;
    code = received.code;
    expect(received.appointmentAt).toBe(vn('2026-12-10T08:00:00'));

    await at('2026-12-07T08:15:00');
    await act('clerk', 'Task_TiepNhan');
    await at('2026-12-07T08:45:00');
    await act('xa.chuyenvien', 'Task_HoTich_XuLy');
    await at('2026-12-07T09:15:00');
    await act('xa.lanhdao', 'Task_HoTich_PheDuyet');

    const police = await inbox(await h.login('congan.chuyenvien'));
    const insurance = await inbox(await h.login('bhxh.chuyenvien'));
    // Since 1 Sep 2026 the police also issue the child's căn cước card, a part of its own.
    expect(police.map((t) => t.activityId).sort()).toEqual(['Task_CanCuoc_XuLy', 'Task_ThuongTru_XuLy']);
    expect(insurance.map((t) => t.activityId)).toEqual(['Task_Bhyt_XuLy']);
    const d = await dossier();
    const residence = police.find((t) => t.activityId === 'Task_ThuongTru_XuLy')!;
    const policePart = d.parts.find((p) => p.instanceId === residence.instanceId)!;
    expect(policePart).toMatchObject({ main: false, status: 'running', unit: { code: 'DEMO.CA.AN-BINH' } });
    expect(d.parts.find((p) => p.main)!.instanceId).not.toBe(policePart.instanceId);
    expect(d.status).toBe(4);
  });

  it('When the commune police asks for a supplement in its part, Then the dossier is 5, the request names the police, form 02 prints it with the 7-day deadline, and no part may move on', async () => {
    await at('2026-12-07T10:00:00');
    const police = await h.login('congan.chuyenvien');
    const asked = await police.post(`/api/dossiers/${code}/supplement-request`, {
      missing: ['Giấy tờ chứng minh chỗ ở hợp pháp của cha hoặc mẹ (bản sao chứng thực)'],
      reason: 'Địa chỉ trên tờ khai khác nơi cư trú trong Cơ sở dữ liệu về cư trú',
    });
    const body = (await asked.json()) as DossierView & Problem;
    expect(asked.status, body.detail).toBe(200);
    expect(body.status).toBe(5);
    expect(body.supplement).toMatchObject({
      requestedAt: vn('2026-12-07T10:00:00'),
      requestedBy: { name: 'congan.chuyenvien' },
      unit: { code: 'DEMO.CA.AN-BINH', name: 'Công an xã An Bình' },
      applicantDueAt: vn('2026-12-16T10:00:00'),
      receivedAt: null,
    });
    expect(body.history.at(-1)).toMatchObject({ from: 4, to: 5 });

    const form = await police.get(`/api/dossiers/${code}/forms/02`);
    const html = await form.text();
    expect(form.status, html).toBe(200);
    expect(html).toContain('Giấy tờ chứng minh chỗ ở hợp pháp của cha hoặc mẹ (bản sao chứng thực)');
    expect(html).toContain('Công an xã An Bình');
    expect(html).toContain('trước 10:00 ngày 16/12/2026');

    // Every part waits: the police's own step and the social insurance's are both held.
    for (const username of ['congan.chuyenvien', 'bhxh.chuyenvien']) {
      const as = await h.login(username);
      const [task] = await inbox(as);
      const held = await as.post(`/api/tasks/${task.id}/complete`, { variables: {} });
      expect(held.status, username).toBe(409);
      expect(((await held.json()) as Problem).code).toBe('dossier.awaiting_supplement');
    }
    expect((await dossier()).status).toBe(5);
  });

  it('When the desk records the supplement Tuesday 09:00, Then the dossier is back at 4 with the appointment restarted to Friday 09:00, the old one kept', async () => {
    await at('2026-12-08T09:00:00');
    const res = await (await h.login('clerk')).post(`/api/dossiers/${code}/supplement`, { note: 'Đã nhận bản sao chứng thực' });
    const body = (await res.json()) as DossierView & Problem;
    expect(res.status, body.detail).toBe(200);
    expect(body.status).toBe(4);
    expect(body.appointmentAt).toBe(vn('2026-12-11T09:00:00'));
    expect(body.supplement).toMatchObject({ receivedAt: vn('2026-12-08T09:00:00'), policy: 'restart', receivedBy: { name: 'clerk' } });
    expect(body.appointments).toEqual([
      expect.objectContaining({ cause: 'supplement', previousAt: vn('2026-12-10T08:00:00'), appointmentAt: vn('2026-12-11T09:00:00') }),
    ]);
  });

  it('When the police and social insurance finish their parts and the desk its return step, Then the bundle is resolved once, at the end of every part, and delivered', async () => {
    await at('2026-12-08T10:00:00');
    const policeTask = await act('congan.chuyenvien', 'Task_ThuongTru_XuLy', ['Task_ThuongTru_XuLy', 'Task_CanCuoc_XuLy']);
    await act('congan.chuyenvien', 'Task_CanCuoc_XuLy');
    await act('bhxh.chuyenvien', 'Task_Bhyt_XuLy');
    await at('2026-12-08T11:00:00');
    await act('congan.lanhdao', 'Task_ThuongTru_PheDuyet', ['Task_ThuongTru_PheDuyet', 'Task_CanCuoc_PheDuyet']);
    await act('congan.lanhdao', 'Task_CanCuoc_PheDuyet');
    expect((await dossier()).status).toBe(4); // social insurance is not done yet
    await act('bhxh.lanhdao', 'Task_Bhyt_PheDuyet');
    expect((await dossier()).status).toBe(9);
    await at('2026-12-08T14:00:00');
    await act('clerk', 'Task_TraKetQua');

    const d = await dossier();
    expect(d.status).toBe(10);
    expect(d.parts.length).toBe(5); // the bundle, civil status, residence, căn cước, health insurance
    expect(d.parts.every((p) => p.status === 'completed')).toBe(true);
    expect(d.parts.find((p) => p.instanceId === policeTask.instanceId)!.unit?.code).toBe('DEMO.CA.AN-BINH');
    expect(d.history.map((x) => [x.from, x.to])).toEqual([
      [null, 2],
      [2, 4],
      [4, 5],
      [5, 4],
      [4, 9],
      [9, 10],
    ]);
    expect(d.result?.returnedAt).toBe(vn('2026-12-08T14:00:00'));
    const audits = await h
      .em()
      .execute<{ action: string }[]>(
        "SELECT action FROM audit_log WHERE target_id = ? AND action IN ('dossier.supplement_requested', 'dossier.supplement_received', 'dossier.resolved')",
        [d.id],
      );
    expect(audits.map((a) => a.action).sort()).toEqual(['dossier.resolved', 'dossier.supplement_received', 'dossier.supplement_requested']);

    // The applicant sees the wait and the return in the public timeline, by unit names only.
    const found = await h.t.client().post('/api/public/dossiers/lookup', { code, secret: applicant.idNumber.slice(-4) });
    expect(found.status).toBe(200);
    const lines = ((await found.json()) as { history: { text: string }[] }).history.map((l) => l.text).join('\n');
    expect(lines).toContain('Công an xã An Bình');
    expect(lines).not.toContain('congan.chuyenvien');
  });
});
