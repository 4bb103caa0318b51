import type { EntityManager } from '@mikro-orm/knex';
import { Job } from '../jobs/entities.ts';
import { insertJob } from '../jobs/jobs.ts';

/**
 * The applicant's supplement deadline (docs/dossiers.md, "Supplement during processing"): a
 * durable job in `jobs`, due at the deadline the request computed in working time, that lapses
 * the dossier (status 8) if the supplement has not come by then (`DossierBranches.lapse`).
 * Keyed by the supplement (`execution_id` `supplement:<id>`), so the supplement's receipt
 * cancels it; the handler checks again when it fires.
 */
export const LAPSE_JOB = 'dossier.supplement-lapse';

export interface LapsePayload {
  dossierId: string;
  code: string;
  supplementId: string;
}

const keyOf = (supplementId: string) => `supplement:${supplementId}`;

export async function scheduleLapse(em: EntityManager, payload: LapsePayload, dueAt: Date, now: Date): Promise<void> {
  await insertJob(em, { kind: LAPSE_JOB, executionId: keyOf(payload.supplementId), dueAt, payload: { ...payload } }, now);
}

/** The supplement came: its lapse will not fire (marked obsolete, kept for the record). */
export async function cancelLapse(em: EntityManager, supplementId: string): Promise<void> {
  await em.nativeUpdate(Job, { kind: LAPSE_JOB, executionId: keyOf(supplementId), status: 'pending' }, { status: 'obsolete' });
}
