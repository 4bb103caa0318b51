import { beforeAll, describe, expect, it } from 'vitest';
import { OptimisticLockError } from '@mikro-orm/core';
import { readFileSync } from 'node:fs';
import { useTestPlatform, type TestClient } from '../../tests/support/platform.ts';
import { deployFixture, householdBusiness } from '../catalogue/fixtures/documents.ts';
import { insertJob } from '../jobs/jobs.ts';
import { openIncident } from '../engine/incidents.ts';
import { CORE_EVENT_TYPES, type DomainEvent } from './catalogue.ts';
import { rawStart } from '../../tests/support/raw-start.ts';

const ctx = useTestPlatform();
const fixture = (name: string) => readFileSync(new URL(`../engine/fixtures/${name}`, import.meta.url), 'utf8');
const xmlHeaders = { 'content-type': 'application/xml' };

/** Every core event a subscriber saw, in order; `failOn` makes the next one of that type throw. */
const seen: DomainEvent[] = [];
const control: { failOn: string | null; noteOn: string | null } = { failOn: null, noteOn: null };

let analyst: TestClient;
let clerk: TestClient;
let specialist: TestClient;
let leader: TestClient;
let admin: TestClient;
let clerkId: string;
let analystId: string;

beforeAll(async () => {
  const { events, audit } = ctx.t.platform.services;
  for (const type of CORE_EVENT_TYPES) {
    // The first subscriber writes in the publishing transaction (an audit record), the second may fail.
    events.subscribe(type, async (event, { em }) => {
      seen.push(event);
      if (control.noteOn === type)
        await audit.append(em, {
          actor: { id: null, name: 'test:subscriber' },
          action: 'test.event.noted',
          targetType: 'event',
          targetId: event.id,
          summary: { type },
        });
    });
    events.subscribe(
      type,
      () => {
        if (control.failOn === type) throw new Error('the subscriber is broken');
      },
      { owner: 'test' },
    );
  }
  analyst = await ctx.t.login('analyst');
  clerk = await ctx.t.login('clerk');
  specialist = await ctx.t.login('specialist');
  leader = await ctx.t.login('leader');
  admin = await ctx.t.login('admin');
  clerkId = ((await (await clerk.get('/api/me')).json()) as { user: { id: string } }).user.id;
  analystId = ((await (await analyst.get('/api/me')).json()) as { user: { id: string } }).user.id;
  for (const file of ['five-steps.bpmn', 'msg-catch.bpmn'])
    expect((await analyst.post('/api/definitions', fixture(file), xmlHeaders)).status).toBe(201);
});

/** What the subscribers see while `fn` runs: types, and the events themselves. */
async function during(fn: () => Promise<unknown>): Promise<DomainEvent[]> {
  const from = seen.length;
  await fn();
  return seen.slice(from);
}
const types = (events: DomainEvent[]) => events.map((e) => e.type);

async function start(definitionKey: string, businessKey: string): Promise<{ id: string }> {
  const res = await rawStart(ctx.t, { definitionKey, businessKey }, clerk);
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}
const openTask = async (instanceId: string) =>
  ((await (await clerk.get(`/api/instances/${instanceId}`)).json()) as { openTasks: { id: string; activityId: string }[] }).openTasks[0];

describe('domain events from the engine', () => {
  it('Given a five-step dossier, When it is started, worked and finished, Then each step is seen as task.completed then task.created, and the end as instance.ended', async () => {
    let instanceId = '';
    // When an analyst starts it at the clerk's desk (a raw start)
    const started = await during(async () => ({ id: instanceId } = await start('five-steps', 'HS-EV-1')));
    // Then the instance starts before its first task exists
    expect(types(started)).toEqual(['instance.started', 'task.created']);
    expect(started[0]).toMatchObject({
      actor: { id: analystId, name: 'analyst' },
      payload: {
        instanceId,
        definitionKey: 'five-steps',
        definitionVersion: 1,
        businessKey: 'HS-EV-1',
        parentId: null,
        startedBy: analystId,
      },
    });
    expect(started[1].payload).toMatchObject({
      instanceId,
      activityId: 'check',
      name: 'Kiểm tra hồ sơ',
      businessKey: 'HS-EV-1',
      candidateGroups: ['receptionist'],
      assignee: null,
    });
    expect(started[1].payload).toHaveProperty('dueAt', expect.stringMatching(/^2026-03-0\dT/));
    expect(started[1].id).not.toBe(started[0].id);

    // When the clerk completes the first step
    const check = await openTask(instanceId);
    const stepped = await during(() => clerk.post(`/api/tasks/${check.id}/complete`, { variables: { ok: true } }));
    // Then it is completed by the clerk, then the next step's task is created in its unit
    expect(types(stepped)).toEqual(['task.completed', 'task.created']);
    expect(stepped[0].payload).toEqual({
      taskId: check.id,
      instanceId,
      definitionKey: 'five-steps',
      activityId: 'check',
      name: 'Kiểm tra hồ sơ',
      unitId: expect.any(String),
      businessKey: 'HS-EV-1',
      completedBy: clerkId,
    });
    expect(stepped[1].payload).toMatchObject({ activityId: 'appraise', businessKey: 'HS-EV-1' });
    const stp = ((await (await analyst.get('/api/units')).json()) as { id: string; code: string }[]).find((u) => u.code === 'DEMO.STP')!;
    expect(stepped[1].payload).toHaveProperty('unitId', stp.id);

    // When the remaining steps are done
    const workers: Record<string, TestClient> = { appraise: specialist, approve: leader, issue: specialist, return: clerk };
    let last: DomainEvent[] = [];
    for (const step of ['appraise', 'approve', 'issue', 'return']) {
      const task = await openTask(instanceId);
      last = await during(async () =>
        expect((await workers[step].post(`/api/tasks/${task.id}/complete`, { variables: {} })).status).toBe(204),
      );
    }
    // Then the last step's completion is followed by the end of the instance
    expect(types(last)).toEqual(['task.completed', 'instance.ended']);
    expect(last[1].payload).toEqual({
      instanceId,
      definitionKey: 'five-steps',
      businessKey: 'HS-EV-1',
      unitId: expect.any(String),
      outcome: 'completed',
      parentId: null,
      reason: null,
      statusCode: null,
    });
  });

  it('Given a running instance, When it is cancelled, Then its open task is cancelled and it ends as cancelled with the reason', async () => {
    const { id } = await start('five-steps', 'HS-EV-2');
    const task = await openTask(id);
    const events = await during(async () =>
      expect((await admin.post(`/api/instances/${id}/cancel`, { reason: 'công dân rút hồ sơ' })).status).toBe(200),
    );
    expect(types(events)).toEqual(['task.cancelled', 'instance.ended']);
    expect(events[0].payload).toMatchObject({ taskId: task.id, activityId: 'check', reason: 'instance_cancelled', businessKey: 'HS-EV-2' });
    expect(events[1].payload).toMatchObject({ instanceId: id, outcome: 'cancelled', reason: 'công dân rút hồ sơ' });
  });

  it('Given an instance waiting for a message, When the message arrives, Then message.correlated names the instance, then the instance ends', async () => {
    const { id } = await start('msg-catch', 'HS-EV-3');
    const task = await openTask(id);
    await clerk.post(`/api/tasks/${task.id}/complete`, { variables: {} });
    const events = await during(async () =>
      expect((await clerk.post('/api/messages', { name: 'ket-qua-thue', correlationKey: 'HS-EV-3', messageId: 'm-ev-3' })).status).toBe(
        200,
      ),
    );
    expect(types(events)).toEqual(['instance.ended', 'message.correlated']);
    expect(events[1].payload).toEqual({
      name: 'ket-qua-thue',
      messageId: 'm-ev-3',
      correlationKey: 'HS-EV-3',
      origin: 'api',
      instanceId: id,
      activityId: 'wait',
      started: false,
    });
  });

  it('Given a job that failed for good, When the incident opens and the instance is cancelled, Then incident.opened and incident.resolved are seen', async () => {
    const { services } = ctx.t.platform;
    const { id } = await start('five-steps', 'HS-EV-4');
    const now = services.clock.now();
    const events = await during(() =>
      services.db.em().transactional(async (em) => {
        const jobId = await insertJob(em, { kind: 'timer', instanceId: id, activityId: 'check', executionId: 'x-1', dueAt: now }, now);
        await em.execute("UPDATE jobs SET status = 'failed' WHERE id = ?", [jobId]);
        await openIncident(
          em,
          services,
          {
            id: jobId,
            kind: 'timer',
            instanceId: id,
            definitionId: null,
            activityId: 'check',
            executionId: 'x-1',
            dueAt: now,
            status: 'failed',
            attempts: 5,
            lastError: 'boom',
            payload: {},
          },
          'boom',
        );
      }),
    );
    expect(types(events)).toEqual(['incident.opened']);
    expect(events[0].payload).toMatchObject({ instanceId: id, kind: 'timer', activityId: 'check', message: 'boom', again: false });
    const cancelled = await during(async () => expect((await admin.post(`/api/instances/${id}/cancel`, {})).status).toBe(200));
    expect(types(cancelled)).toEqual(['task.cancelled', 'incident.resolved', 'instance.ended']);
    expect(cancelled[1].payload).toMatchObject({ incidentId: events[0].payload.incidentId, reason: 'instance cancelled' });
  });
});

describe('domain events from the catalogue', () => {
  it('Given a deployed process, When a pack imports a procedure, Then procedure.published is seen with its version', async () => {
    const { services } = ctx.t.platform;
    await deployFixture(ctx.t);
    const events = await during(() =>
      services.db
        .em()
        .transactional((em) =>
          services.catalogue.importPublished(
            em,
            { actor: { id: null, name: 'pack-import' }, requestId: null },
            householdBusiness() as never,
          ),
        ),
    );
    expect(types(events)).toEqual(['procedure.published']);
    expect(events[0].payload).toEqual({ code: '2.000720', version: 1, effectiveFrom: '2026-03-02', previous: null, via: 'import' });
  });
});

describe('in-transaction subscribers', () => {
  it('Given a subscriber that writes, When the command commits, Then its write is committed with the change', async () => {
    const { id } = await start('five-steps', 'HS-EV-5');
    const task = await openTask(id);
    control.noteOn = 'task.completed';
    try {
      expect((await clerk.post(`/api/tasks/${task.id}/complete`, { variables: {} })).status).toBe(204);
    } finally {
      control.noteOn = null;
    }
    const notes = await ctx.t.platform.services.db
      .em()
      .execute<{ n: number | string }[]>("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'test.event.noted'");
    expect(Number(notes[0].n)).toBe(1);
  });

  it("Given a subscriber that throws, When a task is completed, Then the whole command is rolled back (the other subscriber's write too) with event.subscriber_failed", async () => {
    const { services } = ctx.t.platform;
    const { id } = await start('five-steps', 'HS-EV-6');
    const task = await openTask(id);
    const [before] = await services.db
      .em()
      .execute<{ lock_version: number | string; variables: string }[]>(
        'SELECT lock_version, variables FROM process_instances WHERE id = ?',
        [id],
      );
    const count = async (sql: string, params: unknown[] = []) =>
      Number((await services.db.em().execute<{ n: number | string }[]>(sql, params))[0].n);
    const notesBefore = await count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'test.event.noted'");
    // Given the first subscriber writes and the second one throws on task.created (the next step's task)
    control.noteOn = 'task.completed';
    control.failOn = 'task.created';
    let res: Response;
    try {
      res = await clerk.post(`/api/tasks/${task.id}/complete`, { variables: { ok: true } });
    } finally {
      control.noteOn = control.failOn = null;
    }
    // Then a clear error, and nothing changed
    expect(res.status).toBe(500);
    const problem = await res.json();
    expect(problem.code).toBe('event.subscriber_failed');
    expect(problem.detail).toContain('test subscriber of task.created failed: the subscriber is broken');
    expect(await openTask(id)).toMatchObject({ id: task.id, activityId: 'check' });
    const [after] = await services.db
      .em()
      .execute<{ lock_version: number | string; variables: string }[]>(
        'SELECT lock_version, variables FROM process_instances WHERE id = ?',
        [id],
      );
    expect(after).toEqual(before);
    expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'test.event.noted'")).toBe(notesBefore);
    expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'task.completed' AND target_id = ?", [task.id])).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM tasks WHERE instance_id = ?', [id])).toBe(1);
  });

  it('runs subscribers in the order they subscribed, and refuses names that are not event names', async () => {
    const { events, db } = ctx.t.platform.services;
    const order: string[] = [];
    for (const who of ['a', 'b', 'c']) events.subscribe('test.order.checked', () => void order.push(who));
    await db.em().transactional((em) => events.publish(em, 'test.order.checked', {}));
    expect(order).toEqual(['a', 'b', 'c']);
    expect(() => events.subscribe('Task Completed', () => {})).toThrow(/not an event name/);
  });

  it('Given a subscriber whose flush meets a concurrent change, Then the conflict fails the command as it is (409 conflict.stale), not as a broken subscriber', async () => {
    const { events, db } = ctx.t.platform.services;
    events.subscribe('test.lock.met', () => {
      throw new OptimisticLockError('The optimistic lock on entity Dossier failed');
    });
    events.subscribe('test.bug.met', () => {
      throw new TypeError('x is undefined');
    });
    await expect(db.em().transactional((em) => events.publish(em, 'test.lock.met', {}))).rejects.toBeInstanceOf(OptimisticLockError);
    await expect(db.em().transactional((em) => events.publish(em, 'test.bug.met', {}))).rejects.toMatchObject({
      code: 'event.subscriber_failed',
    });
  });

  it('costs nothing to publish a type nobody listens to', async () => {
    const { events, db } = ctx.t.platform.services;
    expect(events.has('test.nobody.listens')).toBe(false);
    // No transaction needed: nothing is run or written.
    await events.publish(db.em(), 'test.nobody.listens', { x: 1 });
  });
});
