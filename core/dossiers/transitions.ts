import { AppError } from '../errors.ts';
import { STATUS, statusNames } from './model.ts';

/**
 * The one table of a dossier's branches after receipt (docs/dossiers.md, "Branches"): from which
 * national statuses each action may be taken, and the status it leads to. Every branch, whether
 * a person asks for it through the API or the dossier's process reaches its end, goes through
 * `transition()`; anything else answers 409 `dossier.illegal_transition` with the actions
 * allowed from the current status. Moves a process step makes (`motcua:statusCode` on a task,
 * progress.ts) are the process's own and do not go through this table.
 */

export type Action =
  | 'request_payment'
  | 'record_payment'
  | 'withdraw'
  | 'stop'
  | 'resolve'
  | 'refuse'
  | 'return_result'
  | 'request_supplement'
  | 'receive_supplement'
  | 'extend'
  | 'lapse';

export interface Transition {
  from: readonly number[];
  /**
   * The status it leads to; `previous`: the status the dossier had before its current one (back
   * from a payment request); `same`: the status does not change (an extension moves the appointment only).
   */
  to: number | 'previous' | 'same';
  /** Who takes it: a person through the API, or the dossier's process when it ends. */
  by: readonly ('api' | 'process')[];
}

const open = [STATUS.received, STATUS.processing, STATUS.supplementRequested, STATUS.paymentRequested] as const;

export const TRANSITIONS: Readonly<Record<Action, Transition>> = {
  request_payment: { from: [STATUS.received, STATUS.processing], to: STATUS.paymentRequested, by: ['api'] },
  record_payment: { from: [STATUS.paymentRequested], to: 'previous', by: ['api'] },
  withdraw: { from: open, to: STATUS.withdrawn, by: ['api'] },
  stop: { from: open, to: STATUS.stopped, by: ['api'] },
  resolve: { from: open, to: STATUS.resolved, by: ['process'] },
  /** A process whose own reception step refuses the dossier ends with status 3 (the base pack's `End_TuChoiTiepNhan`). */
  refuse: { from: [STATUS.received], to: STATUS.refused, by: ['process'] },
  return_result: { from: [STATUS.resolved], to: STATUS.delivered, by: ['api', 'process'] },
  /** A unit working the dossier asks the applicant for more papers, once per dossier (form 02). */
  request_supplement: { from: [STATUS.received, STATUS.processing], to: STATUS.supplementRequested, by: ['api'] },
  /** The desk records the supplement: back to processing, the appointment set by the case's clock policy. */
  receive_supplement: { from: [STATUS.supplementRequested], to: STATUS.processing, by: ['api'] },
  /** The late unit's leader apologises and sets a later appointment before the current one passes (form 04). */
  extend: { from: [STATUS.received, STATUS.processing, STATUS.paymentRequested], to: 'same', by: ['api'] },
  /** The applicant did not supplement by the case's deadline: the dossier lapses (stopped), taken by the deadline's job. */
  lapse: { from: [STATUS.supplementRequested], to: STATUS.stopped, by: ['process'] },
};

/** The actions a person may ask for from a status (the `allowed` of a refused transition). */
export function allowedActions(status: number): Action[] {
  return (Object.keys(TRANSITIONS) as Action[]).filter((a) => TRANSITIONS[a].by.includes('api') && TRANSITIONS[a].from.includes(status));
}

/**
 * Checks `action` from the dossier's status and answers the status it leads to (`previous`
 * resolved by the caller's `previous()`), or throws 409 `dossier.illegal_transition`.
 */
export function transition(
  dossier: { code: string; status: number },
  action: Action,
  by: 'api' | 'process',
  previous: () => number | null = () => null,
): number {
  const t = TRANSITIONS[action];
  if (!t.from.includes(dossier.status) || !t.by.includes(by)) {
    const allowed = allowedActions(dossier.status);
    throw new AppError(
      'dossier.illegal_transition',
      `Dossier ${dossier.code} is in status ${dossier.status} (${statusNames[dossier.status]}): ${action} is not allowed${
        by === 'process' ? ' at the end of its process' : ''
      }; allowed: ${allowed.join(', ') || 'none'}`,
      { status: dossier.status, action, allowed },
    );
  }
  if (t.to === 'same') return dossier.status;
  if (t.to !== 'previous') return t.to;
  return previous() ?? STATUS.processing;
}
