import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type InstanceView, type TestClient } from '../../tests/support/harness.ts';
import { procedure, publish, receiveDossier } from './fixtures/procedures.ts';

/**
 * Dossiers start only from the published catalogue, on the version its case pins (issue 15
 * point 4); starting an instance directly (POST /api/instances) is an analyst's tool for
 * testing a draft, refused to the desk with a pointer to the receipt.
 */
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
const { deploy } = h.process({ as: () => analyst });
const KEY = 'dossier-fixture-steps';
const DESK = 'DEMO.TTPVHCC.Q1';
let clerk: TestClient;
let analyst: TestClient;

beforeAll(async () => {
  h.t.clock.set(new Date('2026-03-06T09:00:00+07:00'));
  clerk = await h.login('clerk');
  analyst = await h.login('analyst');
  // Given the catalogue publishes 1.920002 pinned on v1 of its process
  const v1 = h.fixture('steps.bpmn');
  expect((await deploy(v1)).definitions[0].version).toBe(1);
  await publish(h.services, [procedure('1.920002', { process: 'steps' })]);
  // and an analyst then deploys a draft v2 the catalogue does not pin
  const v2 = v1.replace('name="Quy trình có trạng thái"', 'name="Quy trình có trạng thái (bản nháp)"');
  expect((await deploy(v2)).definitions[0].version).toBe(2);
});

describe('Raw starts are for analysts; dossiers start at receipt', () => {
  it('Given a clerk at the desk, When they start the case process directly, Then 403 auth.forbidden points them to POST /api/dossiers and nothing starts', async () => {
    for (const body of [{ definitionKey: KEY }, { definitionKey: KEY, version: 2 }, { definitionKey: KEY, unitId: DESK }]) {
      const res = await clerk.post('/api/instances', body);
      expect(res.status).toBe(403);
      const problem = (await res.json()) as { code: string; detail: string };
      expect(problem.code).toBe('auth.forbidden');
      expect(problem.detail).toContain('POST /api/dossiers');
    }
    const me = (await (await clerk.get('/api/me')).json()) as { permissions: string[] };
    expect(me.permissions).not.toContain('process.start');
    const [{ n }] = await h.em().execute<{ n: number | string }[]>('SELECT count(*) AS n FROM process_instances');
    expect(Number(n)).toBe(0);
  });

  it('Given a draft v2 no case pins, When an analyst starts it at the desk, Then it runs on v2 without a dossier', async () => {
    const res = await analyst.post('/api/instances', { definitionKey: KEY, businessKey: 'THU-NGHIEM-1', unitId: DESK });
    expect(res.status, await res.clone().text()).toBe(201);
    const inst = (await res.json()) as InstanceView;
    expect(inst).toMatchObject({ definitionKey: KEY, definitionVersion: 2, status: 'running', businessKey: 'THU-NGHIEM-1' });
    // the desk's clerk works its first step as they would a dossier's
    expect(inst.openTasks.map((t) => t.activityId)).toEqual(['check']);
    expect((await clerk.post(`/api/tasks/${inst.openTasks[0].id}/complete`, {})).status).toBe(204);
  });

  it('Given v2 deployed after publication, When the clerk receives a dossier, Then its process starts on the pinned v1', async () => {
    const d = await receiveDossier(clerk, '1.920002');
    expect(d.procedure).toMatchObject({ code: '1.920002', definitionKey: KEY, definitionVersion: 1 });
    const inst = (await (await clerk.get(`/api/instances/${d.instanceIds[0]}`)).json()) as InstanceView;
    expect(inst).toMatchObject({ definitionKey: KEY, definitionVersion: 1, businessKey: d.code });
  });

  it('Given a case process with a message start not marked external, When a clerk sends that message, Then 403 message.not_receivable: a message cannot start it without a dossier', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="https://motcua.dev/test">
  <bpmn:message id="M" name="ho-so-noi-bo" />
  <bpmn:process id="dossier-fixture-msgstart" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:messageEventDefinition messageRef="M" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="f" sourceRef="s" targetRef="t" />
    <bpmn:userTask id="t" name="Kiểm tra" />
    <bpmn:sequenceFlow id="g" sourceRef="t" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>`;
    await deploy(xml);
    await publish(h.services, [procedure('1.920003', { process: 'msgstart' })]);
    const res = await clerk.post('/api/messages', { name: 'ho-so-noi-bo', correlationKey: 'KHONG-CO-HO-SO' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('message.not_receivable');
  });
});
