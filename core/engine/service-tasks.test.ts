import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestPlatform, type TestClient } from '../../tests/support/platform.ts';
import { ASYNC, CHAIN, ERROR, calls, callsOf, gateway, scenario, svctest, xmlHeaders } from './fixtures/service-scenario.ts';

const ctx = useTestPlatform({ plugins: [svctest] });
const s = scenario(() => ctx.t);

let clerk: TestClient;
let admin: TestClient;

beforeAll(async () => {
  clerk = await ctx.t.login('clerk');
  admin = await ctx.t.login('admin');
  for (const xml of [CHAIN, ASYNC, ERROR]) await s.deploy(xml);
});

beforeEach(() => {
  calls.length = 0;
  gateway.down = false;
});

describe('synchronous service tasks', () => {
  it('runs chained handlers inside the start command; each sees what the previous one produced', async () => {
    // Given a process: start → look up the fee → compute the total → review → archive
    // When the clerk starts it
    const inst = await s.started(clerk, 'service-chain', { applicant: 'Nguyễn Văn A' });
    // Then both handlers ran in order, within the request, and the process waits at the review
    expect(calls.map((c) => c.topic)).toEqual(['svctest.lookup-fee', 'svctest.compute-total']);
    expect(calls[1].job).toMatchObject({
      instanceId: inst.id,
      activityId: 'enrich',
      businessKey: 'HS-service-chain',
      variables: { applicant: 'Nguyễn Văn A', fee: 50_000 },
    });
    expect(calls[1].job.idempotencyKey).toMatch(new RegExp(`^${inst.id}:enrich_`));
    expect(inst.status).toBe('running');
    expect(inst.variables).toMatchObject({ fee: 50_000, total: 100_000 });
    expect(inst.openTasks.map((t) => t.activityId)).toEqual(['review']);
    expect(await s.serviceJob(inst.id)).toBeUndefined();
    expect(await s.audited('svctest.fee_looked_up', inst.id)).toBe(1);
    // When the review is completed, Then the send task after it runs in that command and the process ends
    expect((await clerk.post(`/api/tasks/${inst.openTasks[0].id}/complete`, {})).status).toBe(204);
    const done = await s.instance(inst.id);
    expect(done.status).toBe('completed');
    expect(done.variables.archived).toBe(true);
    expect(done.history.map((h) => h.activityId)).toEqual(['start', 'lookup', 'enrich', 'review', 'archive', 'end']);
  });

  it('a handler that fails technically fails the command: 502, nothing kept, not even an earlier handler’s writes', async () => {
    // Given the second service task calls a system that is down
    await s.deploy(CHAIN.replaceAll('service-chain', 'service-broken').replace('svctest.compute-total', 'svctest.tax-lookup'));
    const before = await s.audited('svctest.fee_looked_up');
    // When the clerk starts the process
    const res = await s.start(clerk, 'service-broken');
    // Then the start fails with a problem naming the task and topic, and nothing was written
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ code: 'process.service_task_failed', activityId: 'enrich', topic: 'svctest.tax-lookup' });
    expect(callsOf('svctest.lookup-fee')).toHaveLength(1);
    expect(await s.audited('svctest.fee_looked_up')).toBe(before);
    expect(await s.count("SELECT COUNT(*) AS n FROM process_instances WHERE definition_key = 'service-broken'", [])).toBe(0);
  });

  it('a multi-instance service task fails its command after one call instead of looping', async () => {
    const loop =
      '<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>3</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>';
    await s.deploy(
      CHAIN.replaceAll('service-chain', 'service-many').replace(
        'camunda:topic="svctest.lookup-fee" />',
        `camunda:topic="svctest.lookup-fee">${loop}</bpmn:serviceTask>`,
      ),
    );
    const res = await s.start(clerk, 'service-many');
    expect(res.status).toBe(422);
    expect((await res.json()).code).toBe('process.engine_error');
    expect(callsOf('svctest.lookup-fee')).toHaveLength(1);
  });
});

describe('asynchronous service tasks (camunda:asyncBefore)', () => {
  it('become a job due now; the runner runs the handler outside the request and signals the task', async () => {
    // Given an instance reaching an async SMS task
    const inst = await s.started(clerk, 'service-async');
    // Then the request did not run the handler: a service job is due now, with an idempotency key
    expect(callsOf('svctest.send-sms')).toEqual([]);
    expect(inst.openTasks).toEqual([]);
    const job = await s.serviceJob(inst.id);
    expect(job).toMatchObject({
      status: 'pending',
      attempts: 0,
      payload: { topic: 'svctest.send-sms', retries: 3, idempotencyKey: expect.stringMatching(`^${inst.id}:notify_`) },
    });
    expect(job.dueAt.getTime()).toBe(ctx.t.clock.now().getTime());
    // When the job runner runs
    await s.runDue();
    // Then the handler ran once, under the runner's committed lease, and the process moved on with its variables
    const [call] = callsOf('svctest.send-sms');
    expect(call.job.idempotencyKey).toBe(job.payload.idempotencyKey);
    expect(call.leasedBy).toBe(ctx.t.platform.services.jobs.id);
    const after = await s.instance(inst.id);
    expect(after.openTasks.map((t) => t.activityId)).toEqual(['after']);
    expect(after.variables.smsSent).toBe(true);
    expect((await s.serviceJob(inst.id)).status).toBe('done');
    expect(await s.audited('service_task.completed', inst.id)).toBe(1);
    // And running again does nothing more
    await s.runDue();
    expect(callsOf('svctest.send-sms')).toHaveLength(1);
  });
});

describe('business errors (BpmnBusinessError)', () => {
  it('a matching code takes the error boundary event of the task', async () => {
    const inst = await s.started(clerk, 'service-error', { errorCode: 'queue.full' });
    expect(inst.status).toBe('running');
    expect(inst.openTasks.map((t) => t.activityId)).toEqual(['handleFull']);
  });

  it('a boundary event without errorRef catches every code', async () => {
    await s.deploy(
      ERROR.replaceAll('service-error', 'service-catch-all').replace(
        '<bpmn:errorEventDefinition errorRef="Error_QueueFull" />',
        '<bpmn:errorEventDefinition />',
      ),
    );
    const inst = await s.started(clerk, 'service-catch-all', { errorCode: 'anything.else' });
    expect(inst.openTasks.map((t) => t.activityId)).toEqual(['handleFull']);
  });

  it('synchronous, no matching boundary: 422 with the code, and no instance', async () => {
    const res = await s.start(clerk, 'service-error', { errorCode: 'ticket.closed' });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: 'process.bpmn_error_uncaught', errorCode: 'ticket.closed', activityId: 'ticket' });
  });

  it('asynchronous: a matching code takes the boundary; another code opens an incident at once, without retries', async () => {
    await s.deploy(
      ERROR.replaceAll('service-error', 'service-error-async').replace(
        'camunda:topic="svctest.issue-ticket"',
        'camunda:topic="svctest.issue-ticket" camunda:asyncBefore="true"',
      ),
    );
    const caught = await s.started(clerk, 'service-error-async', { errorCode: 'queue.full' });
    const uncaught = await s.started(clerk, 'service-error-async', { errorCode: 'ticket.closed' });
    await s.runDue();
    expect((await s.instance(caught.id)).openTasks.map((t) => t.activityId)).toEqual(['handleFull']);
    expect((await s.instance(uncaught.id)).status).toBe('incident');
    expect(await s.serviceJob(uncaught.id)).toMatchObject({ status: 'failed', attempts: 1 });
    const [incident] = await s.incidents(admin, `?instanceId=${uncaught.id}`);
    expect(incident).toMatchObject({ activityId: 'ticket', topic: 'svctest.issue-ticket' });
    expect(incident.message).toContain('ticket.closed');
  });
});

describe('deploy', () => {
  it('refuses a topic no plugin handles', async () => {
    const res = await (
      await ctx.t.login('analyst')
    ).post('/api/definitions', ASYNC.replace('svctest.send-sms', 'svctest.unknown-topic'), xmlHeaders);
    expect(res.status).toBe(422);
    expect((await res.json()).code).toBe('bpmn.unknown_topic');
  });
});
