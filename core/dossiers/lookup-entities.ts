import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { col, reference } from '../db/columns.ts';

/** Entities of migration core_0018_dossier_lookup: the public lookup's rate limit and the applicants' evaluations. */

export const DossierLookupThrottle = defineEntity({
  name: 'DossierLookupThrottle',
  tableName: 'dossier_lookup_throttle',
  properties: {
    keyHash: col.string(64).primary(),
    attempts: p.integer(),
    expiresAt: col.timestamp().index(),
  },
});
export type DossierLookupThrottle = InferEntity<typeof DossierLookupThrottle>;

export const DossierEvaluation = defineEntity({
  name: 'DossierEvaluation',
  tableName: 'dossier_evaluations',
  properties: {
    id: col.id().primary(),
    dossierId: reference('Dossier', 'dossier_id').unique(),
    totalTime: p.integer(),
    agencyTime: p.integer(),
    contacts: p.integer(),
    agenciesContacted: p.integer(),
    oneStop: p.integer(),
    published: p.integer(),
    attitude: p.integer(),
    feedback: p.integer(),
    online: p.integer(),
    totalPoints: p.integer(),
    satisfaction: p.integer(),
    evaluatedAt: col.timestamp().index(),
  },
});
export type DossierEvaluation = InferEntity<typeof DossierEvaluation>;

export const lookupEntities = [DossierLookupThrottle, DossierEvaluation];
