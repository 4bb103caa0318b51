import type { EntityManager } from '@mikro-orm/knex';
import { DossierStatusChange, type Dossier } from './entities.ts';

/** Records a status change of a dossier (its history row; flushed with the command's other writes). */
export function recordStatusChange(
  em: EntityManager,
  dossier: Pick<Dossier, 'id'>,
  change: { from: number | null; to: number; by: { id: string | null; name: string }; at: Date; reason: string | null },
): void {
  const { reason } = change;
  em.create(DossierStatusChange, {
    id: crypto.randomUUID(),
    dossierId: dossier.id,
    fromStatus: change.from,
    toStatus: change.to,
    at: change.at,
    byId: change.by.id,
    byName: change.by.name,
    reason: reason && reason.length > 2000 ? `${reason.slice(0, 1999)}…` : reason,
  });
}
