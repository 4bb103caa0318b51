import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** Entities of migration core_0013_dossiers. JSON columns are text, parsed by model.ts. */

export const Dossier = defineEntity({
  name: 'Dossier',
  tableName: 'dossiers',
  properties: {
    id: p.string().primary(),
    code: p.string().unique(),
    status: p.integer(),
    paymentStatus: p.string(),
    resultStatus: p.string(),
    syncStatus: p.string(),
    channel: p.integer(),
    applicantKind: p.string(),
    applicantName: p.string(),
    applicantIdNumber: p.string().nullable(),
    applicantSex: p.string().nullable(),
    applicantBirthDate: p.string().nullable(),
    applicantPhone: p.string().nullable(),
    applicantEmail: p.string().nullable(),
    applicantAddress: p.string().nullable(),
    owner: p.text().nullable(),
    procedureCode: p.string(),
    procedureName: p.string(),
    procedureVersion: p.integer(),
    caseKey: p.string(),
    definitionKey: p.string().nullable(),
    definitionVersion: p.integer().nullable(),
    instanceIds: p.text(),
    feesDue: p.bigint('number'),
    feesPaid: p.bigint('number'),
    feeMode: p.string().nullable(),
    submittedAt: p.datetime().nullable(),
    receivedAt: p.datetime().nullable(),
    appointmentAt: p.datetime().nullable(),
    refusedAt: p.datetime().nullable(),
    refusalReasons: p.text().nullable(),
    supplementMissing: p.text().nullable(),
    note: p.string().nullable(),
    unitId: p.string(),
    unitPath: p.string(),
    agencyCode: p.string(),
    receivedById: p.string().nullable(),
    receivedByName: p.string().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    lockVersion: p.integer().version(),
  },
});
export type Dossier = InferEntity<typeof Dossier>;

export const DossierComponent = defineEntity({
  name: 'DossierComponent',
  tableName: 'dossier_components',
  properties: {
    id: p.string().primary(),
    dossierId: p.string(),
    position: p.integer(),
    documentCode: p.string().nullable(),
    portalCode: p.string().nullable(),
    name: p.string(),
    optional: p.boolean(),
    requiredOriginals: p.integer(),
    requiredCopies: p.integer(),
    received: p.boolean(),
    originals: p.integer(),
    certifiedCopies: p.integer(),
    copies: p.integer(),
    digitised: p.boolean(),
    reusedResult: p.string().nullable(),
  },
});
export type DossierComponent = InferEntity<typeof DossierComponent>;

export const DossierStatusChange = defineEntity({
  name: 'DossierStatusChange',
  tableName: 'dossier_status_history',
  properties: {
    id: p.string().primary(),
    dossierId: p.string(),
    fromStatus: p.integer().nullable(),
    toStatus: p.integer(),
    at: p.datetime(),
    byId: p.string().nullable(),
    byName: p.string(),
    reason: p.string().nullable(),
  },
});
export type DossierStatusChange = InferEntity<typeof DossierStatusChange>;

export const dossierEntities = [Dossier, DossierComponent, DossierStatusChange];
