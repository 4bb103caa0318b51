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

/**
 * Of a procedure's versions, the one that applies on a Vietnam date (the highest, should two
 * overlap), and those published to apply later (oldest first). A version replaced before it
 * began (its `effectiveTo` not after its `effectiveFrom`) never applies.
 */
export function byDate<V extends Pick<VersionSummary, 'status' | 'effectiveFrom' | 'effectiveTo'>>(
  versions: V[],
  date: string,
): { inForce: V | null; upcoming: V[] } {
  const applies = (v: V) => v.status !== 'draft' && v.effectiveFrom !== null && (v.effectiveTo === null || v.effectiveTo > v.effectiveFrom);
  const inForce =
    versions.filter((v) => applies(v) && v.effectiveFrom! <= date && (v.effectiveTo === null || v.effectiveTo > date)).at(-1) ?? null;
  const upcoming = versions.filter((v) => applies(v) && v.effectiveFrom! > date);
  return { inForce, upcoming };
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
  /** Published to apply from a later day (its document carries that `effectiveFrom`); false for the one in force. */
  upcoming: boolean;
}

/**
 * What an export carries of each procedure (all, or the codes named), by code: the version in
 * force on `today` and those published to apply later, oldest first. So a pack exported before a
 * new law's date carries both, and the importing province switches on the same day.
 */
export async function readExportable(
  em: EntityManager,
  today: string,
  codes?: string[],
): Promise<{ found: ExportedProcedure[]; missing: string[] }> {
  const rows = await em.find(
    VersionEntity,
    codes?.length ? { status: { $ne: 'draft' }, procedureCode: { $in: codes } } : { status: { $ne: 'draft' } },
    {
      disableIdentityMap: true,
      fields: ['procedureCode', 'version', 'status', 'name', 'effectiveFrom', 'effectiveTo'],
      orderBy: { procedureCode: 'asc', version: 'asc' },
    },
  );
  const byCode = new Map<string, typeof rows>();
  for (const r of rows) byCode.set(r.procedureCode, [...(byCode.get(r.procedureCode) ?? []), r]);
  const chosen: { row: (typeof rows)[number]; upcoming: boolean }[] = [];
  for (const list of byCode.values()) {
    const summaries = list.map((r) => ({
      row: r,
      status: r.status,
      effectiveFrom: r.effectiveFrom ?? null,
      effectiveTo: r.effectiveTo ?? null,
    }));
    const { inForce, upcoming } = byDate(summaries, today);
    if (inForce) chosen.push({ row: inForce.row, upcoming: false });
    for (const u of upcoming) chosen.push({ row: u.row, upcoming: true });
  }
  const documents = await documentsOf(
    em,
    chosen.map((c) => c.row.id),
  );
  const found: ExportedProcedure[] = [];
  for (const { row, upcoming } of chosen) {
    const document = parseStored(documents.get(row.id)!);
    // A version published through the API with a date keeps it on the row, not in its document.
    if (upcoming) document.effectiveFrom = row.effectiveFrom!;
    found.push({ document, bindings: await bindingsOf(em, row.procedureCode, row.version), upcoming });
  }
  const have = new Set(chosen.map((c) => c.row.procedureCode));
  return { found, missing: (codes ?? []).filter((c) => !have.has(c)) };
}
