import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { col, reference } from '../db/columns.ts';

/** Entities of migration core_0013_dossiers. JSON columns are text, parsed by model.ts. */

export const Dossier = defineEntity({
  name: 'Dossier',
  tableName: 'dossiers',
  properties: {
    id: col.id().primary(),
    code: col.string(100).unique(),
    status: p.integer(),
    paymentStatus: col.string(16),
    resultStatus: col.string(16),
    syncStatus: col.string(16),
    channel: p.integer(),
    applicantKind: col.string(16),
    applicantName: col.string(300),
    applicantIdNumber: col.string(32).nullable(),
    applicantSex: col.string(8).nullable(),
    applicantBirthDate: col.string(10).nullable(),
    applicantPhone: col.string(32).nullable(),
    applicantEmail: col.string(254).nullable(),
    applicantAddress: col.string(1000).nullable(),
    owner: p.text().nullable(),
    procedureCode: col.string(32),
    procedureName: col.string(1000),
    procedureVersion: p.integer(),
    caseKey: col.string(64),
    definitionKey: col.string(255).nullable(),
    definitionVersion: p.integer().nullable(),
    instanceIds: p.text(),
    feesDue: p.bigint('number'),
    feesPaid: p.bigint('number'),
    feeMode: col.string(16).nullable(),
    submittedAt: col.timestamp().nullable(),
    receivedAt: col.timestamp().nullable(),
    appointmentAt: col.timestamp().nullable(),
    refusedAt: col.timestamp().nullable(),
    refusalReasons: p.text().nullable(),
    supplementMissing: p.text().nullable(),
    note: col.string(2000).nullable(),
    unitId: col.id(),
    unitPath: col.string(1000),
    agencyCode: col.string(64),
    /** The agency deciding it, chosen at receipt (migration 0016, routing.ts). */
    competentUnitId: col.id().nullable(),
    competentUnitPath: col.string(1000).nullable(),
    receivedById: col.id().nullable(),
    receivedByName: col.string(255).nullable(),
    createdAt: col.timestamp(),
    updatedAt: col.timestamp(),
    lockVersion: p.integer().version().default(1),
    /** Search (migration 0017, search-fields.ts): the sort time, the folded code, names and phone. Always filled at receipt. */
    listedAt: col.timestamp().nullable(),
    codeKey: col.string(100).nullable(),
    namesFolded: p.text().nullable(),
    phoneKey: col.string(32).nullable(),
    /** Branches (migration 0020, transitions.ts): payment, withdrawal, stop, resolution, return of the result. */
    paymentDue: p.bigint('number').nullable(),
    paymentReason: col.string(1000).nullable(),
    paymentRequestedAt: col.timestamp().nullable(),
    paymentPaid: p.bigint('number').nullable(),
    paymentMode: col.string(16).nullable(),
    paymentPaidAt: col.timestamp().nullable(),
    withdrawnAt: col.timestamp().nullable(),
    withdrawalReason: col.string(2000).nullable(),
    withdrawalRequestedBy: col.string(300).nullable(),
    stoppedAt: col.timestamp().nullable(),
    stopReasons: p.text().nullable(),
    stopLegalGround: col.string(1000).nullable(),
    stopSignerTitle: col.string(255).nullable(),
    resolvedAt: col.timestamp().nullable(),
    resultReturnedAt: col.timestamp().nullable(),
    resultMethod: col.string(16).nullable(),
    resultRecipientName: col.string(300).nullable(),
    resultRecipientIdNumber: col.string(32).nullable(),
    resultRecipientRelation: col.string(100).nullable(),
    resultReturnedById: col.id().nullable(),
    resultReturnedByName: col.string(255).nullable(),
    /** The legal basis its forms follow, pinned at receipt (migration 0028, forms/template-store.ts); null: the default. */
    formsLegalBasis: col.string(64).nullable(),
  },
  indexes: [
    { properties: ['unitPath'] },
    { properties: ['status', 'unitPath'] },
    { properties: ['listedAt', 'id'] },
    { properties: ['unitId', 'listedAt'] },
    { properties: ['unitId', 'status', 'listedAt'] },
    { properties: ['status', 'listedAt'] },
    { properties: ['procedureCode', 'listedAt'] },
    { properties: ['codeKey'] },
    { properties: ['applicantIdNumber'] },
    { properties: ['phoneKey'] },
    { properties: ['status', 'appointmentAt', 'listedAt', 'id'] },
  ],
});
export type Dossier = InferEntity<typeof Dossier>;

export const DossierComponent = defineEntity({
  name: 'DossierComponent',
  tableName: 'dossier_components',
  properties: {
    id: col.id().primary(),
    dossierId: reference('Dossier', 'dossier_id'),
    position: p.integer(),
    documentCode: col.string(64).nullable(),
    portalCode: col.string(100).nullable(),
    name: col.string(1000),
    optional: p.boolean(),
    requiredOriginals: p.integer(),
    requiredCopies: p.integer(),
    received: p.boolean(),
    originals: p.integer(),
    certifiedCopies: p.integer(),
    copies: p.integer(),
    digitised: p.boolean(),
    reusedResult: col.string(100).nullable(),
  },
  uniques: [{ properties: ['dossierId', 'position'] }],
});
export type DossierComponent = InferEntity<typeof DossierComponent>;

export const DossierStatusChange = defineEntity({
  name: 'DossierStatusChange',
  tableName: 'dossier_status_history',
  properties: {
    id: col.id().primary(),
    dossierId: reference('Dossier', 'dossier_id'),
    fromStatus: p.integer().nullable(),
    toStatus: p.integer(),
    at: col.timestamp(),
    byId: col.id().nullable(),
    byName: col.string(255),
    reason: col.string(2000).nullable(),
  },
  indexes: [{ properties: ['dossierId', 'at'] }],
});
export type DossierStatusChange = InferEntity<typeof DossierStatusChange>;

export const DossierCounter = defineEntity({
  name: 'DossierCounter',
  tableName: 'dossier_counters',
  properties: {
    agencyCode: col.string(64).primary(),
    day: col.string(10).primary(),
    n: p.integer(),
  },
});
export type DossierCounter = InferEntity<typeof DossierCounter>;

/** The distinct folded words of a dossier's applicant and owner names (migration 0017): word prefixes are index ranges. */
export const DossierWord = defineEntity({
  name: 'DossierWord',
  tableName: 'dossier_words',
  indexes: [{ properties: ['word', 'dossierId'] }],
  properties: {
    dossierId: reference('Dossier', 'dossier_id').primary(),
    word: col.string(64).primary(),
  },
});
export type DossierWord = InferEntity<typeof DossierWord>;

/**
 * Every two words of one of a dossier's names in their order, with the dossier's sort time
 * (migration 0024): a name query of two words or more reads one pair's dossiers newest first.
 */
export const DossierNamePair = defineEntity({
  name: 'DossierNamePair',
  tableName: 'dossier_name_pairs',
  indexes: [{ properties: ['pair', 'listedAt', 'dossierId'] }],
  properties: {
    dossierId: reference('Dossier', 'dossier_id').primary(),
    pair: col.string(129).primary(),
    listedAt: col.timestamp(),
  },
});
export type DossierNamePair = InferEntity<typeof DossierNamePair>;

export const dossierEntities = [Dossier, DossierComponent, DossierStatusChange, DossierCounter, DossierWord, DossierNamePair];
