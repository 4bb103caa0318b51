import type { EntityManager } from '@mikro-orm/knex';
import { User } from '../auth/entities.ts';
import { ProcessInstance, Task } from '../engine/entities.ts';
import type { Ports } from '../modules/ports.ts';
import { Unit } from '../org/entities.ts';
import { dossierByCode } from './by-code.ts';
import { dossierChanged } from './history.ts';
import { DossierHop } from './hop-entities.ts';

/**
 * Hops (docs/dossiers.md § Hops, form 06): every hand-over of a dossier from one unit to the
 * next, written by in-transaction subscribers of the task events, so a hop exists exactly when
 * the step that caused it committed:
 *
 * - the **receipt**: the first task of the dossier opens → desk → that step's unit, at the
 *   receipt, given by the receiving clerk;
 * - a **step** completed: `task.completed` writes the hop from the step's unit, given by whoever
 *   completed it, classed against the step's due time; it stays open (no receiving unit) until
 *   the next step's `task.created` names it (in the same command, or later after a wait);
 * - the **return**: the instance (not a called child) ends with a hop still open → to the desk;
 * - a **send-back** (`task.sent_back`): from the step's unit back to the step before it, given by
 *   whoever sent it back, noted "Trả lại: <reason>", not classed.
 *
 * Whoever completes the receiving step is the hop's receiver. Class: the calendar's rule
 * (`calendar.classify`): late after the due time, early on an earlier day, else on time; a step
 * without a due time is not classed. A late hop names the unit that held the step.
 */

export type HopKind = 'receipt' | 'step' | 'return' | 'send_back';
export type Timeliness = 'early' | 'on_time' | 'late';

/** One hop as `GET /api/dossiers/{code}` lists it (`hops`), oldest first. */
export interface HopView {
  kind: HopKind;
  from: { id: string; name: string };
  /** Null while the next step is not known yet (the process waits on something else). */
  to: { id: string; name: string } | null;
  at: string;
  /** The step handed over; null for the receipt. */
  step: { activityId: string; name: string | null } | null;
  giver: { id: string | null; name: string } | null;
  receiver: { id: string | null; name: string } | null;
  dueAt: string | null;
  timeliness: Timeliness | null;
  lateUnitId: string | null;
  note: string | null;
}

type HopPorts = Pick<Ports, 'events' | 'calendar'>;

export function recordHops(svc: HopPorts): void {
  svc.events.subscribe('task.created', async (event, { em }) => {
    const { businessKey, taskId, instanceId } = event.payload;
    if (!businessKey) return;
    const dossier = await dossierByCode(em, businessKey);
    if (!dossier) return;
    const to = await unitOf(em, event.payload.unitId ?? dossier.unitId);
    const hops = await em.find(DossierHop, { dossierId: dossier.id }, { orderBy: { seq: 'asc' } });
    const open = hops.find((h) => !h.toUnitId);
    if (open) {
      Object.assign(open, arrival(to, taskId), { kind: open.kind === 'send_back' ? 'send_back' : 'step' });
    } else if (!hops.length) {
      em.create(DossierHop, {
        ...blank(dossier.id, 1),
        kind: 'receipt',
        fromUnitId: dossier.unitId,
        fromUnitName: (await unitOf(em, dossier.unitId)).name,
        ...arrival(to, taskId),
        at: dossier.receivedAt ?? new Date(event.occurredAt),
        giverId: dossier.receivedById ?? null,
        giverName: dossier.receivedByName ? await displayName(em, dossier.receivedById ?? null, dossier.receivedByName) : null,
      });
    } else {
      // No hop waits for this step: a parallel branch of the step just completed (same command,
      // same instant), else the dossier moves on from where it last went (a timer, a message).
      const last = hops.at(-1)!;
      const sibling = await sameCommandHop(em, hops, instanceId, taskId);
      const origin = sibling
        ? copyOf(sibling)
        : { fromUnitId: last.toUnitId!, fromUnitName: last.toUnitName ?? '', at: new Date(event.occurredAt) };
      em.create(DossierHop, { ...blank(dossier.id, last.seq + 1), ...origin, kind: 'step', ...arrival(to, taskId) });
    }
    await em.flush();
    await dossierChanged(em, svc.events, dossier, 'hop', null, event.actor ? { actor: event.actor, requestId: event.requestId } : null);
  });

  svc.events.subscribe('task.completed', async (event, { em }) => {
    const { businessKey, taskId, instanceId, activityId, name } = event.payload;
    if (!businessKey) return;
    const dossier = await dossierByCode(em, businessKey);
    if (!dossier) return;
    const task = await em.findOne(Task, { id: taskId }, { disableIdentityMap: true });
    const hops = await em.find(DossierHop, { dossierId: dossier.id }, { orderBy: { seq: 'asc' } });
    const by = event.actor ? { id: event.actor.id, name: await displayName(em, event.actor.id, event.actor.name) } : null;
    for (const h of hops) {
      if (h.toTaskId === taskId && !h.receiverName && by) Object.assign(h, { receiverId: by.id, receiverName: by.name });
    }
    const at = task?.completedAt ? new Date(task.completedAt) : new Date(event.occurredAt);
    const from = await unitOf(em, event.payload.unitId ?? dossier.unitId);
    const dueAt = task?.dueAt ? new Date(task.dueAt) : null;
    const timeliness = dueAt ? svc.calendar.classify(at, dueAt) : null;
    em.create(DossierHop, {
      ...blank(dossier.id, (hops.at(-1)?.seq ?? 0) + 1),
      kind: 'step',
      instanceId,
      taskId,
      activityId,
      stepName: name,
      fromUnitId: from.id,
      fromUnitName: from.name,
      at,
      giverId: by?.id ?? null,
      giverName: by?.name ?? null,
      dueAt,
      timeliness,
      lateUnitId: timeliness === 'late' ? from.id : null,
    });
    await em.flush();
    await dossierChanged(em, svc.events, dossier, 'hop', null, event.actor ? { actor: event.actor, requestId: event.requestId } : null);
  });

  // A step sent back (ADR 0020): a hop from its unit, open until the reopened step's `task.created` names the receiving unit.
  svc.events.subscribe('task.sent_back', async (event, { em }) => {
    const { businessKey, taskId, instanceId, activityId, name, reason } = event.payload;
    if (!businessKey) return;
    const dossier = await dossierByCode(em, businessKey);
    if (!dossier) return;
    const hops = await em.find(DossierHop, { dossierId: dossier.id }, { orderBy: { seq: 'asc' } });
    const by = event.actor ? { id: event.actor.id, name: await displayName(em, event.actor.id, event.actor.name) } : null;
    for (const h of hops) {
      if (h.toTaskId === taskId && !h.receiverName && by) Object.assign(h, { receiverId: by.id, receiverName: by.name });
    }
    const from = await unitOf(em, event.payload.unitId ?? dossier.unitId);
    em.create(DossierHop, {
      ...blank(dossier.id, (hops.at(-1)?.seq ?? 0) + 1),
      kind: 'send_back',
      instanceId,
      taskId,
      activityId,
      stepName: name,
      fromUnitId: from.id,
      fromUnitName: from.name,
      at: new Date(event.occurredAt),
      giverId: by?.id ?? null,
      giverName: by?.name ?? null,
      note: `Trả lại: ${reason}`,
    });
    await em.flush();
    await dossierChanged(em, svc.events, dossier, 'hop', null, event.actor ? { actor: event.actor, requestId: event.requestId } : null);
  });

  svc.events.subscribe('instance.ended', async (event, { em }) => {
    const { businessKey, instanceId, parentId } = event.payload;
    if (!businessKey || parentId) return; // a called child's last step goes on to its parent's next step
    const dossier = await dossierByCode(em, businessKey);
    if (!dossier) return;
    const open = await em.find(DossierHop, {
      dossierId: dossier.id,
      instanceId: { $in: await instanceTree(em, instanceId) },
      toUnitId: null,
    });
    if (!open.length) return;
    const desk = await unitOf(em, dossier.unitId);
    for (const h of open) Object.assign(h, arrival(desk, null), { kind: 'return' });
    await em.flush();
    await dossierChanged(em, svc.events, dossier, 'hop', null, event.actor ? { actor: event.actor, requestId: event.requestId } : null);
  });
}

/** The hops of a dossier, oldest first. */
export async function listHops(em: EntityManager, dossierId: string): Promise<HopView[]> {
  const rows = await em.find(DossierHop, { dossierId }, { orderBy: { seq: 'asc', at: 'asc' }, disableIdentityMap: true });
  return rows.map(hopView);
}

export function hopView(h: DossierHop): HopView {
  const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
  return {
    kind: h.kind as HopKind,
    from: { id: h.fromUnitId, name: h.fromUnitName },
    to: h.toUnitId ? { id: h.toUnitId, name: h.toUnitName ?? '' } : null,
    at: iso(h.at)!,
    step: h.activityId ? { activityId: h.activityId, name: h.stepName ?? null } : null,
    giver: h.giverName ? { id: h.giverId ?? null, name: h.giverName } : null,
    receiver: h.receiverName ? { id: h.receiverId ?? null, name: h.receiverName } : null,
    dueAt: iso(h.dueAt),
    timeliness: (h.timeliness as Timeliness | null) ?? null,
    lateUnitId: h.lateUnitId ?? null,
    note: h.note ?? null,
  };
}

const blank = (dossierId: string, seq: number) => ({
  id: crypto.randomUUID(),
  dossierId,
  seq,
  instanceId: null,
  taskId: null,
  activityId: null,
  stepName: null,
  toUnitId: null,
  toUnitName: null,
  toUnitPath: null,
  toTaskId: null,
  giverId: null,
  giverName: null,
  receiverId: null,
  receiverName: null,
  dueAt: null,
  timeliness: null,
  lateUnitId: null,
  note: null,
});

const copyOf = (h: DossierHop) => ({
  instanceId: h.instanceId ?? null,
  taskId: h.taskId ?? null,
  activityId: h.activityId ?? null,
  stepName: h.stepName ?? null,
  fromUnitId: h.fromUnitId,
  fromUnitName: h.fromUnitName,
  at: h.at,
  giverId: h.giverId ?? null,
  giverName: h.giverName ?? null,
  receiverId: null,
  receiverName: null,
  dueAt: h.dueAt ?? null,
  timeliness: h.timeliness ?? null,
  lateUnitId: h.lateUnitId ?? null,
  note: h.note ?? null,
});

const arrival = (unit: Pick<Unit, 'id' | 'name' | 'path'>, taskId: string | null) => ({
  toUnitId: unit.id,
  toUnitName: unit.name,
  toUnitPath: unit.path,
  toTaskId: taskId,
});

/** A step hop of the same command: a task of this instance completed at the instant the new task opened. */
async function sameCommandHop(em: EntityManager, hops: DossierHop[], instanceId: string, taskId: string): Promise<DossierHop | null> {
  const opened = await em.findOne(Task, { id: taskId }, { disableIdentityMap: true, fields: ['createdAt'] });
  if (!opened) return null;
  const done = await em.find(
    Task,
    { instanceId, status: 'completed', completedAt: opened.createdAt },
    { disableIdentityMap: true, fields: ['id'] },
  );
  const ids = new Set(done.map((t) => t.id));
  return hops.findLast((h) => h.taskId && ids.has(h.taskId)) ?? null;
}

/** The instance and the children it called, at any depth (a called child's last step ends with its parent). */
async function instanceTree(em: EntityManager, rootId: string): Promise<string[]> {
  const ids = [rootId];
  for (let level = [rootId]; level.length && ids.length < 1000;) {
    const children = await em.find(ProcessInstance, { parentId: { $in: level } }, { fields: ['id'], disableIdentityMap: true });
    level = children.map((c) => c.id).filter((id) => !ids.includes(id));
    ids.push(...level);
  }
  return ids;
}

async function unitOf(em: EntityManager, id: string): Promise<Pick<Unit, 'id' | 'name' | 'path'>> {
  const unit = await em.findOne(Unit, { id });
  return unit ? { id: unit.id, name: unit.name, path: unit.path } : { id, name: id, path: '' };
}

/** Form 06 prints people by their display name, not their login. */
async function displayName(em: EntityManager, id: string | null, fallback: string): Promise<string> {
  const user = id ? await em.findOne(User, { id }) : null;
  return user?.displayName ?? fallback;
}
