import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestPlatform, type TestClient } from '../../tests/support/platform.ts';
import { ASYNC, CYCLE, calls, callsOf, gateway, scenario, svctest } from './fixtures/service-scenario.ts';

const ctx = useTestPlatform({ plugins: [svctest] });
const s = scenario(() => ctx.t);
const SECOND = 1_000;
const MINUTE = 60 * SECOND;

let clerk: TestClient;

/** Sessions expire as the clock moves: sign in afresh. */
const login = (username: string) => ctx.t.login(username);

beforeAll(async () => {
  clerk = await login('clerk');
  await s.deploy(ASYNC);
  await s.deploy(CYCLE);
});

beforeEach(() => {
  calls.length = 0;
  gateway.down = false;
});

describe('retries and incidents of async service tasks', () => {
  it('a failing handler is retried with growing backoff, then opens an incident; a retry resolves it', async () => {
    // Given the SMS gateway is down
    gateway.down = true;
    const inst = await s.started(clerk, 'service-async');
    // When the first attempt fails, Then the job waits 30 s
    await s.runDue();
    let job = await s.serviceJob(inst.id);
    expect(job).toMatchObject({ status: 'pending', attempts: 1, last_error: 'SMS gateway unreachable' });
    expect(job.dueAt.getTime() - ctx.t.clock.now().getTime()).toBe(30 * SECOND);
    ctx.t.clock.advance(29 * SECOND);
    await s.runDue();
    expect(callsOf('svctest.send-sms')).toHaveLength(1);
    // When the second attempt fails 30 s later, Then the next waits 60 s
    ctx.t.clock.advance(SECOND);
    await s.runDue();
    job = await s.serviceJob(inst.id);
    expect(job).toMatchObject({ status: 'pending', attempts: 2 });
    expect(job.dueAt.getTime() - ctx.t.clock.now().getTime()).toBe(60 * SECOND);
    // When the third and last attempt fails
    ctx.t.clock.advance(60 * SECOND);
    await s.runDue();
    // Then the job failed, with the same idempotency key on every attempt, an incident is open and the instance shows it
    expect(callsOf('svctest.send-sms').map((c) => c.job.idempotencyKey)).toEqual(Array(3).fill(job.payload.idempotencyKey));
    expect((await s.serviceJob(inst.id)).status).toBe('failed');
    expect((await s.instance(inst.id)).status).toBe('incident');
    const admin = await login('admin');
    const [incident] = await s.incidents(admin, `?instanceId=${inst.id}`);
    expect(incident).toMatchObject({
      activityId: 'notify',
      topic: 'svctest.send-sms',
      message: 'SMS gateway unreachable',
      resolvedAt: null,
      job: { status: 'failed', attempts: 3 },
    });
    expect(await s.audited('incident.opened', incident.id)).toBe(1);
    await s.runDue();
    expect(callsOf('svctest.send-sms')).toHaveLength(3);

    // When the gateway is back and an admin retries the incident
    gateway.down = false;
    const retried = await admin.post(`/api/incidents/${incident.id}/retry`);
    expect(retried.status).toBe(200);
    // Then the job is queued with fresh attempts, the instance runs, the incident stays open until the job succeeds
    expect(await retried.json()).toMatchObject({ resolvedAt: null, job: { status: 'pending', attempts: 0 } });
    expect((await s.instance(inst.id)).status).toBe('running');
    const twice = await admin.post(`/api/incidents/${incident.id}/retry`);
    expect([twice.status, (await twice.json()).code]).toEqual([409, 'incident.retry_pending']);
    await s.runDue();
    expect(callsOf('svctest.send-sms').at(-1)!.job.idempotencyKey).toBe(job.payload.idempotencyKey);
    expect((await s.instance(inst.id)).openTasks.map((t) => t.activityId)).toEqual(['after']);
    expect(await s.incidents(admin, `?instanceId=${inst.id}`)).toEqual([]);
    const [resolved] = await s.incidents(admin, `?instanceId=${inst.id}&status=resolved`);
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.resolvedBy).toBeTruthy();
    expect(await s.audited('incident.retried', incident.id)).toBe(1);
    expect(await s.audited('incident.resolved', incident.id)).toBe(1);
    const again = await admin.post(`/api/incidents/${incident.id}/retry`);
    expect([again.status, (await again.json()).code]).toEqual([409, 'incident.not_open']);
  });

  it('camunda:failedJobRetryTimeCycle R2/PT10M: two attempts ten minutes apart', async () => {
    gateway.down = true;
    const inst = await s.started(clerk, 'service-cycle');
    await s.runDue();
    const job = await s.serviceJob(inst.id);
    expect(job).toMatchObject({ status: 'pending', attempts: 1, payload: { retries: 2, retryCycle: 'R2/PT10M' } });
    expect(job.dueAt.getTime() - ctx.t.clock.now().getTime()).toBe(10 * MINUTE);
    ctx.t.clock.advance(10 * MINUTE);
    await s.runDue();
    expect((await s.serviceJob(inst.id)).status).toBe('failed');
    expect((await s.instance(inst.id)).status).toBe('incident');
  });

  it('a timer whose command keeps failing opens an incident after the runner’s attempts', async () => {
    // Given a one-hour timer followed by a synchronous call to a system that is down
    const xml = ASYNC.replaceAll('service-async', 'timer-then-call')
      .replace(
        /<bpmn:serviceTask id="notify"[^>]*\/>/,
        '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>' +
          '<bpmn:serviceTask id="notify" camunda:type="external" camunda:topic="svctest.tax-lookup" />',
      )
      .replace(
        'sourceRef="start" targetRef="notify" />',
        'sourceRef="start" targetRef="wait" /><bpmn:sequenceFlow id="f0" sourceRef="wait" targetRef="notify" />',
      );
    await s.deploy(xml);
    const inst = await s.started(clerk, 'timer-then-call');
    // When the timer is due and each of the runner's five attempts fails
    for (let i = 0; i < 5; i++) {
      ctx.t.clock.advance(60 * MINUTE);
      await s.runDue();
    }
    // Then an incident names the timer, and the instance shows it
    const [incident] = await s.incidents(await login('admin'), `?instanceId=${inst.id}`);
    expect(incident).toMatchObject({ activityId: 'wait', topic: null, job: { status: 'failed', attempts: 5 } });
    expect(incident.message).toContain('the tax office system is down');
    expect((await s.instance(inst.id)).status).toBe('incident');
  });
});

describe('the incidents API', () => {
  it('lists and retries incidents only within the units of the user; cancelling resolves them', async () => {
    // Given an incident at the desk (clerk's unit) and one at Sở Tư pháp (started there by the analyst)
    gateway.down = true;
    clerk = await login('clerk');
    const desk = await s.started(clerk, 'service-cycle');
    const res = await (await login('analyst')).post('/api/instances', { definitionKey: 'service-cycle', unitId: 'DEMO.STP' });
    expect(res.status).toBe(201);
    const spt = (await res.json()) as { id: string };
    await s.runDue();
    ctx.t.clock.advance(10 * MINUTE);
    await s.runDue();
    const [admin, leader] = [await login('admin'), await login('leader')];
    clerk = await login('clerk');
    // Then the leader of Sở Tư pháp sees only that unit's incident, and may not retry the desk's
    const theirs = (await s.incidents(leader)).map((i) => i.instanceId);
    expect(theirs).toContain(spt.id);
    expect(theirs).not.toContain(desk.id);
    const all = await s.incidents(admin);
    expect(all.map((i) => i.instanceId)).toEqual(expect.arrayContaining([desk.id, spt.id]));
    const deskIncident = all.find((i) => i.instanceId === desk.id)!;
    const refused = await leader.post(`/api/incidents/${deskIncident.id}/retry`);
    // (an incident outside your units is answered as a missing one, ADR 0004)
    expect([refused.status, (await refused.json()).code]).toEqual([404, 'incident.not_found']);
    // And the clerk sees the desk's incident but may not retry it
    expect((await s.incidents(clerk)).map((i) => i.instanceId)).toContain(desk.id);
    expect((await s.incidents(clerk)).map((i) => i.instanceId)).not.toContain(spt.id);
    expect((await clerk.post(`/api/incidents/${deskIncident.id}/retry`)).status).toBe(403);
    // And the leader may retry the incident of Sở Tư pháp
    const sptIncident = all.find((i) => i.instanceId === spt.id)!;
    expect((await leader.post(`/api/incidents/${sptIncident.id}/retry`)).status).toBe(200);
    // When the admin cancels the desk's instance, Then its incident is resolved
    expect((await admin.post(`/api/instances/${desk.id}/cancel`, { reason: 'rút hồ sơ' })).status).toBe(200);
    expect(await s.incidents(admin, `?instanceId=${desk.id}`)).toEqual([]);
    expect(await s.audited('incident.resolved', deskIncident.id)).toBe(1);
  });

  it('answers 404 for an unknown incident', async () => {
    const res = await (await login('admin')).post('/api/incidents/no-such-incident/retry');
    expect([res.status, (await res.json()).code]).toEqual([404, 'incident.not_found']);
  });
});
