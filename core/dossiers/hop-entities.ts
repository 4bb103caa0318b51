import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { col, reference } from '../db/columns.ts';

/** A hand-over of a dossier between units (migration core_0021_dossier_hops, hops.ts). */
export const DossierHop = defineEntity({
  name: 'DossierHop',
  tableName: 'dossier_hops',
  indexes: [{ properties: ['dossierId', 'seq'] }, { properties: ['toUnitPath', 'at'] }],
  properties: {
    id: col.id().primary(),
    dossierId: reference('Dossier', 'dossier_id'),
    seq: p.integer(),
    kind: col.string(16),
    instanceId: col.id().nullable(),
    taskId: col.id().nullable(),
    activityId: col.string(255).nullable(),
    stepName: col.string(255).nullable(),
    fromUnitId: col.id(),
    fromUnitName: col.string(1000),
    toUnitId: col.id().nullable(),
    toUnitName: col.string(1000).nullable(),
    toUnitPath: col.string(1000).nullable(),
    toTaskId: col.id().nullable(),
    at: col.timestamp(),
    giverId: col.id().nullable(),
    giverName: col.string(255).nullable(),
    receiverId: col.id().nullable(),
    receiverName: col.string(255).nullable(),
    dueAt: col.timestamp().nullable(),
    timeliness: col.string(8).nullable(),
    lateUnitId: col.id().nullable().index(),
    note: col.string(2000).nullable(),
  },
});
export type DossierHop = InferEntity<typeof DossierHop>;

export const hopEntities = [DossierHop];
