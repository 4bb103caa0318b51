import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { col, reference } from '../db/columns.ts';

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
    id: col.id().primary(),
    code: col.string(64).unique(),
    name: col.string(255),
    level: col.string(16).$type<UnitLevel>(),
    parentId: reference('Unit', 'parent_id').nullable(),
    path: col.string(1024).index(),
    validFrom: col.string(10).nullable(),
    validTo: col.string(10).nullable(),
    successorId: reference('Unit', 'successor_id').nullable(),
    createdAt: col.timestamp(),
    updatedAt: col.timestamp(),
    version: p.integer().version().default(1),
  },
});
export type Unit = InferEntity<typeof Unit>;

export const UnitNameHistory = defineEntity({
  name: 'UnitNameHistory',
  tableName: 'unit_name_history',
  properties: {
    id: p.integer().primary().autoincrement(),
    unitId: reference('Unit', 'unit_id').index(),
    name: col.string(255),
    code: col.string(64),
    validTo: col.timestamp(),
  },
});
export type UnitNameHistory = InferEntity<typeof UnitNameHistory>;

export const RoleAssignment = defineEntity({
  name: 'RoleAssignment',
  tableName: 'role_assignments',
  uniques: [{ properties: ['userId', 'role', 'unitId'] }],
  properties: {
    id: col.id().primary(),
    userId: reference('User', 'user_id', 'cascade').index(),
    role: col.string(64),
    unitId: reference('Unit', 'unit_id').index(),
    createdAt: col.timestamp(),
  },
});
export type RoleAssignment = InferEntity<typeof RoleAssignment>;

/** Platform settings by key (created by the foundation migration). */
export const Setting = defineEntity({
  name: 'Setting',
  tableName: 'settings',
  properties: {
    key: col.string(128).primary(),
    value: col.text(),
  },
});
export type Setting = InferEntity<typeof Setting>;
