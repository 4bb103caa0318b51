import type { EntityManager } from '@mikro-orm/knex';
import type { ProcedureDocument } from './schema.ts';
import {
  bindingsOf,
  iso,
  parseStored,
  procedureRow,
  versionRows,
  type Binding,
  type ProcedureStatus,
  type VersionRow,
  type VersionStatus,
} from './store.ts';
import { sql } from '../db/sql.ts';

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

export function summary(r: VersionRow): VersionSummary {
  return {
    version: r.version,
    status: r.status,
    name: r.name,
    effectiveFrom: r.effective_from,
    effectiveTo: r.effective_to,
    supersededBy: r.superseded_by,
    source: r.source_pack_id ? { packId: r.source_pack_id, packVersion: r.source_pack_version ?? '' } : null,
    createdAt: iso(r.created_at)!,
    createdBy: r.created_by_name,
    updatedAt: iso(r.updated_at)!,
    updatedBy: r.updated_by_name,
    publishedAt: iso(r.published_at),
    publishedBy: r.published_by_name,
    retiredAt: iso(r.retired_at),
    retiredBy: r.retired_by_name,
  };
}

async function full(em: EntityManager, r: VersionRow): Promise<ProcedureVersion> {
  return {
    ...summary(r),
    code: r.procedure_code,
    document: parseStored(r.document),
    bindings: r.status === 'draft' ? [] : await bindingsOf(em, r.procedure_code, r.version),
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
    latestVersion: p.latest_version,
    publishedVersion: p.published_version,
    draftVersion: draft?.version ?? null,
    lockVersion: p.lock_version,
    createdAt: iso(p.created_at)!,
    updatedAt: iso(p.updated_at)!,
    versions,
  };
}

export async function readVersion(em: EntityManager, code: string, version: number): Promise<ProcedureVersion | null> {
  const [row] = await versionRows(em, code, ' AND version = ?', [version]);
  return row ? full(em, row) : null;
}

/** The version in force on a date (Vietnam calendar date), if any. */
export async function readEffective(em: EntityManager, code: string, date: string): Promise<ProcedureVersion | null> {
  const rows = await versionRows(
    em,
    code,
    " AND status <> 'draft' AND effective_from <= ? AND (effective_to IS NULL OR effective_to > ?)",
    [date, date],
  );
  const last = rows.at(-1);
  return last ? full(em, last) : null;
}

export interface ExportedProcedure {
  document: ProcedureDocument;
  bindings: Binding[];
}

/** The published version of each procedure (all, or the codes named), by code. */
export async function readPublished(em: EntityManager, codes?: string[]): Promise<{ found: ExportedProcedure[]; missing: string[] }> {
  const filter = codes?.length ? ` AND procedure_code IN (${codes.map(() => '?').join(', ')})` : '';
  const rows = await sql(em).all<{ procedure_code: string; version: number; document: string }>(
    `SELECT procedure_code, version, d.document FROM procedure_versions v JOIN procedure_documents d ON d.version_id = v.id WHERE status = 'published'${filter} ORDER BY procedure_code`,
    codes ?? [],
  );
  const found: ExportedProcedure[] = [];
  for (const r of rows)
    found.push({ document: parseStored(r.document), bindings: await bindingsOf(em, r.procedure_code, Number(r.version)) });
  const have = new Set(rows.map((r) => r.procedure_code));
  return { found, missing: (codes ?? []).filter((c) => !have.has(c)) };
}
