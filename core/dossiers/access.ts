import type { EntityManager } from '@mikro-orm/knex';
import type { Authz } from '../org/authz.ts';
import { Task } from '../engine/entities.ts';
import type { Dossier } from './entities.ts';

type Reached = Pick<Dossier, 'code' | 'unitPath' | 'competentUnitPath'>;

/**
 * Who may read a dossier (ADR 0004: whoever may not, gets 404 as for a code that does not
 * exist): those whose `dossier.read` reaches its receiving desk, its competent agency, or a unit
 * one of its tasks went to (the agencies that work on it, a bundle's parts included: their
 * instances share the dossier's code). So the commune specialist who works the appraisal reads
 * the dossier the provincial desk received.
 */
export function mayRead(em: EntityManager, authz: Authz, dossier: Reached): Promise<boolean> {
  return reaches(em, authz, 'dossier.read', dossier);
}

/**
 * Who may take a processing branch of a dossier (request a payment, stop it): those whose
 * `dossier.process` reaches the units that work on it, by the same rule as reading.
 */
export function mayProcess(em: EntityManager, authz: Authz, dossier: Reached): Promise<boolean> {
  return reaches(em, authz, 'dossier.process', dossier);
}

async function reaches(em: EntityManager, authz: Authz, permission: string, dossier: Reached): Promise<boolean> {
  if (authz.canPath(permission, dossier.unitPath)) return true;
  if (dossier.competentUnitPath && authz.canPath(permission, dossier.competentUnitPath)) return true;
  const scopes = authz.scopes(permission);
  if (!scopes.length) return false;
  const tasks = await em.find(
    Task,
    { businessKey: dossier.code, $or: scopes.map((s) => ({ unitPath: { $like: `${s}%` } })) },
    { fields: ['id'], limit: 1, disableIdentityMap: true },
  );
  return tasks.length > 0;
}
