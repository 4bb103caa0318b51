import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { col, reference } from '../db/columns.ts';

export type VersionStatus = 'draft' | 'published' | 'retired';
export type ProcedureStatus = 'draft' | 'published' | 'retired';

/** The procedure catalogue (ADR 0009, migration core_0008_catalogue). */
export const Procedure = defineEntity({
  name: 'Procedure',
  tableName: 'procedures',
  properties: {
    code: col.string(64).primary(),
    /** draft (never published), published, retired */
    status: col.string(16).$type<ProcedureStatus>(),
    latestVersion: p.integer(),
    publishedVersion: p.integer().nullable(),
    lockVersion: p.integer(),
    createdAt: col.timestamp(),
    updatedAt: col.timestamp(),
  },
});
export type Procedure = InferEntity<typeof Procedure>;

export const ProcedureVersion = defineEntity({
  name: 'ProcedureVersion',
  tableName: 'procedure_versions',
  uniques: [{ properties: ['procedureCode', 'version'] }],
  indexes: [{ properties: ['procedureCode', 'status'] }],
  properties: {
    id: col.id().primary(),
    procedureCode: reference('Procedure', 'procedure_code'),
    version: p.integer(),
    status: col.string(16).$type<VersionStatus>(),
    name: col.text(),
    codeFolded: col.string(64),
    nameFolded: col.text(),
    textFolded: col.text(),
    effectiveFrom: col.string(10).nullable(),
    effectiveTo: col.string(10).nullable(),
    supersededBy: p.integer().nullable(),
    sourcePackId: col.string(255).nullable(),
    sourcePackVersion: col.string(64).nullable(),
    createdAt: col.timestamp(),
    createdBy: col.id().nullable(),
    createdByName: col.string(255),
    updatedAt: col.timestamp(),
    updatedByName: col.string(255),
    publishedAt: col.timestamp().nullable(),
    publishedBy: col.id().nullable(),
    publishedByName: col.string(255).nullable(),
    retiredAt: col.timestamp().nullable(),
    retiredBy: col.id().nullable(),
    retiredByName: col.string(255).nullable(),
  },
});
export type ProcedureVersion = InferEntity<typeof ProcedureVersion>;

export const ProcedureDocument = defineEntity({
  name: 'ProcedureDocument',
  tableName: 'procedure_documents',
  properties: {
    versionId: reference('ProcedureVersion', 'version_id').primary(),
    /** JSON text. */
    document: col.text(),
    documentHash: col.string(64),
  },
});
export type ProcedureDocument = InferEntity<typeof ProcedureDocument>;

export const ProcedureBinding = defineEntity({
  name: 'ProcedureBinding',
  tableName: 'procedure_bindings',
  indexes: [{ properties: ['definitionKey', 'definitionVersion'] }],
  properties: {
    procedureCode: col.string(64).primary(),
    version: p.integer().primary().autoincrement(false),
    caseKey: col.string(64).primary(),
    definitionKey: col.string(255),
    definitionVersion: p.integer(),
  },
});
export type ProcedureBinding = InferEntity<typeof ProcedureBinding>;

export const ProcedureFacet = defineEntity({
  name: 'ProcedureFacet',
  tableName: 'procedure_facets',
  indexes: [{ properties: ['facet', 'value'] }],
  properties: {
    versionId: reference('ProcedureVersion', 'version_id').primary(),
    /** sector, level, agency */
    facet: col.string(16).primary(),
    value: col.string(300).primary(),
  },
});
export type ProcedureFacet = InferEntity<typeof ProcedureFacet>;

export const ProcedureWord = defineEntity({
  name: 'ProcedureWord',
  tableName: 'procedure_words',
  indexes: [{ properties: ['word', 'versionId'] }],
  properties: {
    versionId: reference('ProcedureVersion', 'version_id').primary(),
    word: col.string(64).primary(),
  },
});
export type ProcedureWord = InferEntity<typeof ProcedureWord>;

export const Sector = defineEntity({
  name: 'Sector',
  tableName: 'sectors',
  properties: {
    code: col.string(64).primary(),
    name: col.string(300),
    createdAt: col.timestamp(),
    updatedAt: col.timestamp(),
  },
});
export type Sector = InferEntity<typeof Sector>;

export const catalogueEntities = [Procedure, ProcedureVersion, ProcedureDocument, ProcedureBinding, ProcedureFacet, ProcedureWord, Sector];
