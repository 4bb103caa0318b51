import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { useTestPlatform } from '../../tests/support/platform.ts';
import { toDate } from '../jobs/jobs.ts';
import type { Acting } from '../org/actor.ts';
import { setOverride } from './service.ts';

/** The engine counts with the working-time calendar: step budgets and working-day timers. */
const ctx = useTestPlatform();
const ACTING: Acting = { actor: { id: null, name: 'test' }, requestId: null };
const at = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);
const show = (d: unknown) => new Date(toDate(d as Date).getTime() + 7 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

const svc = () => ctx.t.platform.services;

async function start(key: string): Promise<string> {
  return svc()
    .db.em()
    .transactional((em) => svc().engine.start(em, ACTING, { definitionKey: key }));
}

async function openTasks(instanceId: string): Promise<{ id: string; activity_id: string; due_at: unknown }[]> {
  return svc()
    .db.em()
    .execute("SELECT id, activity_id, due_at FROM tasks WHERE instance_id = ? AND status = 'open' ORDER BY activity_id", [instanceId]);
}

async function complete(taskId: string): Promise<void> {
  await svc()
    .db.em()
    .transactional(async (em) => svc().engine.completeTask(em, ACTING, await svc().engine.loadTask(em, taskId), {}));
}

beforeAll(async () => {
  const xml = readFileSync(new URL('./fixtures/working-time.bpmn', import.meta.url), 'utf8');
  await svc()
    .db.em()
    .transactional((em) => svc().engine.definitions.deploy(em, ACTING, xml, 'working-time.bpmn'));
});

describe('engine deadlines in working time', () => {
  it('dues a task with a 16 h step budget created Friday 16:00 at Tuesday 16:00', async () => {
    // Given Friday 6 March 2026, 16:00
    ctx.t.clock.set(at('2026-03-06 16:00'));
    // When an instance reaches a step with motcua:budgetHours="16"
    const id = await start('budget-steps');
    // Then its task is due after 1 h on Friday, 8 h on Monday and 7 h on Tuesday
    const [task] = await openTasks(id);
    expect(task.activity_id).toBe('appraise');
    expect(show(task.due_at)).toBe('2026-03-10 16:00');
    // And a camunda:dueDate duration wins over the budget, counted in working days: P2D from Wednesday 29 April skips 30/4, 1/5 and the weekend
    ctx.t.clock.set(at('2026-04-29 10:00'));
    await complete(task.id);
    const [review] = await openTasks(id);
    expect(review.activity_id).toBe('review');
    expect(show(review.due_at)).toBe('2026-05-05 10:00');
  });

  it('counts a motcua:workingTime timer in working days, skipping the holidays; a plain one in calendar days', async () => {
    // Given Wednesday 29 April 2026, 10:00, before 30/4 and 1/5
    ctx.t.clock.set(at('2026-04-29 10:00'));
    const id = await start('working-timer');
    const jobs = await svc()
      .db.em()
      .execute<{ activity_id: string; due_at: unknown }[]>(
        "SELECT activity_id, due_at FROM jobs WHERE instance_id = ? AND kind = 'timer' ORDER BY activity_id",
        [id],
      );
    // Then the working-day timer is due on Monday 4 May, the plain one on Thursday 30 April
    expect(jobs.map((j) => [j.activity_id, show(j.due_at)])).toEqual([
      ['wait-plain', '2026-04-30 10:00'],
      ['wait-working', '2026-05-04 10:00'],
    ]);
    // When the holidays pass, the plain timer has fired and the working one waits for Monday 10:00
    ctx.t.clock.set(at('2026-05-04 09:59'));
    await svc().jobs.runDue();
    expect((await openTasks(id)).map((t) => t.activity_id)).toEqual(['after-plain']);
    ctx.t.clock.set(at('2026-05-04 10:00'));
    await svc().jobs.runDue();
    expect((await openTasks(id)).map((t) => t.activity_id)).toEqual(['after-plain', 'after-working']);
  });

  it('counts a step in the working hours of its unit, inherited from the nearest ancestor with an override', async () => {
    // Given the one-stop centre opens at 07:30 and its desks follow it
    const [{ id: centre }] = await svc().db.em().execute<{ id: string }[]>("SELECT id FROM units WHERE code = 'DEMO.TTPVHCC'");
    await svc()
      .db.em()
      .transactional((em) =>
        setOverride(em, svc(), ACTING, centre, {
          hours: [
            { start: '07:30', end: '11:30' },
            { start: '13:00', end: '17:00' },
          ],
        }),
      );
    await svc().calendar.changed?.();
    // When a one-hour desk step starts at 07:00 on Monday 2 March 2026
    ctx.t.clock.set(at('2026-03-02 07:00'));
    const id = await start('unit-step');
    // Then it counts from the desk's opening: due 08:30, not the province's 08:00
    const [task] = await openTasks(id);
    expect(show(task.due_at)).toBe('2026-03-02 08:30');
  });
});
