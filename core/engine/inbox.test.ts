import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from '../../tests/support/harness.ts';
import { User } from '../auth/entities.ts';
import { loadGrants, unitPathLookup } from '../auth/middleware.ts';
import { sql } from '../db/sql.ts';
import { Authz, type Grant } from '../org/authz.ts';
import type { Caller } from './caller.ts';
import { workableTasksSql } from './entitlement.ts';
import { startInstance } from './instance-service.ts';
import type { TaskRow } from './rows.ts';
import { listTasks } from './task-service.ts';
import type { TaskQuery } from './views.ts';

/**
 * The inbox asks one indexed branch per way a task can be the user's (views.ts
 * `workableTasksStatement`); its page must be exactly the open tasks the single rule
 * `workableTasksSql` (entitlement.ts) allows, in the same order, on a mixed set of tasks.
 */
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });

/** Synthetic unit paths of their own, so no other task of the database falls in them. */
const ROOT = '/inbox-r/';
const DESK = '/inbox-r/d1/';
const SUB = '/inbox-r/d1/s/';
const SIBLING = '/inbox-r/d10/'; // shares the desk's prefix up to its last `/`
const LOWER = '/inbox-r/d1-/'; // `-` sorts before `/`
const OTHER = '/inbox-x/';

let instanceId: string;
let me: Caller;
let n = 0;
const t0 = Date.UTC(2026, 0, 1);
const ids: Record<string, string> = {};

async function task(label: string, o: Partial<TaskRow> & { due?: number | null; created?: number }) {
  const id = crypto.randomUUID();
  ids[label] = id;
  n++;
  await sql(h.em()).run(
    `INSERT INTO tasks (id, instance_id, definition_key, activity_id, execution_id, name, assignee, candidate_groups, candidate_users,
       unit_id, unit_path, due_at, status, claimed_by, created_at, business_key) VALUES (?, ?, 'five-steps', 'A', ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)`,
    [
      id,
      instanceId,
      `inbox-${n}`,
      label,
      o.assignee ?? null,
      o.candidate_groups ?? '',
      o.candidate_users ?? '',
      o.unit_path === undefined ? DESK : o.unit_path,
      o.due === null ? null : new Date(t0 + (o.due ?? n) * 3_600_000),
      o.status ?? 'open',
      o.claimed_by ?? null,
      new Date(t0 - (o.created ?? n) * 60_000),
      o.business_key ?? 'INBOX-1',
    ],
  );
}

/** The page as the single OR of workableTasksSql selects it (the rule), or `mine` as defined. */
function expected(q: TaskQuery): Promise<TaskRow[]> {
  const w = workableTasksSql(me.user, me.authz, h.services.permissions);
  const where = ["t.status = 'open'"];
  const params: unknown[] = [];
  if (q.filter === 'mine') {
    where.push('(t.claimed_by = ? OR t.assignee = ? OR t.assignee = ?)');
    params.push(me.user.id, me.user.username, me.user.id);
  } else {
    where.push(w.sql, q.filter === 'candidate' ? 't.claimed_by IS NULL' : '(t.claimed_by IS NULL OR t.claimed_by = ?)');
    params.push(...w.params, ...(q.filter === 'all' ? [me.user.id] : []));
  }
  if (q.businessKey) {
    where.push('t.business_key = ?');
    params.push(q.businessKey);
  }
  if (q.dueBefore) {
    where.push('t.due_at < ?');
    params.push(new Date(q.dueBefore));
  }
  return sql(h.em()).all<TaskRow>(
    `SELECT t.* FROM tasks t WHERE ${where.join(' AND ')} ORDER BY t.due_at IS NULL, t.due_at, t.created_at, t.id LIMIT ?`,
    [...params, q.limit],
  );
}

beforeAll(async () => {
  const deployer = await h.login('analyst');
  expect((await deployer.post('/api/definitions', h.fixture('five-steps.bpmn'), { 'content-type': 'application/xml' })).status).toBe(201);
  const analyst = await h.em().findOneOrFail(User, { username: 'analyst' });
  const authz = new Authz(await loadGrants(h.em(), analyst.id), h.services.permissions, unitPathLookup(h.em()));
  const acting = { actor: { id: analyst.id, name: 'analyst' }, requestId: null };
  const started = await startInstance(
    h.services,
    { user: analyst, authz, acting },
    { definitionKey: 'five-steps', businessKey: 'INBOX-0', unitId: 'DEMO.TTPVHCC.Q1' },
  );
  instanceId = started.id;
  const user = await h.em().findOneOrFail(User, { username: 'clerk' });
  const grants: Grant[] = [
    { role: 'receptionist', unitId: 'd1', unitPath: DESK },
    { role: 'specialist', unitId: 'd1', unitPath: DESK },
    { role: 'auditor', unitId: 'r', unitPath: ROOT }, // no task.work: only tasks naming the group
  ];
  me = {
    user,
    authz: new Authz(grants, h.services.permissions, async () => null),
    acting: { actor: { id: user.id, name: 'clerk' }, requestId: null },
  };
  const other = crypto.randomUUID();
  // Hers.
  await task('assigned by username', { assignee: user.username, unit_path: OTHER });
  await task('assigned by id', { assignee: user.id, unit_path: null, due: null });
  await task('candidate user', { candidate_users: `,someone,${user.username},`, unit_path: OTHER });
  await task('group in desk', { candidate_groups: ',receptionist,' });
  await task('second role in desk', { candidate_groups: ',leader,specialist,', due: 1 });
  await task('group in sub-unit', { candidate_groups: ',specialist,', unit_path: SUB, due: 2 });
  await task('nobody named, desk', {});
  await task('nobody named, sub-unit, no due', { unit_path: SUB, due: null, created: 500 });
  await task('root group reaches no unit', { candidate_groups: ',auditor,', unit_path: null });
  await task('root group reaches sub-unit', { candidate_groups: ',auditor,', unit_path: SUB });
  await task('claimed by her', { candidate_groups: ',receptionist,', claimed_by: user.id });
  await task('same due and created as another', { candidate_groups: ',receptionist,', due: 40, created: 40 });
  await task('same due and created as one more', { candidate_groups: ',receptionist,', due: 40, created: 40 });
  await task('other business key', { candidate_groups: ',receptionist,', business_key: 'INBOX-2' });
  // Not hers.
  await task('group outside the grant', { candidate_groups: ',receptionist,', unit_path: OTHER });
  await task('sibling unit with the prefix', { candidate_groups: ',receptionist,', unit_path: SIBLING });
  await task('unit sorting just below', { candidate_groups: ',receptionist,', unit_path: LOWER });
  await task('root unit, role held in the desk only', { candidate_groups: ',receptionist,', unit_path: ROOT });
  await task('group she lacks', { candidate_groups: ',leader,' });
  await task('nobody named, root only via auditor', { unit_path: ROOT });
  await task('candidate users others', { candidate_users: ',someone,' });
  await task('candidate user, assigned to another', { candidate_users: `,${user.username},`, assignee: 'someone' });
  await task('assigned to another', { assignee: 'someone', candidate_groups: ',receptionist,' });
  await task('claimed by another', { candidate_groups: ',receptionist,', claimed_by: other });
  await task('assigned, claimed by another', { assignee: user.username, claimed_by: other });
  await task('completed', { candidate_groups: ',receptionist,', status: 'completed' });
});

const label = (rows: TaskRow[]) => rows.map((r) => Object.entries(ids).find(([, id]) => id === r.id)?.[0] ?? r.id);

describe("the inbox asks one branch per way a task is the user's", () => {
  it('lists what the rule allows and nothing else, in order', async () => {
    const page = await listTasks(h.services, me, { filter: 'all', limit: 100 });
    expect(label(page)).toEqual(label(await expected({ filter: 'all', limit: 100 })));
    // The mixed set is what it says: each kind in or out.
    expect(new Set(label(page))).toEqual(
      new Set([
        'assigned by username',
        'assigned by id',
        'candidate user',
        'group in desk',
        'second role in desk',
        'group in sub-unit',
        'nobody named, desk',
        'nobody named, sub-unit, no due',
        'root group reaches no unit',
        'root group reaches sub-unit',
        'claimed by her',
        'same due and created as another',
        'same due and created as one more',
        'other business key',
        ...label(page).filter((l) => !Object.keys(ids).includes(l)), // tasks of the started instance, if any are hers
      ]),
    );
  });

  it.each([
    ['all', {}],
    ['candidate', {}],
    ['mine', {}],
    ['all', { businessKey: 'INBOX-1' }],
    ['candidate', { dueBefore: new Date(t0 + 10 * 3_600_000).toISOString() }],
  ] as const)("filter %s %j: every page size gives the rule's first tasks in its order", async (filter, extra) => {
    for (const limit of [1, 2, 3, 5, 8, 13, 100]) {
      const q: TaskQuery = { filter, limit, ...extra };
      expect(label(await listTasks(h.services, me, q)), `limit ${limit}`).toEqual(label(await expected(q)));
    }
  });
});
