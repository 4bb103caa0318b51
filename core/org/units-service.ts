import { raw, type EntityManager } from '@mikro-orm/knex';
import type { Ports } from '../modules/ports.ts';
import { AppError } from '../errors.ts';
import type { Acting } from './actor.ts';
import type { Authz } from './authz.ts';
import { Unit, UnitNameHistory, type UnitLevel } from './entities.ts';

export interface UnitInput {
  code: string;
  name: string;
  level: UnitLevel;
  parentId?: string | null;
  validFrom?: string | null;
}

export interface UnitPatch {
  version: number;
  code?: string;
  name?: string;
  level?: UnitLevel;
  parentId?: string | null;
  validFrom?: string | null;
  validTo?: string | null;
  successorId?: string | null;
}

export const unitNotFound = (idOrCode: string) => new AppError('unit.not_found', `No unit "${idOrCode}"`);

export async function findUnit(em: EntityManager, idOrCode: string): Promise<Unit> {
  const unit = (await em.findOne(Unit, { id: idOrCode })) ?? (await em.findOne(Unit, { code: idOrCode }));
  if (!unit) throw unitNotFound(idOrCode);
  return unit;
}

/** A unit the caller may see (`unit.read` reaches it); one they may not answers as a missing one (ADR 0004). */
export async function findVisibleUnit(em: EntityManager, authz: Authz, idOrCode: string): Promise<Unit> {
  const unit = await findUnit(em, idOrCode);
  await authz.assertVisible('unit.read', unit.id, () => unitNotFound(idOrCode));
  return unit;
}

export async function createUnit(svc: Pick<Ports, 'audit' | 'clock'>, em: EntityManager, acting: Acting, input: UnitInput): Promise<Unit> {
  if (await em.findOne(Unit, { code: input.code })) throw new AppError('unit.exists', `Unit code "${input.code}" is taken`);
  const parent = input.parentId ? await findUnit(em, input.parentId) : null;
  const now = svc.clock.now();
  const id = crypto.randomUUID();
  const unit = em.create(Unit, {
    id,
    code: input.code,
    name: input.name,
    level: input.level,
    parentId: parent?.id ?? null,
    path: `${parent?.path ?? '/'}${id}/`,
    validFrom: input.validFrom ?? null,
    validTo: null,
    successorId: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  });
  await em.flush();
  await svc.audit.append(em, {
    ...acting,
    action: 'unit.created',
    targetType: 'unit',
    targetId: id,
    unitId: id,
    summary: { code: input.code, name: input.name, level: input.level, parent: parent?.code ?? null },
  });
  return unit;
}

/**
 * Edits a unit under optimistic locking (`version` must be the one the editor read).
 * A rename keeps the old name in the history; a move re-roots the whole subtree.
 */
export async function updateUnit(
  svc: Pick<Ports, 'audit' | 'clock'>,
  em: EntityManager,
  acting: Acting,
  id: string,
  patch: UnitPatch,
): Promise<Unit> {
  const unit = await findUnit(em, id);
  if (patch.version !== unit.version) {
    throw new AppError('conflict.stale', `Unit ${unit.code} is at version ${unit.version}, you edited version ${patch.version}`, {
      currentVersion: unit.version,
    });
  }
  const now = svc.clock.now();
  const changes: Record<string, [unknown, unknown]> = {};
  const set = <K extends keyof Unit>(key: K, value: Unit[K] | undefined) => {
    if (value === undefined || value === unit[key]) return;
    changes[key as string] = [unit[key], value];
    unit[key] = value;
  };
  if ((patch.name !== undefined && patch.name !== unit.name) || (patch.code !== undefined && patch.code !== unit.code)) {
    if (patch.code && patch.code !== unit.code && (await em.findOne(Unit, { code: patch.code }))) {
      throw new AppError('unit.exists', `Unit code "${patch.code}" is taken`);
    }
    em.create(UnitNameHistory, { unitId: unit.id, name: unit.name, code: unit.code, validTo: now });
  }
  set('name', patch.name);
  set('code', patch.code);
  set('level', patch.level);
  set('validFrom', patch.validFrom);
  set('validTo', patch.validTo);
  if (patch.successorId !== undefined && patch.successorId !== unit.successorId) {
    if (patch.successorId) {
      const successor = await findUnit(em, patch.successorId);
      if (successor.id === unit.id) throw new AppError('unit.invalid_parent', 'A unit cannot succeed itself');
      set('successorId', successor.id);
    } else set('successorId', null);
  }
  if (patch.parentId !== undefined && patch.parentId !== unit.parentId) {
    const parent = patch.parentId ? await findUnit(em, patch.parentId) : null;
    if (parent && parent.path.startsWith(unit.path))
      throw new AppError('unit.invalid_parent', 'A unit cannot be moved under itself or its own subunit');
    const oldPath = unit.path;
    const newPath = `${parent?.path ?? '/'}${unit.id}/`;
    changes.parent = [unit.parentId, parent?.id ?? null];
    unit.parentId = parent?.id ?? null;
    unit.path = newPath;
    await em.flush();
    // The subtree moves with it: one statement rewrites every descendant's path prefix.
    await em
      .createQueryBuilder(Unit)
      .update({ path: raw('? || substr(path, ?)', [newPath, oldPath.length + 1]) })
      .where({ path: { $like: `${oldPath}%` }, id: { $ne: unit.id } })
      .execute();
  }
  if (Object.keys(changes).length === 0) return unit;
  unit.updatedAt = now;
  await em.flush();
  await svc.audit.append(em, {
    ...acting,
    action: 'unit.updated',
    targetType: 'unit',
    targetId: unit.id,
    unitId: unit.id,
    summary: changes,
  });
  return unit;
}

export async function unitNameHistory(em: EntityManager, unitId: string) {
  return em.find(UnitNameHistory, { unitId }, { orderBy: { validTo: 'asc' } });
}

// Application services of the units routes: each validates visibility and scope, and owns its
// transaction (the route only parses the request and shapes the answer).

/** The units the caller may read, by path; retired ones only when asked. */
export async function listVisibleUnits(
  svc: Pick<Ports, 'audit' | 'clock' | 'db'>,
  authz: Authz,
  includeRetired: boolean,
  today: string,
): Promise<Unit[]> {
  const scopes = authz.scopes('unit.read');
  const units = await svc.db.em().find(Unit, { $or: scopes.map((s) => ({ path: { $like: `${s}%` } })) }, { orderBy: { path: 'asc' } });
  return units.filter((u) => includeRetired || !u.validTo || u.validTo >= today);
}

/** One visible unit and its former names. */
export async function unitDetail(svc: Pick<Ports, 'audit' | 'clock' | 'db'>, authz: Authz, idOrCode: string) {
  const em = svc.db.em();
  const unit = await findVisibleUnit(em, authz, idOrCode);
  return { unit, history: await unitNameHistory(em, unit.id) };
}

/** Creates a unit under a parent the caller manages (or a root, with a province-wide grant). */
export async function addUnit(svc: Pick<Ports, 'audit' | 'clock' | 'db'>, authz: Authz, acting: Acting, input: UnitInput): Promise<Unit> {
  return svc.db.em().transactional(async (em) => {
    const parent = input.parentId ? await findVisibleUnit(em, authz, input.parentId) : null;
    await authz.assert('unit.manage', parent?.id ?? null);
    return createUnit(svc, em, acting, { ...input, parentId: parent?.id ?? null });
  });
}

/** Edits a unit the caller manages; a move or a merge needs the new parent or successor in scope too. */
export async function editUnit(
  svc: Pick<Ports, 'audit' | 'clock' | 'db'>,
  authz: Authz,
  acting: Acting,
  idOrCode: string,
  patch: UnitPatch,
): Promise<Unit> {
  return svc.db.em().transactional(async (em) => {
    const unit = await findVisibleUnit(em, authz, idOrCode);
    await authz.assert('unit.manage', unit.id);
    if (patch.parentId !== undefined && patch.parentId !== unit.parentId) {
      const parent = patch.parentId ? await findVisibleUnit(em, authz, patch.parentId) : null;
      await authz.assert('unit.manage', parent?.id ?? null);
    }
    // A merge hands the unit over to its successor: that unit must be within your scope too.
    if (patch.successorId && patch.successorId !== unit.successorId) {
      await authz.assert('unit.manage', (await findVisibleUnit(em, authz, patch.successorId)).id);
    }
    return updateUnit(svc, em, acting, unit.id, patch);
  });
}
