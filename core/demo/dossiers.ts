import type { EntityManager } from '@mikro-orm/knex';
import { User } from '../auth/entities.ts';
import { loadGrants, unitPathLookup } from '../auth/middleware.ts';
import { isDemoMode } from '../config.ts';
import type { Caller } from '../engine/caller.ts';
import { Task } from '../engine/entities.ts';
import { completeTask } from '../engine/task-service.ts';
import { shippedYears } from '../calendar/working-calendar.ts';
import { proposeYear } from '../calendar/propose.ts';
import { rulesFrom } from '../calendar/rules.ts';
import { dayOf, instantOf, isWorkingDay, parseClock, type WorkingRules } from '../calendar/working-time.ts';
import { Dossier } from '../dossiers/entities.ts';
import { INDICATOR_KEYS } from '../dossiers/evaluation-model.ts';
import { channelNames, decision, newDossier, paymentRecord, paymentRequest, resultReturn, stop, withdrawal } from '../dossiers/model.ts';
import type { DossierView } from '../dossiers/service.ts';
import type { Ports } from '../modules/ports.ts';
import { Authz } from '../org/authz.ts';
import { Unit } from '../org/entities.ts';
import { demoAccounts } from '../seed.ts';
import { People } from './people.ts';
import { DEMO_WEEK_DAYS, plan, type Action, type Script } from './plan.ts';

/**
 * Demo dossiers (issue 15 point 12): on a new demo database, the desk's last working week is
 * played through the real services (receipt, task completion, branches, the public evaluation),
 * each command at its moment of the week on a pinned clock, so codes, appointments, hops, due
 * times and the overdue ones look like a living desk. Nothing is written that the services would
 * not write. `serve --demo` runs it once, into a new embedded database only (demoDossiersOnStart).
 */

export type DemoPorts = Pick<
  Ports,
  'db' | 'clock' | 'permissions' | 'engine' | 'audit' | 'calendar' | 'catalogue' | 'dossiers' | 'dossierBranches' | 'dossierLookup'
>;

/** Moves the clock the services read (a pinned PinnableClock, or a test's ManualClock). */
export type Travel = (to: Date) => void;

/**
 * The days the demo week is played on: the `DEMO_WEEK_DAYS` working days before today (local),
 * by the shipped calendar (on a new database no other is stored). `start`: 06:30 on the first,
 * when the demo province is founded.
 */
export function demoWeek(now: Date, rules: WorkingRules = rulesFrom((y) => shippedYears.get(y) ?? proposeYear(y))) {
  const days: number[] = [];
  for (let d = dayOf(now) - 1; days.length < DEMO_WEEK_DAYS; d--) if (isWorkingDay(rules, d)) days.unshift(d);
  return { days, start: new Date(instantOf(days[0], 6 * 60 + 30)) };
}

interface Running {
  script: Script;
  index: number;
  at: Date;
  /** Position in `then` (-1: the receipt). */
  step: number;
  /** Tasks still to complete in the current work step (Infinity: all). */
  left: number;
  code?: string;
  applicant?: DossierView['applicant'];
  done: boolean;
}

export interface DemoSummary {
  dossiers: number;
  byStatus: Record<number, number>;
  overdue: number;
  ms: number;
}

/**
 * Plays the week: `travel` sets the clock before every command, in time order across dossiers,
 * never later than `until` (the real now). The caller releases the clock afterwards.
 */
export async function seedDemoDossiers(svc: DemoPorts, travel: Travel, days: number[], until: Date): Promise<DemoSummary> {
  const started = Date.now();
  const callers = await demoCallers(svc);
  const people = new People();
  const runs: Running[] = plan.map((script, index) => {
    const [day, time] = script.at;
    return { script, index, at: new Date(instantOf(days[day], parseClock(time)!)), step: -1, left: 0, done: false };
  });
  const latest = new Date(until.getTime() - 60_000);
  const next = (r: Running, hours: number) => {
    const at = svc.calendar.addWorkingHours(r.at, hours, { unitId: null });
    r.at = at > latest ? (r.at > latest ? r.at : latest) : at;
  };
  for (;;) {
    const r = runs.filter((x) => !x.done).sort((a, b) => +a.at - +b.at || a.index - b.index)[0];
    if (!r) break;
    travel(r.at);
    if (r.step === -1) {
      await receipt(svc, callers, people, r);
      r.step = 0;
    } else {
      const [, action] = r.script.then![r.step];
      const again = await act(svc, callers, r, action);
      if (!again) {
        r.step++;
        r.left = 0;
      }
    }
    const then = r.script.then ?? [];
    if (r.step >= then.length) r.done = true;
    else next(r, r.left > 0 ? 1 : then[r.step][0]);
  }
  const rows = await svc.db.em().find(Dossier, {}, { fields: ['status', 'appointmentAt'] });
  const byStatus: Record<number, number> = {};
  for (const d of rows) byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
  const now = until;
  const overdue = rows.filter((d) => [2, 4, 5, 6].includes(d.status) && d.appointmentAt && new Date(d.appointmentAt) < now).length;
  return { dossiers: rows.length, byStatus, overdue, ms: Date.now() - started };
}

type Callers = Map<string, Caller & { unitId: string }>;

/** Each demo account as the services know a signed-in user: its grants, its audit identity. */
async function demoCallers(svc: DemoPorts): Promise<Callers> {
  const em = svc.db.em();
  const out: Callers = new Map();
  for (const a of demoAccounts) {
    const user = await em.findOneOrFail(User, { username: a.username });
    const unit = await em.findOneOrFail(Unit, { code: a.unit });
    const authz = new Authz(await loadGrants(em, user.id), svc.permissions, unitPathLookup(em));
    out.set(a.username, { user, authz, acting: { actor: { id: user.id, name: user.username }, requestId: null }, unitId: unit.id });
  }
  return out;
}

const caller = (callers: Callers, username: string) => callers.get(username)!;

async function receipt(svc: DemoPorts, callers: Callers, people: People, r: Running): Promise<void> {
  const s = r.script;
  const desk = caller(callers, s.desk ?? 'clerk');
  const version = await svc.catalogue.inForce(svc.db.em(), s.procedure);
  const kase = version?.document.cases.find((c) => c.key === s.caseKey);
  if (!kase) throw new Error(`demo plan: ${s.procedure} has no case ${s.caseKey} in force`);
  const outcome = s.outcome ?? 'receive';
  // Every document handed in, except, for a supplement request, the last required one.
  const lastRequired = kase.documents.map((d) => !d.optional).lastIndexOf(true);
  const components = kase.documents.map((d, i) => ({
    document: i,
    received: !(outcome === 'request_supplement' && i === lastRequired),
    originals: d.originals,
    copies: d.copies,
    digitised: outcome !== 'submit',
  }));
  const applicant = s.organisation ? people.organisation() : people.citizen();
  // The fees of the channel, paid at receipt (online with the submission); none for a refusal or a supplement request.
  const channel = s.channel ?? 1;
  const due = (kase.channels.find((c) => c.channel === channelNames[channel])?.fees ?? []).reduce(
    (sum, f) => sum + (typeof f.amount === 'number' ? f.amount : 0),
    0,
  );
  const pays = due > 0 && (outcome === 'receive' || outcome === 'submit');
  const bundle = new Set(version!.document.agencies.competent.map((a) => a.code)).size > 1;
  const view = await svc.dossiers.create(
    desk.acting,
    desk.authz,
    newDossier.parse({
      procedureCode: s.procedure,
      caseKey: s.caseKey,
      channel,
      applicant,
      ...(pays ? { fees: { paid: due, mode: outcome === 'submit' ? 'online' : 'cash' } } : {}),
      outcome,
      components,
      reasons: s.reasons,
      missing: s.missing,
      ...(bundle ? { competentUnitId: 'DEMO.XA.AN-BINH' } : {}),
    }),
  );
  r.code = view.code;
  r.applicant = view.applicant;
}

/** One command of a dossier's script; true when the same action goes on (more tasks to complete). */
async function act(svc: DemoPorts, callers: Callers, r: Running, action: Action): Promise<boolean> {
  const code = r.code!;
  const desk = caller(callers, r.script.desk ?? 'clerk');
  switch (action.do) {
    case 'work': {
      if (r.left === 0) r.left = action.times === 'all' ? Infinity : (action.times ?? 1);
      if (!(await completeOldest(svc, callers, code))) return false;
      r.left--;
      return r.left > 0 && (await openTasks(svc.db.em(), code)).length > 0;
    }
    case 'workUntil': {
      const unit = await svc.db.em().findOneOrFail(Unit, { code: action.unit });
      if ((await openTasks(svc.db.em(), code)).some((t) => t.unitId === unit.id)) return false;
      if (!(await completeOldest(svc, callers, code))) throw new Error(`demo plan: ${code} never reaches ${action.unit}`);
      r.left = 1;
      return true;
    }
    case 'receive':
      await svc.dossiers.receive(
        desk.acting,
        desk.authz,
        code,
        decision.parse({ outcome: 'receive', components: await ticked(svc, code) }),
      );
      return false;
    case 'requestPayment': {
      const by = caller(callers, action.by);
      await svc.dossierBranches.requestPayment(
        by.acting,
        by.authz,
        code,
        paymentRequest.parse({ amount: action.amount, reason: action.reason }),
      );
      return false;
    }
    case 'recordPayment': {
      const due = (await svc.dossiers.getAsOperator(code)).payment!.due;
      await svc.dossierBranches.recordPayment(desk.acting, desk.authz, code, paymentRecord.parse({ amount: due, mode: action.mode }));
      return false;
    }
    case 'withdraw':
      await svc.dossierBranches.withdraw(
        desk.acting,
        desk.authz,
        code,
        withdrawal.parse({ reason: action.reason, requestedBy: r.applicant!.name }),
      );
      return false;
    case 'stop': {
      const by = caller(callers, action.by);
      await svc.dossierBranches.stop(by.acting, by.authz, code, stop.parse({ reasons: action.reasons, legalGround: action.legalGround }));
      return false;
    }
    case 'handOver': {
      const recipient = { name: r.applicant!.name, idNumber: r.applicant!.idNumber, relation: 'bản thân' };
      await svc.dossierBranches.returnResult(desk.acting, desk.authz, code, resultReturn.parse({ recipient, method: action.method }));
      await completeOldest(svc, callers, code);
      return false;
    }
    case 'evaluate': {
      const indicators = Object.fromEntries(INDICATOR_KEYS.map((k) => [k, action.points])) as Record<
        (typeof INDICATOR_KEYS)[number],
        number
      >;
      const secret = r.applicant!.idNumber!.slice(-4);
      await svc.dossierLookup.evaluate(`demo:${code}`, null, { code, secret, indicators, satisfaction: action.satisfaction });
      return false;
    }
  }
}

function openTasks(em: EntityManager, code: string) {
  return em.find(Task, { businessKey: code, status: 'open' }, { orderBy: { createdAt: 'asc', id: 'asc' }, disableIdentityMap: true });
}

/** The checklist of a submitted dossier, every document ticked as handed in at the desk. */
async function ticked(svc: DemoPorts, code: string) {
  return (await svc.dossiers.getAsOperator(code)).components.map((c) => ({
    document: c.document,
    received: true,
    originals: c.required.originals,
    copies: c.required.copies,
    digitised: true,
  }));
}

/**
 * Completes the dossier's oldest open task as the demo account of its unit holding one of its
 * candidate roles (the task service checks the entitlement, as for a request); false when none is open.
 */
async function completeOldest(svc: DemoPorts, callers: Callers, code: string): Promise<boolean> {
  const [task] = await openTasks(svc.db.em(), code);
  if (!task) return false;
  const roles = task.candidateGroups.split(',').map((r) => r.trim());
  const account = demoAccounts.find((a) => roles.includes(a.role) && callers.get(a.username)!.unitId === task.unitId);
  if (!account) throw new Error(`demo plan: no demo account works ${code} ${task.activityId}`);
  await completeTask(svc, callers.get(account.username)!, task.id, {});
  return true;
}

/**
 * The start-up hook of `serve --demo`: on the demo database just seeded (`fresh`) with the demo
 * pack installed, plays the week, then releases the clock. Never on PostgreSQL or in production,
 * never into a database that has dossiers. A failure is reported, not fatal.
 */
export async function demoDossiersOnStart(
  svc: DemoPorts & Pick<Ports, 'config' | 'log'>,
  week: { days: number[] } | null,
  travel: Travel,
  until: Date,
): Promise<string | null> {
  if (!week || !isDemoMode(svc.config)) return null;
  try {
    if ((await svc.db.em().count(Dossier, {})) > 0) return null;
    const s = await seedDemoDossiers(svc, travel, week.days, until);
    const statuses = Object.entries(s.byStatus)
      .map(([status, n]) => `${n}×${status}`)
      .join(', ');
    return `demo dossiers: ${s.dossiers} over the last working week (status ${statuses}; ${s.overdue} overdue) in ${s.ms} ms`;
  } catch (e) {
    svc.log.error({ err: e }, 'demo dossiers not seeded');
    return `demo dossiers NOT seeded: ${(e as Error).message}`;
  }
}
