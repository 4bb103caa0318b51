import type { EntityManager } from '@mikro-orm/knex';
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
    await em.execute('UPDATE units SET path = ? || substr(path, ?) WHERE path LIKE ? AND id <> ?', [
      newPath,
      oldPath.length + 1,
      `${oldPath}%`,
      unit.id,
    ]);
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
