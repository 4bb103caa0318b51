import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import { sql } from '../db/sql.ts';
import { Unit } from '../org/entities.ts';

/**
 * The inbox the runtime UI shows (issue 16): views overdue and due today, keyset pages with the
 * next cursor in `X-Next-Cursor`, each task's band, and the tabs' counts. Now is Friday
 * 2026-03-06 10:00 in Vietnam; the province works 07:00–11:30 and 13:30–17:00; An Bình commune
 * closes at 16:00 (its own hours), so a step due there at 16:30 is not due today.
 */
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
const KEY = 'VIEWS-1';
const at = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);
let clerk: TestClient;
let other: TestClient;
let instanceId: string;
let desk: Unit;
let commune: Unit;
const ids: Record<string, string> = {};
let before: { mine: number; candidate: number; overdue: number; dueToday: number };

interface Listed {
  id: string;
  dueAt: string | null;
  remainingWorkingMinutes: number | null;
  band: string | null;
}

async function task(label: string, o: { due: string | null; created: string; unit?: Unit; groups?: string; assignee?: string | null }) {
  const id = crypto.randomUUID();
  ids[label] = id;
  const unit = o.unit ?? desk;
  await sql(h.em()).run(
    `INSERT INTO tasks (id, instance_id, definition_key, activity_id, execution_id, name, assignee, candidate_groups, candidate_users,
       unit_id, unit_path, due_at, status, claimed_by, created_at, business_key) VALUES (?, ?, 'five-steps', 'A', ?, ?, ?, ?, '', ?, ?, ?, 'open', NULL, ?, ?)`,
    [
      id,
      instanceId,
      `views-${label}`,
      label,
      o.assignee === undefined ? 'clerk' : o.assignee,
      o.groups ?? '',
      unit.id,
      unit.path,
      o.due ? at(o.due) : null,
      at(o.created),
      KEY,
    ],
  );
}

const label = (rows: Listed[]) => rows.map((r) => Object.entries(ids).find(([, id]) => id === r.id)?.[0] ?? r.id);

async function list(as: TestClient, query: string): Promise<{ rows: Listed[]; next: string | null }> {
  const res = await as.get(`/api/tasks?businessKey=${KEY}&${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return { rows: (await res.json()) as Listed[], next: res.headers.get('x-next-cursor') };
}

async function counts(as: TestClient) {
  const res = await as.get('/api/tasks/counts');
  expect(res.status).toBe(200);
  return (await res.json()) as typeof before;
}

beforeAll(async () => {
  h.t.clock.set(at('2026-03-06 10:00'));
  const admin = await h.login('admin');
  expect((await admin.post('/api/definitions', h.fixture('five-steps.bpmn'), { 'content-type': 'application/xml' })).status).toBe(201);
  const started = await admin.post('/api/instances', { definitionKey: 'five-steps', businessKey: 'VIEWS-0', unitId: 'DEMO.TTPVHCC.Q1' });
  expect(started.status, await started.clone().text()).toBe(201);
  instanceId = ((await started.json()) as { id: string }).id;
  desk = await h.em().findOneOrFail(Unit, { code: 'DEMO.TTPVHCC.Q1' });
  commune = await h.em().findOneOrFail(Unit, { code: 'DEMO.XA.AN-BINH' });
  const own = await admin.request('PUT', `/api/calendar/units/${commune.id}`, {
    hours: [
      { start: '07:00', end: '11:30' },
      { start: '13:00', end: '16:00' },
    ],
  });
  expect(own.status, await own.clone().text()).toBe(200);
  clerk = await h.login('clerk');
  other = await h.login('quay2.tiepnhan');
  before = await counts(clerk);
  await task('overdue since Thursday', { due: '2026-03-05 16:00', created: '2026-03-04 09:00' });
  await task('overdue since 09:00', { due: '2026-03-06 09:00', created: '2026-03-05 09:00' });
  await task('due 11:00', { due: '2026-03-06 11:00', created: '2026-03-05 11:00' });
  await task('due 17:00, the close', { due: '2026-03-06 17:00', created: '2026-03-05 07:00' });
  await task('due 16:30 in the commune', { due: '2026-03-06 16:30', created: '2026-03-05 07:00', unit: commune });
  await task('due Monday', { due: '2026-03-09 07:00', created: '2026-03-02 07:00' });
  await task('due Wednesday', { due: '2026-03-11 17:00', created: '2026-03-06 07:00' });
  await task('no due', { due: null, created: '2026-03-01 07:00' });
  await task('candidate, due 15:00', { due: '2026-03-06 15:00', created: '2026-03-06 08:00', groups: ',receptionist,', assignee: null });
});

describe('Views of the inbox', () => {
  it('Given steps due at various times, When the clerk asks view=overdue, Then only those whose due time has passed, soonest first', async () => {
    const { rows } = await list(clerk, 'view=overdue');
    expect(label(rows)).toEqual(['overdue since Thursday', 'overdue since 09:00']);
    expect(rows.map((r) => [r.band, r.remainingWorkingMinutes])).toEqual([
      ['overdue', -(60 + 180)], // Thu 16:00–17:00, Fri 07:00–10:00
      ['overdue', -60],
    ]);
  });

  it("Given the commune closes at 16:00, When view=due_today, Then the steps due by the close of the task's unit (included), not yet overdue", async () => {
    const { rows } = await list(clerk, 'view=due_today');
    expect(label(rows)).toEqual(['due 11:00', 'candidate, due 15:00', 'due 17:00, the close']);
    // filter=candidate is every unclaimed task the clerk may work (assigned ones too), as before.
    const { rows: candidates } = await list(clerk, 'view=due_today&filter=candidate');
    expect(label(candidates)).toEqual(['due 11:00', 'candidate, due 15:00', 'due 17:00, the close']);
    const { rows: mine } = await list(clerk, 'view=due_today&filter=mine');
    expect(label(mine)).toEqual(['due 11:00', 'due 17:00, the close']);
  });

  it('Given Saturday, When view=due_today, Then nothing is due today (no working time left on a day off)', async () => {
    h.t.clock.set(at('2026-03-07 09:00'));
    clerk = await h.login('clerk');
    try {
      expect((await list(clerk, 'view=due_today')).rows).toEqual([]);
    } finally {
      // A day later the sessions have expired: sign in again at Friday 10:00.
      h.t.clock.set(at('2026-03-06 10:00'));
      clerk = await h.login('clerk');
      other = await h.login('quay2.tiepnhan');
    }
  });

  it('Given the list, Then every task carries its working time left and band, by the calendar of its unit', async () => {
    const { rows } = await list(clerk, 'limit=100');
    expect(label(rows)).toEqual([
      'overdue since Thursday',
      'overdue since 09:00',
      'due 11:00',
      'candidate, due 15:00',
      'due 16:30 in the commune',
      'due 17:00, the close',
      'due Monday',
      'due Wednesday',
      'no due',
    ]);
    expect(rows.map((r) => [r.band, r.remainingWorkingMinutes])).toEqual([
      ['overdue', -(60 + 180)], // Thu 16:00–17:00, Fri 07:00–10:00
      ['overdue', -60],
      ['due_soon', 60],
      ['due_soon', 90 + 90], // 10:00–11:30, 13:30–15:00
      ['on_time', 90 + 180], // the commune: 10:00–11:30, 13:00–16:00; of 450 + 450 since Thursday 07:00
      ['on_time', 90 + 210], // of 960 since Thursday 07:00: less than half
      ['on_time', 300], // Friday's 300 of 2400 since last Monday
      ['early', 300 + 3 * 480], // 1740 of 1920 since Friday 07:00
      [null, null],
    ]);
  });
});

describe('Pages of the inbox', () => {
  it.each(['sort=due', 'sort=created', 'view=overdue', 'filter=mine&sort=created'])(
    'Given %s, When paged two at a time through X-Next-Cursor, Then the pages are the whole list in order, once each, and the last has no cursor',
    async (query) => {
      const whole = label((await list(clerk, `${query}&limit=100`)).rows);
      const paged: string[] = [];
      let cursor: string | null = null;
      for (let n = 0; n < 20; n++) {
        const page: { rows: Listed[]; next: string | null } = await list(
          clerk,
          `${query}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        paged.push(...label(page.rows));
        cursor = page.next;
        if (!cursor) break;
        expect(page.rows).toHaveLength(2);
      }
      expect(cursor).toBeNull();
      expect(paged).toEqual(whole);
    },
  );

  it('Given sort=created, Then the oldest task comes first', async () => {
    expect(label((await list(clerk, 'sort=created&limit=3')).rows)).toEqual(['no due', 'due Monday', 'overdue since Thursday']);
  });

  it('Given a cursor, When it is edited, used for another list or by another user, Then 400 request.invalid says why', async () => {
    const { next } = await list(clerk, 'limit=2');
    expect(next).toBeTruthy();
    const flipped = (next![0] === 'A' ? 'B' : 'A') + next!.slice(1);
    for (const [who, query] of [
      [clerk, `limit=2&cursor=${encodeURIComponent(flipped)}`],
      [clerk, 'limit=2&cursor=not-a-cursor'],
      [clerk, `limit=2&sort=created&cursor=${encodeURIComponent(next!)}`],
      [clerk, `limit=2&view=overdue&cursor=${encodeURIComponent(next!)}`],
      [other, `limit=2&cursor=${encodeURIComponent(next!)}`],
    ] as const) {
      const res = await who.get(`/api/tasks?businessKey=${KEY}&${query}`);
      expect(res.status, query).toBe(400);
      const problem = (await res.json()) as { code: string; detail: string };
      expect(problem.code).toBe('request.invalid');
      expect(problem.detail).toMatch(/cursor/);
    }
  });
});

describe('Counts of the inbox tabs', () => {
  it("Given the tasks above, When the clerk asks /api/tasks/counts, Then mine, candidate, overdue and due today grew by theirs; another desk's clerk sees none of them", async () => {
    const after = await counts(clerk);
    expect({
      mine: after.mine - before.mine,
      candidate: after.candidate - before.candidate,
      overdue: after.overdue - before.overdue,
      dueToday: after.dueToday - before.dueToday,
    }).toEqual({ mine: 8, candidate: 9, overdue: 2, dueToday: 3 });
    const theirs = await counts(other);
    expect((await list(other, 'limit=100')).rows).toEqual([]);
    expect(theirs).toEqual(await counts(other));
  });
});
