import type { User } from '../auth/entities.ts';
import type { Unit } from './entities.ts';

export function userView(u: User) {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    email: u.email ?? null,
    sex: (u.sex ?? null) as 'female' | 'male' | 'other' | null,
    unitId: u.unitId ?? null,
    active: u.active,
    locked: !!u.lockedAt,
    failedLogins: u.failedLogins,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
    version: u.version,
  };
}

export function unitView(u: Unit) {
  return {
    id: u.id,
    code: u.code,
    name: u.name,
    level: u.level as 'province' | 'department' | 'commune' | 'desk',
    parentId: u.parentId ?? null,
    path: u.path,
    validFrom: u.validFrom ?? null,
    validTo: u.validTo ?? null,
    successorId: u.successorId ?? null,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
    version: u.version,
  };
}
