import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const unitLevels = ['province', 'department', 'commune', 'desk'] as const;
export type UnitLevel = (typeof unitLevels)[number];

/**
 * An organisational unit. Units form a tree; `path` is the materialised chain of ids
 * from the root (`/root/child/self/`) so scope checks are a prefix test.
 * Merged or renamed units keep their history (validity dates, successor, UnitNameHistory).
 */
export const Unit = defineEntity({
  name: 'Unit',
  tableName: 'units',
  properties: {
    id: p.string().primary(),
    code: p.string().unique(),
    name: p.string(),
    level: p.enum([...unitLevels]),
    parentId: p.string().nullable(),
    path: p.string().index(),
    validFrom: p.string().nullable(),
    validTo: p.string().nullable(),
    successorId: p.string().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    version: p.integer().version(),
  },
});
export type Unit = InferEntity<typeof Unit>;

export const UnitNameHistory = defineEntity({
  name: 'UnitNameHistory',
  tableName: 'unit_name_history',
  properties: {
    id: p.integer().primary().autoincrement(),
    unitId: p.string().index(),
    name: p.string(),
    code: p.string(),
    validTo: p.datetime(),
  },
});

export const RoleAssignment = defineEntity({
  name: 'RoleAssignment',
  tableName: 'role_assignments',
  uniques: [{ properties: ['userId', 'role', 'unitId'] }],
  properties: {
    id: p.string().primary(),
    userId: p.string().index(),
    role: p.string(),
    unitId: p.string().index(),
    createdAt: p.datetime(),
  },
});
export type RoleAssignment = InferEntity<typeof RoleAssignment>;
