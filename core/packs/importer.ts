import type { EntityManager } from '@mikro-orm/knex';
import type { KeyObject } from 'node:crypto';
import type { Ports } from '../modules/ports.ts';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import { checkApplicable, checkSequence, openTrusted, resolveProcedures } from './checks.ts';
import { packIssuesError, type PackIssue, type PackLimits, type PackManifest, type PlaceholderMapping } from './manifest.ts';
import type { ProcedureDocument } from '../catalogue/schema.ts';
import type { VerifiedPack } from './pack.ts';
import { neededPlaceholders, resolveXml } from './placeholders.ts';
import { sha256 } from './signing.ts';
import { foreignMotcuaAttributes } from './bpmn-namespaces.ts';
import { localDate } from '../time.ts';
import { putAsset, recordInstall } from './store.ts';
import { statutoryForms } from './statutory-forms.ts';

export type ChangeOutcome = 'new' | 'updated' | 'unchanged';

export interface ImportReport {
  /** dry_run: checked and rolled back; installed: committed; already_installed: the same pack is installed, nothing done. */
  status: 'dry_run' | 'installed' | 'already_installed';
  pack: Pick<PackManifest, 'id' | 'name' | 'version' | 'sequence' | 'publisher' | 'createdAt' | 'expiresAt'>;
  procedures: { code: string; name: string; file: string; outcome: ChangeOutcome; version: number }[];
  /**
   * Per diagram: the definitions it deployed, and warnings: what the engine set aside, and
   * attributes that look meant for motcua but sit in another namespace (silently ignored).
   */
  diagrams: { file: string; definitions: { key: string; version: number; outcome: 'new' | 'unchanged' }[]; warnings: string[] }[];
  assets: { file: string; outcome: ChangeOutcome }[];
  /** The statutory form templates (statutory-forms/), one per form and legal basis. */
  statutoryForms: { form: string; legalBasis: string; effectiveFrom: string | null; file: string; outcome: ChangeOutcome }[];
  placeholders: { token: string; description: string | null; mappedTo: string | number | null }[];
  /** Files carried by the pack that this platform version does not apply (calendars). */
  skipped: string[];
  counts: Record<ChangeOutcome, number>;
}

export interface ImportRequest {
  zip: Buffer;
  mapping?: PlaceholderMapping;
  dryRun?: boolean;
  limits?: PackLimits;
  /** Keys trusted for this call only: the demo key in demo mode. */
  alsoTrust?: KeyObject[];
  onProgress?: (done: number, total: number, step: string) => void;
}

class DryRun extends Error {
  constructor(readonly report: ImportReport) {
    super('dry run');
  }
}

function emptyReport(pack: VerifiedPack, mapping: PlaceholderMapping, status: ImportReport['status']): ImportReport {
  const { id, name, version, sequence, publisher, createdAt, expiresAt } = pack.manifest;
  const described = new Map(pack.manifest.placeholders.map((p) => [p.token, p.description]));
  return {
    status,
    pack: { id, name, version, sequence, publisher, createdAt, ...(expiresAt ? { expiresAt } : {}) },
    procedures: [],
    diagrams: [],
    assets: [],
    statutoryForms: [],
    placeholders: neededPlaceholders(pack.manifest).map((token) => ({
      token,
      description: described.get(token) ?? null,
      mappedTo: mapping[token] ?? null,
    })),
    skipped: [...pack.files.keys()].filter((p) => p.startsWith('calendars/')).sort(),
    counts: { new: 0, updated: 0, unchanged: 0 },
  };
}

/**
 * Each case's `definitionKey` must be the id of a process its diagram deployed (`<bpmn:process
 * id="…">`): otherwise the catalogue would look for a definition nobody deployed and answer
 * "deploy the diagram first". Every mismatch is named with both ids.
 */
export function checkDefinitionKeys(docs: { path: string; doc: ProcedureDocument }[], diagrams: ImportReport['diagrams']): void {
  const keys = new Map(diagrams.map((d) => [d.file, d.definitions.map((x) => x.key)]));
  const issues: PackIssue[] = [];
  for (const { path, doc } of docs) {
    doc.cases.forEach((c, i) => {
      const deployed = keys.get(c.process.diagram) ?? [];
      if (deployed.includes(c.process.definitionKey)) return;
      const ids = deployed.map((k) => `"${k}"`).join(', ') || 'none';
      issues.push({
        file: path,
        path: `cases.${i}.process.definitionKey`,
        message: `"${c.process.definitionKey}" is not the id of a process in ${c.process.diagram} (process id${deployed.length === 1 ? '' : 's'}: ${ids}): definitionKey must equal the BPMN process id`,
      });
    });
  }
  if (issues.length) throw packIssuesError('pack.definition_key_mismatch', issues);
}

/**
 * Verifies a pack and imports it in one transaction: diagrams are deployed through the engine
 * (which refuses unsafe BPMN), each procedure becomes the published version (new, updated or
 * unchanged), forms and templates are stored, the install is recorded and audited. Any
 * refusal leaves the database as it was. A dry run does all of it and rolls back.
 */
export async function importPack(
  svc: Pick<Ports, 'audit' | 'catalogue' | 'clock' | 'config' | 'db' | 'engine' | 'plugins' | 'dossierFormTemplates'>,
  acting: Acting,
  req: ImportRequest,
): Promise<ImportReport> {
  const mapping = req.mapping ?? {};
  const pack = await openTrusted(svc.db.em(), req.zip, { limits: req.limits, alsoTrust: req.alsoTrust });
  checkApplicable(svc, pack.manifest);
  const sameInstalled = await checkSequence(svc.db.em(), pack);
  const docs = resolveProcedures(pack, mapping);
  // Every statutory form template is checked here, before the transaction: the dry run refuses what the import would.
  const forms = statutoryForms(pack, svc.dossierFormTemplates);
  if (sameInstalled) return emptyReport(pack, mapping, 'already_installed');
  const diagrams = [...pack.files.keys()].filter((p) => p.startsWith('diagrams/')).sort();
  const assets = [...pack.files.keys()].filter((p) => p.startsWith('forms/') || p.startsWith('templates/')).sort();
  const total = diagrams.length + docs.length + assets.length + (forms.sets.length ? 1 : 0) + 1;
  let done = 0;
  const step = (what: string) => req.onProgress?.(++done, total, what);
  const { manifest } = pack;

  const apply = async (em: EntityManager): Promise<ImportReport> => {
    const report = emptyReport(pack, mapping, req.dryRun ? 'dry_run' : 'installed');
    // Checked again inside the transaction: a concurrent import of the same pack loses here or on the unique key.
    if (await checkSequence(em, pack))
      throw new AppError('pack.rollback', `Pack ${manifest.id} sequence ${manifest.sequence} was installed meanwhile`);
    for (const file of diagrams) {
      const xml = resolveXml(pack.files.get(file)!.toString('utf8'), mapping);
      try {
        const { definitions, warnings } = await svc.engine.definitions.deploy(
          em,
          acting,
          xml,
          `${manifest.id}@${manifest.version}/${file}`,
        );
        report.diagrams.push({
          file,
          definitions: definitions.map((d) => ({ key: d.key, version: d.version, outcome: d.created ? 'new' : 'unchanged' })),
          warnings: [...warnings, ...foreignMotcuaAttributes(xml)],
        });
      } catch (e) {
        if (e instanceof AppError) throw new AppError(e.code, `${file}: ${e.message}`, { ...e.extra, file });
        throw e;
      }
      step(file);
    }
    checkDefinitionKeys(docs, report.diagrams);
    const today = localDate(svc.clock.now());
    for (const { path, doc } of docs) {
      const versions = docs.filter((d) => d.doc.code === doc.code);
      // A version whose successor in this pack is already in force would apply for no day: skipped.
      const successor = versions.find(
        (d) => d.doc.effectiveFrom && d.doc.effectiveFrom <= today && (d.doc.effectiveFrom ?? '') > (doc.effectiveFrom ?? ''),
      );
      if (successor) {
        report.skipped.push(path);
        step(path);
        continue;
      }
      try {
        const r = await svc.catalogue.importPublished(em, acting, doc, {
          source: { packId: manifest.id, packVersion: manifest.version },
          series: versions.some((d) => d.doc.effectiveFrom),
        });
        report.procedures.push({ code: r.code, name: doc.name, file: path, outcome: r.outcome, version: r.version });
        report.counts[r.outcome]++;
      } catch (e) {
        if (e instanceof AppError) throw new AppError(e.code, `${path}: ${e.message}`, { ...e.extra, file: path });
        throw e;
      }
      step(path);
    }
    for (const file of assets) {
      const data = pack.files.get(file)!;
      report.assets.push({ file, outcome: await putAsset(em, file, data, sha256(data), manifest.id, svc.clock.now()) });
      step(file);
    }
    if (forms.sets.length) {
      report.statutoryForms = await svc.dossierFormTemplates.install(em, forms.sets, {
        packId: manifest.id,
        packVersion: manifest.version,
      });
      step('statutory-forms');
    }
    report.skipped.push(...forms.unused);
    const summary = {
      ...report.counts,
      diagrams: report.diagrams.length,
      assets: report.assets.length,
      ...(report.statutoryForms.length ? { statutoryForms: report.statutoryForms.length } : {}),
    };
    await recordInstall(
      em,
      {
        packId: manifest.id,
        version: manifest.version,
        sequence: manifest.sequence,
        name: manifest.name,
        publisher: manifest.publisher,
        manifestHash: pack.manifestHash,
        summary,
        installedBy: acting.actor.name,
      },
      svc.clock.now(),
    );
    await svc.audit.append(em, {
      ...acting,
      action: 'pack.installed',
      targetType: 'pack',
      targetId: manifest.id,
      summary: {
        version: manifest.version,
        sequence: manifest.sequence,
        keyId: manifest.publisher.keyId,
        manifestHash: pack.manifestHash,
        ...summary,
        mapping,
      },
    });
    step('install');
    if (req.dryRun) throw new DryRun(report);
    return report;
  };

  try {
    const report = await svc.db.em().transactional(apply);
    // Fresh planner statistics after a bulk change: without them PostgreSQL plans catalogue
    // searches 5–10× slower until autovacuum catches up (ADR 0009).
    if (report.counts.new + report.counts.updated > 0) await svc.catalogue.analyze(svc.db.em());
    return report;
  } catch (e) {
    if (e instanceof DryRun) return e.report;
    throw e;
  }
}
