import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { col } from '../../db/columns.ts';

/** A statutory form template a pack brought (migration core_0028_dossier_form_templates, template-store.ts). */
export const DossierFormTemplate = defineEntity({
  name: 'DossierFormTemplate',
  tableName: 'dossier_form_templates',
  properties: {
    form: col.string(2).primary(),
    legalBasis: col.string(64).primary(),
    effectiveFrom: col.string(10).nullable(),
    text: p.text(),
    sha256: col.string(64),
    origin: col.string(100),
    originVersion: col.string(64),
    updatedAt: col.timestamp(),
  },
});
export type DossierFormTemplate = InferEntity<typeof DossierFormTemplate>;

export const formTemplateEntities = [DossierFormTemplate];
