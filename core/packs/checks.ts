import semver from 'semver';
import type { EntityManager } from '@mikro-orm/knex';
import type { KeyObject } from 'node:crypto';
import type { Ports } from '../modules/ports.ts';
import { AppError } from '../errors.ts';
import { procedureDocument, type ProcedureDocument } from '../catalogue/schema.ts';
import {
  DEFAULT_LIMITS,
  issuesOf,
  packIssuesError,
  type PackIssue,
  type PackLimits,
  type PackManifest,
  type PlaceholderMapping,
} from './manifest.ts';
import { claimedKeyId, openPack, verifyPack, type VerifiedPack } from './pack.ts';
import { checkMapping, neededPlaceholders, resolveJson, tokensIn } from './placeholders.ts';
import { keyIdOf } from './signing.ts';
import { installedPack, trustedKey, type InstalledPack } from './store.ts';

/**
 * Opens a pack and checks everything that needs no write: safe zip, signature by a trusted
 * key (or one of `alsoTrust`, e.g. the demo key in demo mode), manifest, file hashes.
 */
export async function openTrusted(
  em: EntityManager,
  zip: Buffer,
  opts: { limits?: PackLimits; alsoTrust?: KeyObject[] } = {},
): Promise<VerifiedPack> {
  const opened = await openPack(zip, opts.limits ?? DEFAULT_LIMITS);
  if (opened.signature === null) throw new AppError('pack.bad_signature', 'The pack has no manifest.sig: it is not signed');
  const keyId = claimedKeyId(opened);
  const key = opts.alsoTrust?.find((k) => keyIdOf(k) === keyId) ?? (await trustedKey(em, keyId));
  if (!key) {
    throw new AppError(
      'pack.untrusted_key',
      `The pack is signed by key ${keyId}, which no administrator trusts here: check the key with its publisher, then trust it (motcua pack trust, or POST /api/packs/keys)`,
      { keyId },
    );
  }
  return verifyPack(opened, key);
}

/** Refuses a pack whose `expiresAt` is at or before `now` (import and `motcua pack verify` alike). */
export function checkNotExpired(manifest: PackManifest, now: Date): void {
  if (manifest.expiresAt && new Date(manifest.expiresAt).getTime() <= now.getTime()) {
    throw new AppError(
      'pack.expired',
      `Pack ${manifest.id} ${manifest.version} expired at ${manifest.expiresAt}: ask its publisher for a current one`,
      { expiresAt: manifest.expiresAt },
    );
  }
}

/** Refuses an expired pack, or one needing a platform version, plugin or handler topic this platform lacks. */
export function checkApplicable(svc: Pick<Ports, 'clock' | 'config' | 'plugins'>, manifest: PackManifest): void {
  checkNotExpired(manifest, svc.clock.now());
  const req = manifest.requires;
  if (req.platform && !semver.satisfies(svc.config.version, req.platform, { includePrerelease: true })) {
    throw new AppError('pack.requirement_missing', `The pack needs motcua ${req.platform}; this is ${svc.config.version}`, {
      platform: req.platform,
    });
  }
  for (const [id, range] of Object.entries(req.plugins)) {
    const plugin = svc.plugins.plugins.find((p) => p.def.id === id);
    if (!plugin)
      throw new AppError('pack.requirement_missing', `The pack needs plugin "${id}" ${range}, which is not enabled (MOTCUA_PLUGINS)`, {
        plugin: id,
      });
    if (!semver.satisfies(plugin.def.version, range, { includePrerelease: true })) {
      throw new AppError('pack.requirement_missing', `The pack needs plugin "${id}" ${range}; ${plugin.def.version} is enabled`, {
        plugin: id,
      });
    }
  }
  const missing = req.handlers.filter((t) => !svc.plugins.handlers.has(t));
  if (missing.length)
    throw new AppError(
      'pack.requirement_missing',
      `The pack needs service-task handlers no enabled plugin provides: ${missing.join(', ')}`,
      { handlers: missing },
    );
}

/**
 * The installed pack of this id when it is this very pack (same sequence, same manifest), else
 * null. Refuses a lower sequence, and an equal sequence whose manifest differs (a pack's
 * sequence must grow with every change).
 */
export async function checkSequence(em: EntityManager, pack: VerifiedPack): Promise<InstalledPack | null> {
  const installed = await installedPack(em, pack.manifest.id);
  if (!installed) return null;
  const { sequence } = pack.manifest;
  if (sequence < installed.sequence || (sequence === installed.sequence && installed.manifestHash !== pack.manifestHash)) {
    throw new AppError(
      'pack.rollback',
      `Pack ${pack.manifest.id} sequence ${sequence} is not higher than the installed sequence ${installed.sequence} (version ${installed.version}): a rollback is refused`,
      { installedSequence: installed.sequence, sequence },
    );
  }
  return sequence === installed.sequence ? installed : null;
}

/**
 * The pack's procedure documents with placeholders resolved, each validated. Every problem of
 * every file is collected first and refused together (`pack.invalid_content`, each issue with
 * its file and JSON path), so one round of fixes suffices.
 */
export function resolveProcedures(pack: VerifiedPack, mapping: PlaceholderMapping): { path: string; doc: ProcedureDocument }[] {
  const issues: PackIssue[] = [];
  const raw: { path: string; value: unknown }[] = [];
  const codes = new Map<string, string>();
  for (const [path, data] of [...pack.files].sort(([a], [b]) => a.localeCompare(b))) {
    if (!path.startsWith('procedures/')) continue;
    let value: unknown;
    try {
      value = JSON.parse(data.toString('utf8'));
    } catch (e) {
      issues.push({ file: path, path: '', message: `not valid JSON: ${(e as Error).message}` });
      continue;
    }
    const parsed = procedureDocument.safeParse(value);
    if (!parsed.success) {
      issues.push(...issuesOf(parsed.error, path));
      continue;
    }
    // One code may come several times, once per effective date (dated versions, docs/pack-format.md §5b).
    const doc = parsed.data;
    const version = `${doc.code}@${doc.effectiveFrom ?? ''}`;
    const other = codes.get(version);
    if (other)
      issues.push({
        file: path,
        path: 'code',
        message: `code ${doc.code}${doc.effectiveFrom ? ` effective from ${doc.effectiveFrom}` : ''} is also the code of ${other}`,
      });
    codes.set(version, path);
    issues.push(...missingReferences(pack, path, doc));
    raw.push({ path, value });
  }
  issues.push(...undeclaredPlaceholders(pack));
  for (const [path, data] of pack.files) {
    if (!path.startsWith('calendars/')) continue;
    try {
      JSON.parse(data.toString('utf8'));
    } catch (e) {
      issues.push({ file: path, path: '', message: `not valid JSON: ${(e as Error).message}` });
    }
  }
  if (issues.length) throw packIssuesError('pack.invalid_content', issues);
  checkMapping(neededPlaceholders(pack.manifest), mapping);
  const docs: { path: string; doc: ProcedureDocument }[] = [];
  for (const { path, value } of raw) {
    const parsed = procedureDocument.safeParse(resolveJson(value, mapping));
    if (parsed.success) docs.push({ path, doc: parsed.data });
    else issues.push(...issuesOf(parsed.error, path).map((i) => ({ ...i, message: `after mapping placeholders: ${i.message}` })));
  }
  if (issues.length) throw packIssuesError('pack.invalid_content', issues);
  // Versions of one code in date order (undated first): each is compared with what is in force on its date.
  const key = (d: ProcedureDocument) => `${d.code}@${d.effectiveFrom ?? ''}`;
  return docs.sort((a, b) => (key(a.doc) < key(b.doc) ? -1 : key(a.doc) > key(b.doc) ? 1 : 0));
}

/**
 * Files a procedure names that the pack does not carry: each case's diagram, each required
 * document's form, each result's and print template's file. Checked before anything is written,
 * so a dry run refuses a dangling reference exactly as the import does.
 */
function missingReferences(pack: VerifiedPack, file: string, doc: ProcedureDocument): PackIssue[] {
  const refs: { path: string; ref: string }[] = [];
  doc.cases.forEach((c, i) => {
    refs.push({ path: `cases.${i}.process.diagram`, ref: c.process.diagram });
    c.documents.forEach((d, j) => d.form && refs.push({ path: `cases.${i}.documents.${j}.form`, ref: d.form }));
  });
  doc.results.forEach((r, i) => r.template && refs.push({ path: `results.${i}.template`, ref: r.template }));
  doc.templates.forEach((t, i) => refs.push({ path: `templates.${i}.file`, ref: t.file }));
  return refs.filter((r) => !pack.files.has(r.ref)).map((r) => ({ file, path: r.path, message: `${r.ref} is not in the pack` }));
}

/**
 * Tokens a procedure or diagram uses that the manifest does not declare. They are refused even
 * when the mapping maps them: the declarations are what an importing province reads to prepare
 * its mapping (kind and description), and `pack build` refuses the same pack.
 */
function undeclaredPlaceholders(pack: VerifiedPack): PackIssue[] {
  const declared = new Set(pack.manifest.placeholders.map((p) => p.token));
  const issues: PackIssue[] = [];
  for (const [path, data] of [...pack.files].sort(([a], [b]) => a.localeCompare(b))) {
    if (!path.startsWith('procedures/') && !path.startsWith('diagrams/')) continue;
    const undeclared = tokensIn(data.toString('utf8')).filter((t) => !declared.has(t));
    if (undeclared.length)
      issues.push({ file: path, path: '', message: `uses placeholders the manifest does not declare: ${undeclared.join(', ')}` });
  }
  return issues;
}
