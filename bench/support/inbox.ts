// The clerk's inbox at scale (issue 15, Benchmark): open tasks on the generated open dossiers,
// each with its process-instance row, spread over the desks with the roles of a shipped
// procedure; then GET /api/tasks's own service function (listTaskViews: the workable-tasks query
// and the dossier columns the dossiers module attaches), timed for users holding two roles in one
// desk, first page sorted by due. Used by bench/dossiers.bench.ts.
import type { Platform } from '../../core/boot.ts';
import { sql } from '../../core/db/sql.ts';
import { loadGrants, unitPathLookup } from '../../core/auth/middleware.ts';
import { hashPassword } from '../../core/auth/passwords.ts';
import type { Caller } from '../../core/engine/caller.ts';
import { listTasks, listTaskViews } from '../../core/engine/task-service.ts';
import { workableTasksStatement, type TaskQuery } from '../../core/engine/views.ts';
import { Authz } from '../../core/org/authz.ts';
import { Unit } from '../../core/org/entities.ts';
import { createUser, grantRole } from '../../core/org/users-service.ts';
import type { BenchResult } from '../run.ts';
import { bulkLoad, type BulkReport } from './bulk.ts';
import { pct, prng, row, time } from './sample.ts';

const system = { actor: { id: null, name: 'bench' }, requestId: null };

/** The steps of the shipped birth registration (procedures/base, khai-sinh.bpmn) and who works each. */
const STEPS = [
  { activity: 'Task_TiepNhan', name: 'Tiếp nhận, kiểm tra hồ sơ', role: 'receptionist', weight: 15 },
  { activity: 'Task_XuLy', name: 'Kiểm tra thông tin, ghi Sổ hộ tịch', role: 'specialist', weight: 45 },
  { activity: 'Task_PheDuyet', name: 'Chủ tịch UBND xã ký Giấy khai sinh', role: 'leader', weight: 20 },
  { activity: 'Task_TraKetQua', name: 'Trả kết quả cho người nộp hồ sơ', role: 'receptionist', weight: 20 },
] as const;
const WEIGHTED = STEPS.flatMap((s) => Array<(typeof STEPS)[number]>(s.weight).fill(s));
const ROLE_PAIRS = [
  ['receptionist', 'specialist'],
  ['specialist', 'leader'],
  ['receptionist', 'leader'],
] as const;
/** Open statuses: received, processing, supplement requested, payment requested. */
const OPEN = [2, 4, 5, 6];

const INSTANCE_COLUMNS = [
  'id',
  'definition_id',
  'definition_key',
  'definition_version',
  'business_key',
  'status',
  'unit_id',
  'unit_path',
  'variables',
  'started_at',
  'updated_at',
  'lock_version',
];
const TASK_COLUMNS = [
  'id',
  'instance_id',
  'definition_key',
  'activity_id',
  'execution_id',
  'name',
  'assignee',
  'candidate_groups',
  'candidate_users',
  'unit_id',
  'unit_path',
  'due_at',
  'status',
  'claimed_by',
  'created_at',
  'business_key',
];

export interface InboxUser {
  caller: Caller;
  desk: Unit;
  roles: readonly string[];
  /** Open tasks this user may work on, counted while generating: the page must hold min(limit, this). */
  visible: number;
}

/** Dates come back as Date (PostgreSQL) or epoch milliseconds (SQLite). */
const toDate = (v: unknown): Date | null =>
  v === null || v === undefined ? null : v instanceof Date ? v : new Date(/^\d+$/.test(String(v)) ? Number(v) : String(v));

/** Users with two roles each in one desk (`count` desks), as the sign-in middleware builds their principal. */
async function inboxUsers(p: Platform, desks: Unit[], count: number): Promise<InboxUser[]> {
  const svc = p.services;
  const r = prng(4242);
  const passwordHash = await hashPassword('bench-inbox-password');
  const chosen = new Set<Unit>();
  while (chosen.size < Math.min(count, desks.length)) chosen.add(r.pick(desks));
  const users: InboxUser[] = [];
  let n = 0;
  for (const desk of chosen) {
    const roles = ROLE_PAIRS[n % ROLE_PAIRS.length];
    const username = `bench.inbox${n++}`;
    const user = await svc.db.em().transactional(async (em) => {
      const { user } = await createUser(
        svc,
        em,
        system,
        { username, displayName: `Hộp việc ${n}`, unitId: desk.id, password: 'unused' },
        { skipPolicy: true, passwordHash },
      );
      for (const role of roles) await grantRole(svc, em, system, { userId: user.id, role, unitId: desk.id });
      return user;
    });
    const em = svc.db.em();
    const authz = new Authz(await loadGrants(em, user.id), svc.permissions, unitPathLookup(em));
    users.push({ caller: { user, authz, acting: { actor: { id: user.id, name: username }, requestId: null } }, desk, roles, visible: 0 });
  }
  return users;
}

/**
 * `count` open tasks, one per open dossier (a second one on some when there are fewer open
 * dossiers than tasks: a parallel branch), each dossier with one running instance of the birth
 * registration. Tasks sit in the dossier's desk; a few are claimed or assigned, a few are the
 * inbox users' own. Loaded as the dossiers are (support/bulk.ts): 5,000 tasks per batch, the
 * indexes of tasks and process_instances rebuilt after.
 */
async function generateTasks(
  p: Platform,
  definition: { id: string; key: string; version: number },
  users: InboxUser[],
  count: number,
  now: Date,
): Promise<{ tasks: number; instances: number; openDossiers: number; report: BulkReport }> {
  const r = prng(77);
  const dossiers = await sql(p.services.db.em()).all<{
    code: string;
    unit_id: string;
    unit_path: string;
    received_at: unknown;
    appointment_at: unknown;
  }>(`SELECT code, unit_id, unit_path, received_at, appointment_at FROM dossiers WHERE status IN (${OPEN.join(', ')}) ORDER BY code`);
  if (!dossiers.length) throw new Error('inbox: no open dossier to put tasks on');
  // A random order of the open dossiers (Fisher–Yates), so the tasks' dossiers span every desk and age.
  for (let i = dossiers.length - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [dossiers[i], dossiers[j]] = [dossiers[j], dossiers[i]];
  }
  const byDesk = new Map<string, InboxUser[]>();
  for (const u of users) byDesk.set(u.desk.id, [...(byDesk.get(u.desk.id) ?? []), u]);
  const others = Array.from({ length: 500 }, () => crypto.randomUUID());
  const instanceOf = new Map<string, string>();
  const BATCH = 5000;
  const report = await bulkLoad(p, ['process_instances', 'tasks'], async (load) => {
    for (let start = 0; start < count; start += BATCH) {
      const instances: unknown[][] = [];
      const tasks: unknown[][] = [];
      for (let i = start; i < Math.min(count, start + BATCH); i++) {
        const d = dossiers[i % dossiers.length];
        const received = toDate(d.received_at) ?? new Date(now.getTime() - 86_400_000);
        let instanceId = instanceOf.get(d.code);
        if (!instanceId) {
          instanceId = crypto.randomUUID();
          instanceOf.set(d.code, instanceId);
          instances.push([
            instanceId,
            definition.id,
            definition.key,
            definition.version,
            d.code,
            'running',
            d.unit_id,
            d.unit_path,
            '{}',
            received,
            now,
            1,
          ]);
        }
        const step = r.pick(WEIGHTED);
        // The step opened some time after receipt; due after its budget, capped at the appointment.
        // Distinct per task (minus i ms), so the page's order (due, then created) has no ties.
        const created = new Date(Math.min(now.getTime() - 60_000, received.getTime() + r.next() * 5 * 86_400_000) - i);
        const appointment = toDate(d.appointment_at);
        const budget = created.getTime() + (1 + Math.floor(r.next() * 16)) * 3_600_000;
        const due = r.next() < 0.03 ? null : new Date(appointment ? Math.min(budget, appointment.getTime()) : budget);
        const mine = byDesk.get(d.unit_id);
        const x = r.next();
        let assignee: string | null = null;
        let claimedBy: string | null = null;
        if (mine && x < 0.02) assignee = r.pick(mine).caller.user.username;
        else if (mine && x < 0.06) claimedBy = r.pick(mine).caller.user.id;
        else if (x < 0.09) assignee = `can.bo${Math.floor(r.next() * 500)}`;
        else if (x < 0.2) claimedBy = r.pick(others);
        for (const u of mine ?? []) {
          const byRole = assignee === null && u.roles.includes(step.role) && (claimedBy === null || claimedBy === u.caller.user.id);
          if (byRole || assignee === u.caller.user.username) u.visible++;
        }
        tasks.push([
          crypto.randomUUID(),
          instanceId,
          definition.key,
          step.activity,
          `${step.activity}_${i}`,
          step.name,
          assignee,
          `,${step.role},`,
          '',
          d.unit_id,
          d.unit_path,
          due,
          'open',
          claimedBy,
          created,
          d.code,
        ]);
      }
      await load.insert('process_instances', INSTANCE_COLUMNS, instances);
      await load.insert('tasks', TASK_COLUMNS, tasks);
    }
  });
  return { tasks: count, instances: instanceOf.size, openDossiers: dossiers.length, report };
}

/** The statement workableTasks (core/engine/views.ts) sends for `filter: 'all'`, for EXPLAIN only. */
function inboxStatement(u: InboxUser, p: Platform, limit: number): { sql: string; params: unknown[] } {
  return workableTasksStatement(u.caller.user, u.caller.authz, p.services.permissions, { filter: 'all', limit });
}

async function explain(label: 'SQLite' | 'PostgreSQL', p: Platform, st: { sql: string; params: unknown[] }, what: string): Promise<void> {
  const prefix = label === 'SQLite' ? 'EXPLAIN QUERY PLAN ' : 'EXPLAIN (ANALYZE, BUFFERS) ';
  const plan = await sql(p.services.db.em()).all<Record<string, unknown>>(`${prefix}${st.sql}`, st.params);
  console.log(`  ${label} ${what}:\n${plan.map((x) => `    ${String(x.detail ?? x['QUERY PLAN'])}`).join('\n')}`);
}

export interface InboxOptions {
  tasks: number;
  queries: number;
  explain: boolean;
  /** Inbox users (each two roles in one desk). */
  users: number;
  limit: number;
}

/**
 * Generates the tasks, then times listTaskViews (GET /api/tasks's service function) for the
 * inbox users in turn, each run beside a primary-key lookup of a dossier (the baseline), and
 * the bare workable-tasks query for where the time goes. Checks each user's first page first.
 */
export async function measureInbox(
  label: 'SQLite' | 'PostgreSQL',
  p: Platform,
  definition: { id: string; key: string; version: number },
  o: InboxOptions,
): Promise<BenchResult[]> {
  const svc = p.services;
  const desks = await svc.db.em().find(Unit, { code: { $like: 'B.C%.Q%' } }, { orderBy: { code: 'asc' } });
  const users = await inboxUsers(p, desks, o.users);
  const now = svc.clock.now();
  const t0 = performance.now();
  const made = await generateTasks(p, definition, users, o.tasks, now);
  const loadSeconds = (performance.now() - t0) / 1000;
  const loadRate = made.tasks / loadSeconds;
  console.log(
    `  ${label}: ${made.tasks} tasks (${made.instances} instances) loaded in ${loadSeconds.toFixed(1)} s (${Math.round(loadRate)}/s), ` +
      `${made.report.rebuilt} indexes and constraints ${made.report.indexSeconds.toFixed(1)} s`,
  );
  const query: TaskQuery = { filter: 'all', limit: o.limit };
  const inbox = async (u: InboxUser) => (await listTaskViews(svc, u.caller, query)).tasks;

  // The page is the user's: the right size, sorted by due, in their desk, each with its dossier.
  const late: number[] = [];
  for (const u of users) {
    const page = await inbox(u);
    const expected = Math.min(o.limit, u.visible);
    if (page.length !== expected) throw new Error(`inbox of ${u.caller.user.username}: ${page.length} tasks, expected ${expected}`);
    const dues = page.map((t) => (t.dueAt ? Date.parse(t.dueAt) : Infinity));
    if (dues.some((d, i) => i > 0 && d < dues[i - 1])) throw new Error(`inbox of ${u.caller.user.username}: not sorted by due`);
    if (page.some((t) => t.unitId !== u.desk.id)) throw new Error(`inbox of ${u.caller.user.username}: a task outside ${u.desk.code}`);
    const missing = page.find((t) => (t as { dossier?: { code?: string } | null }).dossier?.code !== t.businessKey);
    if (missing) throw new Error(`inbox of ${u.caller.user.username}: task ${missing.id} without its dossier`);
    for (const t of page) {
      const due = (t as { dossier?: { appointmentAt: string | null } }).dossier?.appointmentAt;
      if (due) late.push((now.getTime() - Date.parse(due)) / 86_400_000);
    }
  }
  if (o.explain)
    await explain(label, p, inboxStatement(users[0], p, o.limit), `inbox (${users[0].roles.join(' + ')} at ${users[0].desk.code})`);

  const ids = await sql(svc.db.em()).all<{ id: string }>('SELECT id FROM dossiers WHERE status IN (2, 4) ORDER BY code LIMIT 2000');
  const r = prng(5);
  const lookup = () => sql(svc.db.em()).get('SELECT * FROM dossiers WHERE id = ?', [r.pick(ids).id]);
  for (let i = 0; i < 20; i++) {
    await inbox(users[i % users.length]);
    await lookup();
  }
  const base: number[] = [];
  const full: number[] = [];
  const bare: number[] = [];
  const details: number[] = [];
  const pages = new Map(await Promise.all(users.map(async (u) => [u, await listTasks(svc, u.caller, query)] as const)));
  for (let i = 0; i < o.queries; i++) {
    const u = users[i % users.length];
    base.push(await time(lookup));
    full.push(await time(() => inbox(u)));
    bare.push(await time(() => listTasks(svc, u.caller, query)));
    details.push(await time(() => svc.engine.taskDetails.load(svc.db.em(), pages.get(u)!)));
  }
  const name = (s: string) =>
    `dossier inbox (${label}, ${made.tasks} open tasks on ${made.openDossiers} open dossiers, ${desks.length} desks): ${s}`;
  const [b50, b95] = [pct(base, 50), pct(base, 95)];
  const sizes = users.map((u) => u.visible);
  return [
    row(
      name(`GET /api/tasks first page (${o.limit}, due first, with dossier columns) p50 (ratio to primary-key lookup p50)`),
      pct(full, 50),
      'ms',
      b50,
    ),
    row(name(`GET /api/tasks first page p95 (ratio to primary-key lookup p95; target ≤ 50 ms)`), pct(full, 95), 'ms', b95),
    row(name(`workable-tasks query alone p50 (ratio to primary-key lookup p50)`), pct(bare, 50), 'ms', b50),
    row(name(`workable-tasks query alone p95 (ratio to primary-key lookup p95)`), pct(bare, 95), 'ms', b95),
    row(name(`dossier columns of the page alone (task details) p50 (ratio to primary-key lookup p50)`), pct(details, 50), 'ms', b50),
    row(name(`dossier columns of the page alone (task details) p95 (ratio to primary-key lookup p95)`), pct(details, 95), 'ms', b95),
    row(name(`tasks each inbox user may work on (${users.length} users, two roles in one desk), median`), pct(sizes, 50), 'tasks'),
    row(
      name(`days the first pages' dossiers are past their appointment, median (the dossier columns count working time to it)`),
      pct(late, 50),
      'days',
    ),
    row(name('bulk load (task and instance rows; indexes rebuilt after, ANALYZE included)'), loadRate, 'tasks/s'),
  ];
}
