import type { Ports } from '../modules/ports.ts';
import { dossierByCode } from './by-code.ts';
import { changeStatus } from './history.ts';
import { FINISHED, STATUS, statusNames } from './model.ts';
import { openSupplement } from './supplement.ts';

/**
 * The dossier follows its process: a step that carries `motcua:statusCode` sets the dossier's
 * national status when its task opens (the appraisal step 4, the return step 9…), recorded in
 * the status history with the step's name. A finished dossier (refused, withdrawn, stopped,
 * resolved, delivered) no longer moves by its process's steps: those are the explicit
 * transitions' (docs/dossiers.md). Runs inside the command's transaction (an in-transaction
 * subscriber), on the command's entity manager, so the receipt that started the process and this
 * move are one change of the same row.
 */
export function followProcess(svc: Pick<Ports, 'events'>): void {
  svc.events.subscribe('task.created', async (event, { em }) => {
    const { businessKey, statusCode, name, activityId } = event.payload;
    if (!businessKey || statusCode === null) return;
    const dossier = await dossierByCode(em, businessKey);
    if (!dossier || dossier.status === statusCode || FINISHED.has(dossier.status)) return;
    // Waiting for a supplement asked during processing: only the desk's receipt of it moves the dossier on.
    if (dossier.status === STATUS.supplementRequested && (await openSupplement(em, dossier.id))) return;
    const from = dossier.status;
    const at = new Date(event.occurredAt);
    await changeStatus(em, svc.events, dossier, {
      from,
      to: statusCode,
      by: { id: event.actor?.id ?? null, name: event.actor?.name ?? 'system' },
      at,
      reason: `${name ?? activityId}: ${statusNames[statusCode]}`,
      requestId: event.requestId,
    });
    await em.flush();
  });
}
