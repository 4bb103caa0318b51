import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type InstanceView, type TestClient } from '../../tests/support/harness.ts';
import { toDate } from '../jobs/jobs.ts';

const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
const fixture = h.fixture;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WAIT = fixture('timer-wait.bpmn');
const variant = (key: string, from: string, to: string) => WAIT.replaceAll('timer-wait', key).replace(from, to);

interface JobView {
  id: string;
  kind: string;
  activityId: string;
  status: string;
  dueAt: Date;
}

let clerk: TestClient;

/** Moves the injected clock; sessions expire meanwhile, so the clerk signs in again. */
async function advance(ms: number) {
  h.t.clock.advance(ms);
  clerk = await h.t.login('clerk');
}

const steps = h.process<InstanceView & { startedAt: string }>({ as: () => clerk });
const deploy = async (xml: string) => (await steps.deploy(xml)).definitions;
const start = (definitionKey: string) => steps.start(definitionKey);
const instance = (id: string) => steps.instance(id);

async function jobs(where: string, params: unknown[]): Promise<JobView[]> {
  const rows = await h
    .em()
    .execute<{ id: string; kind: string; activity_id: string; status: string; due_at: unknown }[]>(
      `SELECT id, kind, activity_id, status, due_at FROM jobs WHERE ${where} ORDER BY due_at`,
      params,
    );
  return rows.map((r) => ({ id: r.id, kind: r.kind, activityId: r.activity_id, status: r.status, dueAt: toDate(r.due_at) }));
}
const jobsOf = (instanceId: string) => jobs('instance_id = ?', [instanceId]);

async function count(sql: string, params: unknown[], em = h.em()): Promise<number> {
  const [{ n }] = await em.execute<{ n: number | string }[]>(sql, params);
  return Number(n);
}

const runDue = () => h.t.platform.services.jobs.runDue();

beforeAll(async () => {
  clerk = await h.t.login('clerk');
  await deploy(WAIT);
  await deploy(fixture('timer-boundary.bpmn'));
  await deploy(fixture('timer-escalation.bpmn'));
});

describe('intermediate timer events', () => {
  it('fires a P60D timer once the clock has passed its due time, and not before', async () => {
    // Given an instance waiting at a 60-day timer
    const inst = await start('timer-wait');
    const started = new Date(inst.startedAt).getTime();
    const [job] = await jobsOf(inst.id);
    expect(job).toMatchObject({ kind: 'timer', activityId: 'wait', status: 'pending' });
    expect(job.dueAt.getTime()).toBe(started + 60 * DAY);
    expect((await instance(inst.id)).openTasks).toEqual([]);
    // When 59 days pass, Then nothing fires
    await advance(59 * DAY);
    await runDue();
    expect((await jobsOf(inst.id)).map((j) => j.status)).toEqual(['pending']);
    expect((await instance(inst.id)).openTasks).toEqual([]);
    // When the clock jumps past 60 days, Then the timer fires once and the next task opens
    await advance(2 * DAY);
    await runDue();
    const after = await instance(inst.id);
    expect(after.openTasks.map((t) => t.activityId)).toEqual(['after']);
    expect(after.history.find((h) => h.activityId === 'wait')?.endedAt).toBeTruthy();
    expect((await jobsOf(inst.id)).map((j) => j.status)).toEqual(['done']);
    expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'timer.fired' AND target_id = ?", [inst.id])).toBe(1);
    await runDue();
    expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'timer.fired' AND target_id = ?", [inst.id])).toBe(1);
  });

  it('stores P90D and a timeDate years ahead with their due times, and fires them', async () => {
    // Given a 90-day timer and a timer on a fixed date in 2031 (local time, UTC+7)
    await deploy(variant('timer-p90d', 'P60D', 'P90D'));
    await deploy(variant('timer-date', '<timeDuration>P60D</timeDuration>', '<timeDate>2031-06-01T08:00:00+07:00</timeDate>'));
    const p90 = await start('timer-p90d');
    const dated = await start('timer-date');
    // Then their jobs are due in 90 days and at that instant
    expect((await jobsOf(p90.id))[0].dueAt.getTime()).toBe(new Date(p90.startedAt).getTime() + 90 * DAY);
    expect((await jobsOf(dated.id))[0].dueAt.toISOString()).toBe('2031-06-01T01:00:00.000Z');
    // When 90 days pass, Then only the first fires
    await advance(90 * DAY);
    await runDue();
    expect((await instance(p90.id)).openTasks.map((t) => t.activityId)).toEqual(['after']);
    expect((await instance(dated.id)).openTasks).toEqual([]);
    // When the date comes, Then the second fires
    h.t.clock.set('2031-06-01T01:00:00.000Z');
    await advance(0);
    await runDue();
    expect((await instance(dated.id)).openTasks.map((t) => t.activityId)).toEqual(['after']);
    expect((await jobsOf(dated.id)).map((j) => j.status)).toEqual(['done']);
  });
});

describe('boundary timer events', () => {
  it('interrupting: when due, cancels the task and takes the timeout path', async () => {
    // Given a review with a 2-day interrupting timer
    const inst = await start('timer-boundary');
    const review = (await instance(inst.id)).openTasks[0];
    expect(review.activityId).toBe('review');
    expect(await jobsOf(inst.id)).toMatchObject([{ activityId: 'timeout', status: 'pending' }]);
    // When 2 days pass
    await advance(2 * DAY + MINUTE);
    await runDue();
    // Then the review is cancelled and the late path's task is open
    const after = await instance(inst.id);
    expect(after.openTasks.map((t) => t.activityId)).toEqual(['late']);
    const [task] = await h.em().execute<{ status: string }[]>('SELECT status FROM tasks WHERE id = ?', [review.id]);
    expect(task.status).toBe('cancelled');
    expect(after.history.find((h) => h.activityId === 'review')?.endedAt).toBeTruthy();
    expect((await clerk.post(`/api/tasks/${review.id}/complete`, {})).status).toBe(409);
    expect((await jobsOf(inst.id)).map((j) => j.status)).toEqual(['done']);
  });

  it('interrupting: completing the task first deletes its timer job', async () => {
    // Given a review with a 2-day timer, When the review is completed in time
    const inst = await start('timer-boundary');
    const review = (await instance(inst.id)).openTasks[0];
    expect(await jobsOf(inst.id)).toHaveLength(1);
    expect((await clerk.post(`/api/tasks/${review.id}/complete`, {})).status).toBe(204);
    // Then the job is gone and nothing fires later
    expect(await jobsOf(inst.id)).toEqual([]);
    await advance(3 * DAY);
    await runDue();
    const after = await instance(inst.id);
    expect(after.status).toBe('completed');
    expect(after.history.map((h) => h.activityId)).not.toContain('late');
  });

  it('non-interrupting cycle R2/PT4H: an escalation task twice while the main task stays open', async () => {
    // Given a task with a reminder every 4 hours, twice
    const inst = await start('timer-escalation');
    const [first] = await jobsOf(inst.id);
    expect(first).toMatchObject({ activityId: 'remind', status: 'pending' });
    const started = new Date(inst.startedAt).getTime();
    expect(first.dueAt.getTime()).toBe(started + 4 * HOUR);
    // When 4 hours pass, Then an escalation task opens, the main task stays, the next reminder is due 4 hours later
    await advance(4 * HOUR);
    await runDue();
    let open = (await instance(inst.id)).openTasks;
    expect(open.map((t) => t.activityId).sort()).toEqual(['escalate', 'handle']);
    const pending = (await jobsOf(inst.id)).filter((j) => j.status === 'pending');
    expect(pending).toHaveLength(1);
    expect(pending[0].dueAt.getTime()).toBe(started + 8 * HOUR);
    expect((await clerk.post(`/api/tasks/${open.find((t) => t.activityId === 'escalate')!.id}/complete`, {})).status).toBe(204);
    // When 4 more hours pass, Then a second escalation task opens and no reminder is left
    await advance(4 * HOUR);
    await runDue();
    open = (await instance(inst.id)).openTasks;
    expect(open.map((t) => t.activityId).sort()).toEqual(['escalate', 'handle']);
    expect(await count("SELECT COUNT(*) AS n FROM tasks WHERE instance_id = ? AND activity_id = 'escalate'", [inst.id])).toBe(2);
    expect((await jobsOf(inst.id)).map((j) => j.status)).toEqual(['done', 'done']);
    await advance(8 * HOUR);
    await runDue();
    expect(await count("SELECT COUNT(*) AS n FROM tasks WHERE instance_id = ? AND activity_id = 'escalate'", [inst.id])).toBe(2);
    // And the instance finishes normally
    for (const t of open) expect((await clerk.post(`/api/tasks/${t.id}/complete`, {})).status).toBe(204);
    expect((await instance(inst.id)).status).toBe('completed');
  });

  it('cancelling an instance deletes its pending timer jobs', async () => {
    const inst = await start('timer-boundary');
    expect(await jobsOf(inst.id)).toHaveLength(1);
    const admin = await h.t.login('admin');
    expect((await admin.post(`/api/instances/${inst.id}/cancel`, { reason: 'rút hồ sơ' })).status).toBe(200);
    expect(await jobsOf(inst.id)).toEqual([]);
  });
});

describe('timer start events', () => {
  it('R3/P1D starts an instance on each of three days, then stops', async () => {
    // Given a definition with a timer start event, deployed now
    const [def] = await deploy(fixture('timer-start.bpmn'));
    const deployedAt = h.t.clock.now().getTime();
    expect(await jobs('definition_id = ?', [def.id])).toMatchObject([{ kind: 'timer-start', activityId: 'daily', status: 'pending' }]);
    expect((await jobs('definition_id = ?', [def.id]))[0].dueAt.getTime()).toBe(deployedAt + DAY);
    const started = () => count("SELECT COUNT(*) AS n FROM process_instances WHERE definition_key = 'timer-start'", []);
    expect(await started()).toBe(0);
    // When three days pass one by one, Then one instance starts each day, waiting at its task
    for (const day of [1, 2, 3]) {
      await advance(DAY);
      await runDue();
      expect(await started(), `day ${day}`).toBe(day);
    }
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM tasks WHERE definition_key = 'timer-start' AND activity_id = 'report' AND status = 'open'",
        [],
      ),
    ).toBe(3);
    // And no fourth
    await advance(DAY);
    await runDue();
    expect(await started()).toBe(3);
    expect((await jobs('definition_id = ?', [def.id])).map((j) => j.status)).toEqual(['done', 'done', 'done']);
  });

  it('a new version replaces the old version’s start timer', async () => {
    const xml = fixture('timer-start.bpmn').replaceAll('timer-start', 'timer-start-b');
    const [v1] = await deploy(xml);
    const [v2] = await deploy(xml.replace('Lập báo cáo', 'Lập báo cáo ngày'));
    expect(v2.version).toBe(2);
    expect(await jobs('definition_id = ?', [v1.id])).toEqual([]);
    expect(await jobs('definition_id = ?', [v2.id])).toMatchObject([{ status: 'pending' }]);
    await advance(DAY);
    await runDue();
    const rows = await h
      .em()
      .execute<{ definition_version: number }[]>(
        "SELECT definition_version FROM process_instances WHERE definition_key = 'timer-start-b'",
        [],
      );
    expect(rows.map((r) => Number(r.definition_version))).toEqual([2]);
  });
});

describe('timer jobs of one command', () => {
  /** A process that waits at `n` timers in parallel (P1D, P2D, …). */
  const timers = (n: number) => {
    const ids = Array.from({ length: n }, (_, i) => i + 1);
    return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="timers-${n}-defs" targetNamespace="https://motcua.dev/test">
  <process id="timers-${n}" isExecutable="true">
    <startEvent id="received" />
    <sequenceFlow id="f0" sourceRef="received" targetRef="split" />
    <parallelGateway id="split" />
${ids
  .map(
    (i) => `    <sequenceFlow id="in${i}" sourceRef="split" targetRef="wait${i}" />
    <intermediateCatchEvent id="wait${i}"><timerEventDefinition><timeDuration>P${i}D</timeDuration></timerEventDefinition></intermediateCatchEvent>
    <sequenceFlow id="out${i}" sourceRef="wait${i}" targetRef="end${i}" />
    <endEvent id="end${i}" />`,
  )
  .join('\n')}
  </process>
</definitions>`;
  };

  it('are written in one statement: three parallel timers cost no more statements than two', async () => {
    // Given processes that wait at two and at three timers in parallel
    await deploy(timers(2));
    await deploy(timers(3));
    const svc = h.t.platform.services;
    const path = (svc.db.fastPath ?? svc.db.pgFastPath)!;
    const acting = { actor: { id: null, name: 'test:timers' }, requestId: null };
    const statementsToStart = async (definitionKey: string) => {
      const before = path.counts.fast + path.counts.orm;
      const id = await svc.db.em().transactional((em) => svc.engine.start(em, acting, { definitionKey }));
      return { id, statements: path.counts.fast + path.counts.orm - before };
    };
    // The counters are the connection's: the platform's background pollers (jobs, calendar) may add
    // to a start's count on a busy machine, never take from it, so each start is measured three
    // times and the fewest kept.
    const fewest = async (definitionKey: string) => {
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(await statementsToStart(definitionKey));
      return { id: runs[0].id, statements: Math.min(...runs.map((r) => r.statements)) };
    };
    await statementsToStart('timers-2'); // definitions parsed and cached: both starts below read the same
    await statementsToStart('timers-3');
    // When each is started
    const two = await fewest('timers-2');
    const three = await fewest('timers-3');
    // Then every timer has its job, and the jobs of three took as many statements as those of two
    expect((await jobsOf(two.id)).map((j) => j.activityId)).toEqual(['wait1', 'wait2']);
    expect((await jobsOf(three.id)).map((j) => j.activityId)).toEqual(['wait1', 'wait2', 'wait3']);
    expect(three.statements).toBe(two.statements);
  });
});
