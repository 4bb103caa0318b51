import type { EntityManager } from '@mikro-orm/knex';
import { ProcessInstance } from './entities.ts';

/**
 * The engine's reads through the entity manager (issue 14, point 6) return snapshots, not managed
 * entities: a command runs in `em.transactional`, and an entity left in the identity map would be
 * flushed at its end over what the command's own statements wrote (store.ts).
 */
export const SNAPSHOT = { disableIdentityMap: true } as const;

/** The unit of an instance, for its audit records: null when it has none (or is gone). */
export async function unitOfInstance(em: EntityManager, id: string): Promise<string | null> {
  const row = await em.findOne(ProcessInstance, { id }, { fields: ['unitId'], ...SNAPSHOT });
  return row?.unitId ?? null;
}
