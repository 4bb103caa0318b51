import type { EntityManager } from '@mikro-orm/knex';
import { ProcessDefinition, ProcessInstance } from '../engine/entities.ts';
import { Unit } from '../org/entities.ts';

/** One process working on the dossier: the case's own, or an agency's part of an interlinked (bundle) dossier. */
export interface DossierPart {
  instanceId: string;
  definitionKey: string;
  /** The process's name: for a bundle's part, the agency's procedure. */
  name: string | null;
  unit: { id: string; code: string; name: string } | null;
  status: string;
  startedAt: string;
  endedAt: string | null;
  /** True for the process the receipt started (the bundle's parent); false for the parts it sent on. */
  main: boolean;
}

/**
 * Every process instance working on a dossier: they share its code as business key (the case's
 * process started at receipt, and the agencies' parts its messages start), oldest first.
 */
export async function dossierParts(em: EntityManager, code: string, mainIds: readonly string[]): Promise<DossierPart[]> {
  const instances = await em.find(
    ProcessInstance,
    { businessKey: code },
    { orderBy: { startedAt: 'asc', id: 'asc' }, disableIdentityMap: true },
  );
  if (!instances.length) return [];
  const unitIds = [...new Set(instances.map((i) => i.unitId).filter((u): u is string => !!u))];
  const units = unitIds.length ? await em.find(Unit, { id: { $in: unitIds } }, { disableIdentityMap: true }) : [];
  const defs = await em.find(
    ProcessDefinition,
    { id: { $in: [...new Set(instances.map((i) => i.definitionId))] } },
    { fields: ['id', 'name'], disableIdentityMap: true },
  );
  return instances.map((i) => {
    const unit = units.find((u) => u.id === i.unitId);
    return {
      instanceId: i.id,
      definitionKey: i.definitionKey,
      name: defs.find((d) => d.id === i.definitionId)?.name ?? null,
      unit: unit ? { id: unit.id, code: unit.code, name: unit.name } : null,
      status: i.status,
      startedAt: new Date(i.startedAt).toISOString(),
      endedAt: i.endedAt ? new Date(i.endedAt).toISOString() : null,
      main: mainIds.includes(i.id),
    };
  });
}
