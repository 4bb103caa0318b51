import type { EntityManager } from '@mikro-orm/knex';
import { DossierAttachment } from './attachment-entities.ts';
import { DossierComponent } from './entities.ts';

/** One row of the components checklist as the desk ticked it (service.ts `checklist`). */
export type ChecklistRow = Omit<DossierComponent, 'id' | 'dossierId'>;

/**
 * Writes the checklist ticked again at receipt over the one kept so far, row by row on the
 * document's position, so a row keeps its id and the scans attached to it stay attached. A scan
 * whose document is gone from the case (the version in force changed it) stays on the dossier,
 * unattached to any row.
 */
export async function replaceChecklist(em: EntityManager, dossierId: string, rows: ChecklistRow[]): Promise<void> {
  const existing = new Map((await em.find(DossierComponent, { dossierId })).map((c) => [c.position, c]));
  const unlink: string[] = [];
  for (const row of rows) {
    const old = existing.get(row.position);
    existing.delete(row.position);
    if (!old) {
      em.create(DossierComponent, { id: crypto.randomUUID(), dossierId, ...row });
      continue;
    }
    if (old.name !== row.name || old.documentCode !== row.documentCode) unlink.push(old.id);
    em.assign(old, row);
  }
  const gone = [...existing.values()];
  unlink.push(...gone.map((c) => c.id));
  if (unlink.length) await em.nativeUpdate(DossierAttachment, { componentId: { $in: unlink } }, { componentId: null });
  for (const c of gone) em.remove(c);
}
