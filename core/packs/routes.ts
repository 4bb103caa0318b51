import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { AppError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { acting } from '../http/acting.ts';
import { defineRoute } from '../http/route.ts';
import { json, jsonBody } from '../http/schemas.ts';
import { compileErrors } from '../engine/run-errors.ts';
import { importPack } from './importer.ts';
import { DEFAULT_LIMITS, describeIssues, MAX_ISSUES, packId, placeholderMapping, provinceCode, semverString } from './manifest.ts';
import { addTrustedKey, exportPack, revokeTrustedKey } from './service.ts';
import { listInstalled, listTrustedKeys } from './store.ts';
import type { Ports } from '../modules/ports.ts';

const tags = ['packs'];
const Installed = z
  .object({
    packId: z.string(),
    version: z.string(),
    sequence: z.number().int(),
    name: z.string(),
    publisher: z.object({ name: z.string(), province: z.string(), keyId: z.string() }),
    manifestHash: z.string(),
    summary: z.record(z.string(), z.unknown()),
    installedBy: z.string(),
    installedAt: z.string(),
  })
  .openapi('InstalledPack');
const Key = z
  .object({
    keyId: z.string(),
    publicKey: z.string(),
    publisherName: z.string(),
    province: z.string(),
    trustedBy: z.string(),
    trustedAt: z.string(),
    revokedBy: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('TrustedPackKey');
const Report = z
  .object({
    status: z.enum(['dry_run', 'installed', 'already_installed']),
    pack: z.record(z.string(), z.unknown()),
    procedures: z.array(
      z.object({
        code: z.string(),
        name: z.string(),
        file: z.string(),
        outcome: z.enum(['new', 'updated', 'unchanged']),
        version: z.number().int(),
      }),
    ),
    diagrams: z.array(
      z.object({
        file: z.string(),
        definitions: z.array(z.object({ key: z.string(), version: z.number().int(), outcome: z.enum(['new', 'unchanged']) })),
        warnings: z.array(z.string()),
      }),
    ),
    assets: z.array(z.object({ file: z.string(), outcome: z.enum(['new', 'updated', 'unchanged']) })),
    statutoryForms: z.array(
      z.object({
        form: z.string(),
        legalBasis: z.string(),
        effectiveFrom: z.string().nullable(),
        file: z.string(),
        outcome: z.enum(['new', 'updated', 'unchanged']),
      }),
    ),
    placeholders: z.array(
      z.object({ token: z.string(), description: z.string().nullable(), mappedTo: z.union([z.string(), z.number()]).nullable() }),
    ),
    skipped: z.array(z.string()),
    counts: z.object({ new: z.number().int(), updated: z.number().int(), unchanged: z.number().int() }),
  })
  .openapi('PackImportReport');

const upload = defineRoute({
  method: 'post',
  path: '/api/packs',
  operationId: 'importPack',
  tags,
  summary: 'Import a signed procedure pack (application/zip): dryRun=true reports what would change; mapping maps its placeholders',
  permission: 'pack.import',
  request: {
    query: z.object({
      dryRun: z.enum(['true', 'false']).optional(),
      mapping: z
        .string()
        .max(16_000)
        .optional()
        .openapi({ description: 'JSON object: placeholder token → unit code, role name or fee amount (docs/pack-format.md §5)' }),
    }),
    body: { required: true, content: { 'application/zip': { schema: z.string().openapi({ format: 'binary' }) } } },
  },
  responses: {
    200: json(Report, 'Dry-run report, or the same pack is already installed'),
    201: json(Report, 'Installed'),
  },
  errors: [
    'auth.forbidden_scope',
    'pack.malformed',
    'pack.bad_signature',
    'pack.untrusted_key',
    'pack.rollback',
    'pack.expired',
    'pack.file_mismatch',
    'pack.unsafe_path',
    'pack.too_large',
    'pack.invalid_content',
    'pack.definition_key_mismatch',
    'pack.requirement_missing',
    'pack.unmapped_placeholder',
    'pack.mapping_invalid',
    ...compileErrors,
    'catalogue.code_mismatch',
    'catalogue.unresolved_placeholder',
    'catalogue.invalid_dates',
    'catalogue.definition_not_deployed',
    'catalogue.unknown_agency',
    'conflict.duplicate',
    'conflict.stale',
  ],
});
const list = defineRoute({
  method: 'get',
  path: '/api/packs',
  operationId: 'listInstalledPacks',
  tags,
  summary: 'Installed packs (the highest sequence of each id)',
  permission: 'pack.import',
  errors: ['auth.forbidden_scope'],
  responses: { 200: json(z.array(Installed), 'Installed packs') },
});
const exportRoute = defineRoute({
  method: 'get',
  path: '/api/packs/export',
  operationId: 'exportPack',
  tags,
  summary: 'Export published procedures (codes, or all) as an unsigned pack zip: sign it with `motcua pack sign` before sending it',
  permission: 'pack.export',
  request: {
    query: z.object({
      codes: z
        .string()
        .max(20_000)
        .optional()
        .openapi({ description: 'Comma-separated procedure codes (default: every published procedure)' }),
      // The manifest's own rules, so that a value it would refuse is a 400 naming the parameter.
      id: packId.default('vn.export'),
      name: z.string().trim().min(1).max(300).default('Danh mục thủ tục hành chính (xuất)'),
      version: semverString.default('1.0.0'),
      sequence: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
      publisher: z.string().trim().min(1).max(300).optional().openapi({ description: 'Publisher name (default: the root unit)' }),
      province: provinceCode.optional().openapi({ description: 'Province code (default: the root unit code)' }),
    }),
  },
  responses: {
    200: { description: 'Pack zip (unsigned)', content: { 'application/zip': { schema: z.string().openapi({ format: 'binary' }) } } },
  },
  errors: ['catalogue.not_found', 'pack.invalid_content', 'auth.forbidden_scope'],
});
const keys = defineRoute({
  method: 'get',
  path: '/api/packs/keys',
  operationId: 'listTrustedKeys',
  tags,
  summary: 'Trusted publisher keys (revoked ones included)',
  permission: 'pack.trust',
  errors: ['auth.forbidden_scope'],
  responses: { 200: json(z.array(Key), 'Keys') },
});
const addKey = defineRoute({
  method: 'post',
  path: '/api/packs/keys',
  operationId: 'trustKey',
  tags,
  summary: 'Trust a publisher key (Ed25519 public key, PEM) after checking its key id with the publisher',
  permission: 'pack.trust',
  request: jsonBody(
    z.object({
      publicKey: z.string().min(1).max(2000),
      publisherName: z.string().trim().min(1).max(300),
      province: z
        .string()
        .min(1)
        .max(32)
        .regex(/^[A-Za-z0-9._-]+$/),
    }),
  ),
  errors: ['pack.key_invalid', 'conflict.duplicate', 'auth.forbidden_scope'],
  responses: { 201: json(Key, 'Trusted') },
});
const revoke = defineRoute({
  method: 'post',
  path: '/api/packs/keys/{keyId}/revoke',
  operationId: 'revokeTrustedKey',
  tags,
  summary: 'Stop trusting a key: packs signed with it are refused from now on (installed ones stay)',
  permission: 'pack.trust',
  request: {
    params: z.object({
      keyId: z
        .string()
        .regex(/^[0-9a-f]{16}$/)
        .openapi({ param: { name: 'keyId', in: 'path' } }),
    }),
  },
  errors: ['pack.key_not_found', 'auth.forbidden_scope'],
  responses: { 200: json(Key, 'Revoked') },
});

/** Packs act on the whole province: a province-wide grant is needed. */
async function provinceWide(c: Context<AppEnv>, permission: string): Promise<void> {
  if (!c.var.authz.isGlobal(permission)) await c.var.authz.assert(permission, null);
}

function parseMapping(raw: string | undefined): Record<string, string | number> {
  if (!raw) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    throw new AppError('pack.mapping_invalid', `mapping is not JSON: ${(e as Error).message}`);
  }
  const parsed = placeholderMapping.safeParse(value);
  if (!parsed.success)
    throw new AppError('pack.mapping_invalid', `mapping: ${describeIssues(parsed.error)}`, {
      issues: parsed.error.issues.slice(0, MAX_ISSUES).map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  return parsed.data;
}

export function registerPackRoutes(
  app: OpenAPIHono<AppEnv>,
  ports: Pick<Ports, 'audit' | 'catalogue' | 'clock' | 'config' | 'db' | 'dossierFormTemplates' | 'engine' | 'log' | 'plugins'>,
): void {
  app.openapi(upload, async (c) => {
    await provinceWide(c, 'pack.import');
    if (!/^application\/(zip|octet-stream)\b/.test(c.req.header('content-type') ?? ''))
      throw new AppError('request.unsupported_media_type', 'Send the pack as application/zip');
    const q = c.req.valid('query');
    const mapping = parseMapping(q.mapping);
    const zip = Buffer.from(await c.req.arrayBuffer());
    if (zip.length > DEFAULT_LIMITS.maxZipBytes)
      throw new AppError('pack.too_large', `The pack is ${zip.length} bytes; the limit is ${DEFAULT_LIMITS.maxZipBytes}`);
    const report = await importPack(ports, acting(c), { zip, mapping, dryRun: q.dryRun === 'true' });
    return c.json(report, report.status === 'installed' ? 201 : 200);
  });

  app.openapi(list, async (c) => {
    await provinceWide(c, 'pack.import');
    return c.json(await listInstalled(ports.db.em()), 200);
  });

  app.openapi(exportRoute, async (c) => {
    await provinceWide(c, 'pack.export');
    const q = c.req.valid('query');
    const codes = q.codes
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const { manifest, zip } = await exportPack(ports, { ...q, codes });
    return c.body(new Uint8Array(zip), 200, {
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename="${manifest.id}-${manifest.version}.zip"`,
    });
  });

  app.openapi(keys, async (c) => {
    await provinceWide(c, 'pack.trust');
    return c.json(await listTrustedKeys(ports.db.em()), 200);
  });

  app.openapi(addKey, async (c) => {
    await provinceWide(c, 'pack.trust');
    const key = await addTrustedKey(ports, acting(c), c.req.valid('json'));
    return c.json(key, 201);
  });

  app.openapi(revoke, async (c) => {
    await provinceWide(c, 'pack.trust');
    const key = await revokeTrustedKey(ports, acting(c), c.req.valid('param').keyId);
    return c.json(key, 200);
  });
}
