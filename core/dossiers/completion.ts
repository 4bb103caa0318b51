import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../errors.ts';
import { ProcessInstance } from '../engine/entities.ts';
import type { Ports } from '../modules/ports.ts';
import type { Acting } from '../org/actor.ts';
import { AUDIT } from './branches.ts';
import { dossierByCode } from './by-code.ts';
import { Dossier } from './entities.ts';
import { changeStatus, dossierFacts } from './history.ts';
import { FINISHED, STATUS, statusNames } from './model.ts';
import { transition, type Action } from './transitions.ts';

/**
 * A dossier is resolved when its process ends (docs/dossiers.md, "Branches"): an in-transaction
 * subscriber of `instance.ended`, so the end of the process and the dossier's move commit
 * together. Only a `completed` end counts (a cancelled one is a withdrawal's or a stop's own
 * doing), and only when it was the dossier's last open process: a bundle (the parent and the
 * agencies' parts, all under the dossier's code) resolves when all of them have ended. The end
 * event's `motcua:statusCode` says where the dossier goes: none or 9 resolved; 10 resolved and
 * the result returned by the process's own return step; 3 refused by the process's own reception
 * step. Any other code, or a dossier in a status the table does not allow it from, fails the
 * command with 409 `dossier.illegal_transition`. A dossier already finished (refused, withdrawn,
 * stopped, or returned by the desk) or already there is left as it is.
 */
export function resolveOnProcessEnd(svc: Pick<Ports, 'events' | 'audit'>): void {
  svc.events.subscribe('instance.ended', async (event, { em }) => {
    const { businessKey, outcome, instanceId, statusCode } = event.payload;
    if (!businessKey || outcome !== 'completed') return;
    const dossier = await dossierByCode(em, businessKey);
    if (!dossier) return;
    const stillOpen = await em.count(ProcessInstance, {
      businessKey,
      status: { $in: ['running', 'incident'] },
      id: { $ne: instanceId },
    });
    if (stillOpen > 0) return;
    const target = statusCode ?? STATUS.resolved;
    const resolvedBefore = dossier.status === STATUS.resolved && !!dossier.resolvedAt;
    if (
      (dossier.status === target && (target !== STATUS.resolved || resolvedBefore)) ||
      (FINISHED.has(dossier.status) && dossier.status !== STATUS.resolved)
    ) {
      return;
    }
    const steps = PATHS[target];
    if (!steps) {
      throw new AppError(
        'dossier.illegal_transition',
        `The process of dossier ${dossier.code} ended at an end event with status ${target} (${statusNames[target]}): a process end sets 3, 9 or 10`,
        { status: dossier.status, action: 'resolve', allowed: [] },
      );
    }
    const acting: Acting = { actor: event.actor ?? { id: null, name: 'system' }, requestId: event.requestId };
    const at = new Date(event.occurredAt);
    for (const action of steps) {
      // A return step (`motcua:statusCode="9"`) already moved it to 9: the end records the resolution itself.
      if (action === 'resolve' && dossier.status === STATUS.resolved && dossier.resolvedAt) continue;
      await move(em, svc, dossier, action, acting, at, instanceId);
    }
  });
}

/** The actions a process end takes, by its end event's status code. */
const PATHS: Partial<Record<number, Action[]>> = {
  [STATUS.refused]: ['refuse'],
  [STATUS.resolved]: ['resolve'],
  [STATUS.delivered]: ['resolve', 'return_result'],
};

const REASONS: Partial<Record<Action, string>> = {
  refuse: 'Quy trình kết thúc: từ chối tiếp nhận',
  resolve: 'Quy trình xử lý đã kết thúc: đã giải quyết',
  return_result: 'Quy trình kết thúc ở bước trả kết quả',
};

async function move(
  em: EntityManager,
  svc: Pick<Ports, 'events' | 'audit'>,
  dossier: Dossier,
  action: Action,
  acting: Acting,
  at: Date,
  instanceId: string,
): Promise<void> {
  const from = dossier.status;
  // Already at 9 by the process's return step: the end only records the resolution, no second move.
  const marking = action === 'resolve' && from === STATUS.resolved;
  const to = marking ? from : transition(dossier, action, 'process');
  const reason = REASONS[action] ?? null;
  if (action === 'resolve') {
    dossier.resolvedAt = at;
    dossier.resultStatus = 'pending';
  } else if (action === 'return_result') {
    dossier.resultStatus = 'returned';
    dossier.resultReturnedAt = at;
    dossier.resultReturnedById = acting.actor.id;
    dossier.resultReturnedByName = acting.actor.name;
  } else if (action === 'refuse') {
    dossier.refusedAt = at;
    dossier.refusalReasons = JSON.stringify([reason]);
  }
  if (!marking) await changeStatus(em, svc.events, dossier, { from, to, by: acting.actor, at, reason, requestId: acting.requestId });
  else dossier.updatedAt = at;
  await em.flush();
  await svc.audit.append(em, {
    ...acting,
    action: AUDIT[action],
    targetType: 'dossier',
    targetId: dossier.id,
    unitId: dossier.unitId,
    summary: { code: dossier.code, from, to, instanceId, via: 'process_end' },
  });
  const facts = dossierFacts(dossier);
  if (action === 'resolve')
    await svc.events.publish(em, 'dossier.resolved', { ...facts, resolvedAt: at.toISOString(), instanceId }, acting);
  else if (action === 'return_result')
    await svc.events.publish(em, 'dossier.result_returned', { ...facts, returnedAt: at.toISOString(), method: null }, acting);
  else await svc.events.publish(em, 'dossier.refused', { ...facts, reasons: [reason ?? ''] }, acting);
}
