import type { EntityManager } from '@mikro-orm/knex';
import type { ProcedureDocument } from './schema.ts';
import { ProcedureVersion as VersionEntity } from './entities.ts';
import {
  bindingsOf,
  documentsOf,
  parseStored,
  procedureRow,
  versionRows,
  type Binding,
  type ProcedureStatus,
  type VersionRow,
  type VersionStatus,
} from './store.ts';

/** Read models of the catalogue: a procedure with its versions, one version, the export. */

export interface VersionSummary {
  version: number;
  status: VersionStatus;
  name: string;
  /** First day this version applies (Vietnam date); null for a draft. */
  effectiveFrom: string | null;
  /** First day it no longer applies; null while open-ended. */
  effectiveTo: string | null;
  supersededBy: number | null;
  source: { packId: string; packVersion: string } | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  publishedAt: string | null;
  publishedBy: string | null;
  retiredAt: string | null;
  retiredBy: string | null;
}

export interface ProcedureVersion extends VersionSummary {
  code: string;
  document: ProcedureDocument;
  /** The BPMN definition each case runs, pinned at publish (empty for a draft). */
  bindings: Binding[];
}

export interface ProcedureRecord {
  code: string;
  status: ProcedureStatus;
  latestVersion: number;
  publishedVersion: number | null;
  /** The open draft, if any. */
  draftVersion: number | null;
  /** Send it back with every edit: a stale one is refused (409 conflict.stale). */
  lockVersion: number;
  createdAt: string;
  updatedAt: string;
  /** Oldest first; never deleted. */
  versions: ProcedureVersion[];
}

const iso = (d: Date | null | undefined): string | null => d?.toISOString() ?? null;

export function summary(r: VersionRow): VersionSummary {
  return {
    version: r.version,
    status: r.status,
    name: r.name,
    effectiveFrom: r.effectiveFrom ?? null,
    effectiveTo: r.effectiveTo ?? null,
    supersededBy: r.supersededBy ?? null,
    source: r.sourcePackId ? { packId: r.sourcePackId, packVersion: r.sourcePackVersion ?? '' } : null,
    createdAt: r.createdAt.toISOString(),
    createdBy: r.createdByName,
    updatedAt: r.updatedAt.toISOString(),
    updatedBy: r.updatedByName,
    publishedAt: iso(r.publishedAt),
    publishedBy: r.publishedByName ?? null,
    retiredAt: iso(r.retiredAt),
    retiredBy: r.retiredByName ?? null,
  };
}

async function full(em: EntityManager, r: VersionRow): Promise<ProcedureVersion> {
  return {
    ...summary(r),
    code: r.procedureCode,
    document: parseStored(r.document),
    bindings: r.status === 'draft' ? [] : await bindingsOf(em, r.procedureCode, r.version),
  };
}

/** The procedure with every version (drafts left out unless asked for), or null. */
export async function readProcedure(em: EntityManager, code: string, opts: { drafts?: boolean } = {}): Promise<ProcedureRecord | null> {
  const p = await procedureRow(em, code);
  if (!p) return null;
  const rows = await versionRows(em, code);
  const visible = rows.filter((r) => opts.drafts !== false || r.status !== 'draft');
  if (visible.length === 0) return null;
  const draft = rows.find((r) => r.status === 'draft');
  const versions: ProcedureVersion[] = [];
  for (const r of visible) versions.push(await full(em, r));
  return {
    code: p.code,
    status: p.status,
    latestVersion: p.latestVersion,
    publishedVersion: p.publishedVersion ?? null,
    draftVersion: draft?.version ?? null,
    lockVersion: p.lockVersion,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
    versions,
  };
}

export async function readVersion(em: EntityManager, code: string, version: number): Promise<ProcedureVersion | null> {
  const [row] = await versionRows(em, code, { version });
  return row ? full(em, row) : null;
}

/** The version in force on a date (Vietnam calendar date), if any. */
export async function readEffective(em: EntityManager, code: string, date: string): Promise<ProcedureVersion | null> {
  const rows = await versionRows(em, code, { effectiveOn: date });
  const last = rows.at(-1);
  return last ? full(em, last) : null;
}

export interface ExportedProcedure {
  document: ProcedureDocument;
  bindings: Binding[];
}

/** The published version of each procedure (all, or the codes named), by code. */
export async function readPublished(em: EntityManager, codes?: string[]): Promise<{ found: ExportedProcedure[]; missing: string[] }> {
  const rows = await em.find(
    VersionEntity,
    codes?.length ? { status: 'published', procedureCode: { $in: codes } } : { status: 'published' },
    { disableIdentityMap: true, fields: ['procedureCode', 'version'], orderBy: { procedureCode: 'asc' } },
  );
  const documents = await documentsOf(
    em,
    rows.map((r) => r.id),
  );
  const found: ExportedProcedure[] = [];
  for (const r of rows)
    found.push({ document: parseStored(documents.get(r.id)!), bindings: await bindingsOf(em, r.procedureCode, r.version) });
  const have = new Set(rows.map((r) => r.procedureCode));
  return { found, missing: (codes ?? []).filter((c) => !have.has(c)) };
}
