import { z } from '@hono/zod-openapi';
import { defineRoute } from '../http/route.ts';
import { json, jsonBody } from '../http/schemas.ts';
import { procedureDocument } from './schema.ts';
import { matchKinds } from './search.ts';

/** OpenAPI description and validation of the catalogue routes (handlers in routes.ts). */

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const status = z.enum(['draft', 'published', 'retired']);
const Agency = z.object({ code: z.string(), name: z.string() });
const Binding = z.object({ caseKey: z.string(), definitionKey: z.string(), definitionVersion: z.number().int() });

const VersionSummary = z
  .object({
    version: z.number().int(),
    status,
    name: z.string(),
    effectiveFrom: z.string().nullable().describe('First day this version applies (Vietnam date)'),
    effectiveTo: z.string().nullable().describe('First day it no longer applies; null while open-ended'),
    supersededBy: z.number().int().nullable(),
    source: z.object({ packId: z.string(), packVersion: z.string() }).nullable(),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    publishedAt: z.string().nullable(),
    publishedBy: z.string().nullable(),
    retiredAt: z.string().nullable(),
    retiredBy: z.string().nullable(),
  })
  .openapi('ProcedureVersionSummary');
// The document is served as stored (validated on the way in): described, not re-validated.
const Document = z.record(z.string(), z.unknown()).describe('The procedure document (core/catalogue/schema.ts)');
const Version = VersionSummary.extend({ code: z.string(), document: Document, bindings: z.array(Binding) }).openapi('ProcedureVersion');
const Detail = z
  .object({
    code: z.string(),
    status,
    latestVersion: z.number().int(),
    publishedVersion: z.number().int().nullable(),
    draftVersion: z.number().int().nullable(),
    lockVersion: z.number().int().describe('Send it back with every edit; a stale one answers 409 conflict.stale'),
    createdAt: z.string(),
    updatedAt: z.string(),
    current: Version.describe('The version in force today, else the newest published one, else the latest one you may see'),
    upcoming: z.array(VersionSummary).describe('Versions published to take effect later, oldest first'),
    versions: z.array(VersionSummary),
  })
  .openapi('Procedure');
const Hit = z
  .object({
    code: z.string(),
    version: z.number().int(),
    status,
    name: z.string(),
    levels: z.array(z.string()),
    sectors: z.array(Agency),
    onlineLevel: z.string(),
    implementing: z.array(Agency),
    effectiveFrom: z.string().nullable(),
    effectiveTo: z.string().nullable(),
    match: z.enum(matchKinds).nullable(),
  })
  .openapi('ProcedureHit');

export const CodeParam = z.object({
  code: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'code', in: 'path' }, example: '2.000908' }),
});
const tags = ['catalogue'];
const lock = z.number().int().positive().describe('The lockVersion you read');

export const list = defineRoute({
  method: 'get',
  path: '/api/procedures',
  operationId: 'searchProcedures',
  tags,
  summary: 'Search the catalogue: diacritic-insensitive, exact code first, then code prefix, then name matches',
  permission: 'catalogue.read',
  request: {
    query: z.object({
      q: z.string().max(200).optional(),
      sector: z.string().max(64).optional(),
      level: z.enum(['central', 'province', 'district', 'commune']).optional(),
      agency: z.string().max(64).optional().describe('A unit code'),
      status: z
        .enum(['in_force', 'published', 'draft', 'retired'])
        .optional()
        .describe(
          'in_force (default): the version that applies on `on` (today); published: the newest published, which may take effect later; draft needs catalogue.edit; retired: procedures no longer in force',
        ),
      on: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional()
        .describe('With in_force: the Vietnam date (YYYY-MM-DD) to read the catalogue on; default today'),
      limit: z.coerce.number().int().min(1).max(100).optional(),
      offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
    }),
  },
  errors: ['auth.forbidden'],
  responses: { 200: json(z.object({ total: z.number().int(), items: z.array(Hit) }), 'Matches, best first') },
});

export const create = defineRoute({
  method: 'post',
  path: '/api/procedures',
  operationId: 'createProcedure',
  tags,
  summary: 'Create a procedure: its first version is a draft',
  permission: 'catalogue.edit',
  request: jsonBody(procedureDocument),
  errors: ['catalogue.exists', 'catalogue.unresolved_placeholder', 'catalogue.invalid_dates', 'auth.forbidden_scope', 'conflict.duplicate'],
  responses: { 201: json(Detail, 'Created') },
});

export const detail = defineRoute({
  method: 'get',
  path: '/api/procedures/{code}',
  operationId: 'getProcedure',
  tags,
  summary: 'A procedure: its current version and the list of all versions (ETag: its lockVersion)',
  permission: 'catalogue.read',
  request: { params: CodeParam },
  errors: ['catalogue.not_found'],
  responses: { 200: json(Detail, 'The procedure') },
});

export const version = defineRoute({
  method: 'get',
  path: '/api/procedures/{code}/versions/{version}',
  operationId: 'getProcedureVersion',
  tags,
  summary: 'One version with its document and pinned definitions',
  permission: 'catalogue.read',
  request: {
    params: CodeParam.extend({
      version: z.coerce
        .number()
        .int()
        .positive()
        .openapi({ param: { name: 'version', in: 'path' } }),
    }),
  },
  errors: ['catalogue.not_found'],
  responses: { 200: json(Version, 'The version') },
});

export const update = defineRoute({
  method: 'put',
  path: '/api/procedures/{code}',
  operationId: 'saveProcedureDraft',
  tags,
  summary: 'Save the draft; editing a published procedure opens a new draft version',
  permission: 'catalogue.edit',
  request: { params: CodeParam, ...jsonBody(z.object({ lockVersion: lock, document: procedureDocument })) },
  errors: [
    'catalogue.not_found',
    'catalogue.code_mismatch',
    'catalogue.unresolved_placeholder',
    'catalogue.invalid_dates',
    'conflict.stale',
    'auth.forbidden_scope',
  ],
  responses: { 200: json(Detail, 'Saved') },
});

export const publish = defineRoute({
  method: 'post',
  path: '/api/procedures/{code}/publish',
  operationId: 'publishProcedure',
  tags,
  summary:
    'Publish the draft from effectiveFrom (default today): pins each case to its deployed definition, ends the previous version that day',
  permission: 'catalogue.publish',
  request: { params: CodeParam, ...jsonBody(z.object({ lockVersion: lock, effectiveFrom: isoDate.optional() })) },
  errors: [
    'catalogue.not_found',
    'catalogue.no_draft',
    'catalogue.definition_not_deployed',
    'catalogue.unknown_agency',
    'catalogue.unresolved_placeholder',
    'catalogue.invalid_dates',
    'conflict.stale',
    'auth.forbidden_scope',
  ],
  responses: { 200: json(Detail, 'Published') },
});

export const retire = defineRoute({
  method: 'post',
  path: '/api/procedures/{code}/retire',
  operationId: 'retireProcedure',
  tags,
  summary: 'Retire the published version: from effectiveTo (default today) it no longer applies',
  permission: 'catalogue.publish',
  request: { params: CodeParam, ...jsonBody(z.object({ lockVersion: lock, effectiveTo: isoDate.optional() })) },
  errors: ['catalogue.not_found', 'catalogue.not_published', 'catalogue.invalid_dates', 'conflict.stale', 'auth.forbidden_scope'],
  responses: { 200: json(Detail, 'Retired') },
});

export const sectors = defineRoute({
  method: 'get',
  path: '/api/sectors',
  operationId: 'listSectors',
  tags,
  summary: 'Sectors (lĩnh vực) with their number of published procedures',
  permission: 'catalogue.read',
  responses: {
    200: json(z.array(z.object({ code: z.string(), name: z.string(), procedures: z.number().int() }).openapi('Sector')), 'Sectors'),
  },
});

export const agencies = defineRoute({
  method: 'get',
  path: '/api/agencies',
  operationId: 'listAgencies',
  tags,
  summary: 'Agencies: the active units procedures may name, with their number of published procedures',
  permission: 'catalogue.read',
  request: { query: z.object({ used: z.enum(['true', 'false']).optional().describe('true: only units named by a published procedure') }) },
  responses: {
    200: json(
      z.array(z.object({ code: z.string(), name: z.string(), level: z.string(), procedures: z.number().int() }).openapi('Agency')),
      'Agencies',
    ),
  },
});
