import { beforeAll, describe, expect, it } from 'vitest';
import { rawStart, useHarness, type TestClient } from '../../tests/support/harness.ts';

const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
const fixture = h.fixture;

interface InstanceView {
  id: string;
  status: string;
  businessKey: string | null;
  definitionKey: string;
  definitionVersion: number;
  variables: Record<string, unknown>;
  openTasks: { id: string; activityId: string }[];
  history: { activityId: string; endedAt: string | null }[];
  parent: { id: string; activityId: string | null } | null;
  rootId: string;
  children: { id: string; definitionKey: string; definitionVersion: number; status: string; activityId: string | null }[];
}

let analyst: TestClient;
let clerk: TestClient;
let admin: TestClient;
let deployWarnings: string[] = [];

const steps = h.process<InstanceView>({ as: () => clerk });
const deploy = (xml: string) => steps.deploy(xml, { as: analyst });

beforeAll(async () => {
  analyst = await h.login('analyst');
  clerk = await h.login('clerk');
  admin = await h.login('admin');
  await deploy(fixture('call-child.bpmn'));
  await deploy(fixture('call-parent.bpmn'));
  await deploy(fixture('call-versioned.bpmn'));
  await deploy(fixture('call-versioned.bpmn').replace('>=1<', '>=2<'));
  deployWarnings = (await deploy(fixture('call-error.bpmn'))).warnings;
});

const start = (definitionKey: string, variables: Record<string, unknown> = {}, businessKey = `HS-${definitionKey}`) =>
  steps.start(definitionKey, businessKey, variables);
const instance = (id: string) => steps.instance(id);

const childOf = async (parent: InstanceView, index = 0) => instance(parent.children[index].id);

const complete = (inst: InstanceView, variables: Record<string, unknown> = {}, status = 204) => steps.complete(inst, { variables, status });

const em = () => h.em();
const audits = async (action: string, targetId: string) =>
  Number(
    (
      await em().execute<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM audit_log WHERE action = ? AND target_id = ?', [
        action,
        targetId,
      ])
    )[0].n,
  );

describe('call activities', () => {
  it('the parent waits at the call activity while its child, a real instance, runs with the camunda:in variables; the child’s end resumes the parent with the camunda:out variables', async () => {
    // Given a land registration that calls the tax process
    const parent = await start(
      'call-parent',
      { dossier: { code: 'HS-C1', owner: 'Nguyễn Văn A' }, area: 50, secret: 'not passed' },
      'HS-C1',
    );
    // Then the parent waits at callTax, with no task of its own, and lists its child
    expect(parent.status).toBe('running');
    expect(parent.openTasks).toEqual([]);
    expect(parent.children).toMatchObject([
      { definitionKey: 'call-child', definitionVersion: 1, status: 'running', activityId: 'callTax' },
    ]);
    expect(parent.history.find((h) => h.activityId === 'callTax')?.endedAt).toBeNull();
    // And the child is an instance of its own, linked to its parent, with only the mapped variables
    const child = await childOf(parent);
    expect(child).toMatchObject({
      definitionKey: 'call-child',
      businessKey: 'HS-C1',
      status: 'running',
      parent: { id: parent.id, activityId: 'callTax' },
      rootId: parent.id,
    });
    expect(child.variables).toEqual({ hoSo: { code: 'HS-C1', owner: 'Nguyễn Văn A' }, doubledArea: 100, code: 'HS-C1' });
    expect(child.openTasks.map((t) => t.activityId)).toEqual(['compute']);

    // When the child's user task is completed
    await complete(child, { tax: 1500 });
    // Then the child has ended, and in the same command the parent went on with the out-mapped variables
    expect((await instance(child.id)).status).toBe('completed');
    const resumed = await instance(parent.id);
    expect(resumed.variables).toMatchObject({ taxAmount: 1500, taxHigh: true });
    expect(resumed.variables).not.toHaveProperty('tax');
    expect(resumed.history.find((h) => h.activityId === 'callTax')?.endedAt).not.toBeNull();
    expect(resumed.openTasks.map((t) => t.activityId)).toEqual(['issue']);
    expect(resumed.children[0].status).toBe('completed');
    expect(await audits('call_activity.started', parent.id)).toBe(1);
    expect(await audits('call_activity.completed', parent.id)).toBe(1);
    await complete(resumed);
    expect((await instance(parent.id)).status).toBe('completed');
  });

  it('a child’s BPMN error end event reaches the error boundary event of the parent’s call activity', async () => {
    const parent = await start('call-parent', { dossier: { code: 'HS-C2' }, area: 10 });
    const child = await childOf(parent);
    // When the tax office refuses (the child ends at its error end event "thue.tu-choi")
    await complete(child, { refused: true });
    // Then the child ended there, and the parent took its boundary path
    const ended = await instance(child.id);
    expect(ended.status).toBe('completed');
    expect(ended.history.map((h) => h.activityId)).toContain('refused');
    const after = await instance(parent.id);
    expect(after.openTasks.map((t) => t.activityId)).toEqual(['notifyRefusal']);
    expect(after.variables).not.toHaveProperty('taxAmount');
  });

  it('a child’s BPMN error no boundary event catches fails the command: 422, nothing changes', async () => {
    const parent = await start('call-uncaught', { x: 1 });
    const child = await childOf(parent);
    expect(child.variables).toEqual({ x: 1 });
    const res = await complete(child, { refused: true }, 422);
    expect((await res.json()).code).toBe('process.bpmn_error_uncaught');
    expect((await instance(child.id)).status).toBe('running');
    expect((await instance(child.id)).openTasks).toHaveLength(1);
    expect((await instance(parent.id)).status).toBe('running');
    // And a normal end still resumes it, with every variable (variables="all")
    await complete(child, { tax: 10 });
    expect(await instance(parent.id)).toMatchObject({ status: 'completed', variables: { x: 1, tax: 10 } });
  });

  it('cancelling the parent cancels its running children, recursively', async () => {
    // Given three generations: grandparent → call-parent → call-child
    const top = await start('call-grandparent', { dossier: { code: 'HS-C4' }, area: 1 });
    const middle = await childOf(top);
    const bottom = await childOf(middle);
    expect(bottom.rootId).toBe(top.id);
    expect(bottom.openTasks).toHaveLength(1);
    // When the grandparent is cancelled
    const res = await admin.post(`/api/instances/${top.id}/cancel`, { reason: 'công dân rút hồ sơ' });
    expect(res.status, await res.clone().text()).toBe(200);
    // Then every descendant is cancelled, with its open task
    expect((await instance(middle.id)).status).toBe('cancelled');
    const last = await instance(bottom.id);
    expect(last.status).toBe('cancelled');
    expect(last.openTasks).toEqual([]);
    expect(await audits('process.cancelled', bottom.id)).toBe(1);
  });

  it('a child cancelled on its own gives its parent an incident; retrying it starts a new child', async () => {
    const parent = await start('call-parent', { dossier: { code: 'HS-C5' }, area: 3 });
    const first = await childOf(parent);
    expect((await admin.post(`/api/instances/${first.id}/cancel`, {})).status).toBe(200);
    // Then the parent is in incident at its call activity
    expect((await instance(parent.id)).status).toBe('incident');
    const [incident] = (await (await admin.get(`/api/incidents?instanceId=${parent.id}`)).json()) as {
      id: string;
      activityId: string;
      message: string;
    }[];
    expect(incident.activityId).toBe('callTax');
    expect(incident.message).toContain('was cancelled');
    // When an operator retries it, then a new child starts and the incident is resolved
    expect((await admin.post(`/api/incidents/${incident.id}/retry`)).status).toBe(200);
    await h.t.platform.services.jobs.runDue();
    const again = await instance(parent.id);
    expect(again.status).toBe('running');
    expect(again.children.map((c) => c.status).sort()).toEqual(['cancelled', 'running']);
    await complete(await instance(again.children.find((c) => c.status === 'running')!.id), { tax: 5 });
    expect((await instance(parent.id)).openTasks.map((t) => t.activityId)).toEqual(['issue']);
  });

  it('an unknown calledElement is a warning at deploy and an incident at run time, until the process is deployed and the incident retried', async () => {
    expect(deployWarnings.some((w) => w.includes('"call-later"') && w.includes('not deployed'))).toBe(true);
    const parent = await start('call-missing');
    expect(parent.status).toBe('incident');
    expect(parent.children).toEqual([]);
    const [incident] = (await (await admin.get(`/api/incidents?instanceId=${parent.id}`)).json()) as {
      id: string;
      activityId: string;
      message: string;
    }[];
    expect(incident).toMatchObject({ activityId: 'callMissing' });
    expect(incident.message).toContain('call-later');
    // A retry before the process exists fails again and keeps the incident open
    expect((await admin.post(`/api/incidents/${incident.id}/retry`)).status).toBe(200);
    await h.t.platform.services.jobs.runDue();
    expect((await instance(parent.id)).status).toBe('incident');
    // When it is deployed and the incident retried, then the child starts
    await deploy(fixture('call-later.bpmn'));
    expect((await admin.post(`/api/incidents/${incident.id}/retry`)).status).toBe(200);
    await h.t.platform.services.jobs.runDue();
    const running = await instance(parent.id);
    expect(running.status).toBe('running');
    expect(running.children).toMatchObject([{ definitionKey: 'call-later', status: 'running' }]);
    await complete(await childOf(running));
    expect((await instance(parent.id)).status).toBe('completed');
  });

  it('calls the latest version by default and a pinned one with calledElementBinding="version"; a child that never waits resumes its parent in the same command', async () => {
    const pinned = await start('call-v1');
    expect(pinned).toMatchObject({ status: 'completed', variables: { childVersion: 1 } });
    expect(pinned.children).toMatchObject([{ definitionKey: 'call-versioned', definitionVersion: 1, status: 'completed' }]);
    const latest = await start('call-latest');
    expect(latest).toMatchObject({ status: 'completed', variables: { childVersion: 2 } });
    expect(latest.children).toMatchObject([{ definitionVersion: 2, status: 'completed' }]);
  });
  it('a call activity interrupted by its boundary timer cancels its child', async () => {
    const parent = await start('call-timeout', { dossier: { code: 'HS-C8' } });
    const child = await childOf(parent);
    // When two days pass and the timer job runs
    h.t.clock.advance(2 * 24 * 3_600_000 + 1_000);
    clerk = await h.t.login('clerk');
    admin = await h.t.login('admin');
    await h.t.platform.services.jobs.runDue();
    // Then the parent took the boundary path and the child was cancelled with its task
    const after = await instance(parent.id);
    expect(after.openTasks.map((t) => t.activityId)).toEqual(['chase']);
    expect(await instance(child.id)).toMatchObject({ status: 'cancelled', openTasks: [] });
    expect(after.status).toBe('running');
  });

  it('a process that calls itself without waiting stops at the depth limit: 422, nothing is started', async () => {
    const before = Number(
      (await em().execute<{ n: number | string }[]>("SELECT COUNT(*) AS n FROM process_instances WHERE definition_key = 'call-self'"))[0].n,
    );
    const res = await rawStart(h.t, { definitionKey: 'call-self' }, clerk);
    expect(res.status).toBe(422);
    expect((await res.json()).code).toBe('process.call_too_deep');
    expect(
      Number(
        (await em().execute<{ n: number | string }[]>("SELECT COUNT(*) AS n FROM process_instances WHERE definition_key = 'call-self'"))[0]
          .n,
      ),
    ).toBe(before);
  });
});
