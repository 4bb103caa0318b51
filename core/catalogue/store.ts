import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/knex';
import type { Acting } from '../org/actor.ts';
import { searchColumns, wordSet } from './fold.ts';
import { procedureDocument, type ProcedureDocument } from './schema.ts';
import { sql } from '../db/sql.ts';

/** Rows of the catalogue tables (migration 0008) and the plain reads and writes on them. */

export type VersionStatus = 'draft' | 'published' | 'retired';
export type ProcedureStatus = 'draft' | 'published' | 'retired';

export interface Binding {
  caseKey: string;
  definitionKey: string;
  definitionVersion: number;
}

export interface ProcedureRow {
  code: string;
  status: ProcedureStatus;
  latest_version: number;
  published_version: number | null;
  lock_version: number;
  created_at: unknown;
  updated_at: unknown;
}

export interface VersionRow {
  id: string;
  procedure_code: string;
  version: number;
  status: VersionStatus;
  document: string;
  name: string;
  effective_from: string | null;
  effective_to: string | null;
  superseded_by: number | null;
  source_pack_id: string | null;
  source_pack_version: string | null;
  created_at: unknown;
  created_by_name: string;
  updated_at: unknown;
  updated_by_name: string;
  published_at: unknown;
  published_by_name: string | null;
  retired_at: unknown;
  retired_by_name: string | null;
}

export const VERSION_COLUMNS =
  'v.id, procedure_code, version, status, d.document, name, effective_from, effective_to, superseded_by, source_pack_id, source_pack_version, created_at, created_by_name, updated_at, updated_by_name, published_at, published_by_name, retired_at, retired_by_name';

/** Timestamps come back as Date (PostgreSQL) or epoch milliseconds (SQLite). */
export function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return new Date(n as string | number).toISOString();
}

/** Stable JSON (keys sorted): equal documents give equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A stored document read back through the schema (defaults of fields added later apply). */
export function parseStored(json: string): ProcedureDocument {
  return procedureDocument.parse(JSON.parse(json));
}

export async function procedureRow(em: EntityManager, code: string): Promise<ProcedureRow | null> {
  const [row] = await sql(em).all<ProcedureRow>(
    'SELECT code, status, latest_version, published_version, lock_version, created_at, updated_at FROM procedures WHERE code = ?',
    [code],
  );
  return row
    ? {
        ...row,
        latest_version: Number(row.latest_version),
        published_version: row.published_version === null ? null : Number(row.published_version),
        lock_version: Number(row.lock_version),
      }
    : null;
}

export async function versionRows(em: EntityManager, code: string, where = '', params: unknown[] = []): Promise<VersionRow[]> {
  const rows = await sql(em).all<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM procedure_versions v JOIN procedure_documents d ON d.version_id = v.id WHERE procedure_code = ?${where} ORDER BY version`,
    [code, ...params],
  );
  return rows.map((r) => ({ ...r, version: Number(r.version), superseded_by: r.superseded_by === null ? null : Number(r.superseded_by) }));
}

export async function bindingsOf(em: EntityManager, code: string, version: number): Promise<Binding[]> {
  const rows = await sql(em).all<{ case_key: string; definition_key: string; definition_version: number }>(
    'SELECT case_key, definition_key, definition_version FROM procedure_bindings WHERE procedure_code = ? AND version = ? ORDER BY case_key',
    [code, version],
  );
  return rows.map((r) => ({ caseKey: r.case_key, definitionKey: r.definition_key, definitionVersion: Number(r.definition_version) }));
}

/**
 * Moves the procedure's lock forward when it is still at `expected`: the one guard of every
 * edit. Returns false when someone else changed it first (nothing is written then).
 */
export async function bumpProcedure(
  em: EntityManager,
  code: string,
  expected: number,
  set: { status?: ProcedureStatus; latestVersion?: number; publishedVersion?: number | null },
  now: Date,
): Promise<boolean> {
  const cols: string[] = ['lock_version = lock_version + 1', 'updated_at = ?'];
  const params: unknown[] = [now];
  const put = (column: string, value: unknown) => {
    cols.push(`${column} = ?`);
    params.push(value);
  };
  if (set.status) put('status', set.status);
  if (set.latestVersion !== undefined) put('latest_version', set.latestVersion);
  if (set.publishedVersion !== undefined) put('published_version', set.publishedVersion);
  const res = await sql(em).run(`UPDATE procedures SET ${cols.join(', ')} WHERE code = ? AND lock_version = ?`, [
    ...params,
    code,
    expected,
  ]);
  return res.affectedRows === 1;
}

export async function insertProcedure(em: EntityManager, code: string, status: ProcedureStatus, now: Date): Promise<void> {
  await sql(em).run(
    'INSERT INTO procedures (code, status, latest_version, published_version, lock_version, created_at, updated_at) VALUES (?, ?, 1, ?, 1, ?, ?)',
    [code, status, status === 'published' ? 1 : null, now, now],
  );
}

export interface NewVersion {
  version: number;
  status: VersionStatus;
  doc: ProcedureDocument;
  effectiveFrom?: string | null;
  source?: { packId: string; packVersion: string } | null;
}

/** Writes a version with its search columns and facets. */
export async function insertVersion(em: EntityManager, acting: Acting, v: NewVersion, now: Date): Promise<string> {
  const id = crypto.randomUUID();
  const json = JSON.stringify(v.doc);
  const s = searchColumns(v.doc);
  const published = v.status === 'published';
  const who = acting.actor;
  await sql(em).run(
    `INSERT INTO procedure_versions (id, procedure_code, version, status, name, code_folded, name_folded, text_folded, effective_from, effective_to,
       superseded_by, source_pack_id, source_pack_version, created_at, created_by, created_by_name, updated_at, updated_by_name, published_at, published_by, published_by_name)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      id,
      v.doc.code,
      v.version,
      v.status,
      v.doc.name,
      s.codeFolded,
      s.nameFolded,
      s.textFolded,
      v.effectiveFrom ?? null,
      v.source?.packId ?? null,
      v.source?.packVersion ?? null,
      now,
      who.id,
      who.name,
      now,
      who.name,
      published ? now : null,
      published ? who.id : null,
      published ? who.name : null,
    ],
  );
  await sql(em).run('INSERT INTO procedure_documents (version_id, document, document_hash) VALUES (?, ?, ?)', [id, json, sha256(json)]);
  await writeFacets(em, id, v.doc);
  return id;
}

/** Replaces the document of an open draft (same version number). */
export async function replaceDraft(em: EntityManager, acting: Acting, id: string, doc: ProcedureDocument, now: Date): Promise<void> {
  const json = JSON.stringify(doc);
  const s = searchColumns(doc);
  await sql(em).run(
    'UPDATE procedure_versions SET name = ?, code_folded = ?, name_folded = ?, text_folded = ?, updated_at = ?, updated_by_name = ? WHERE id = ?',
    [doc.name, s.codeFolded, s.nameFolded, s.textFolded, now, acting.actor.name, id],
  );
  await sql(em).run('UPDATE procedure_documents SET document = ?, document_hash = ? WHERE version_id = ?', [json, sha256(json), id]);
  await sql(em).run('DELETE FROM procedure_facets WHERE version_id = ?', [id]);
  await sql(em).run('DELETE FROM procedure_words WHERE version_id = ?', [id]);
  await writeFacets(em, id, doc);
}

/** Facets (sector, level, agency) and search words of a version. */
async function writeFacets(em: EntityManager, versionId: string, doc: ProcedureDocument): Promise<void> {
  const a = doc.agencies;
  const facets = new Set<string>([
    ...doc.sectors.map((s) => `sector\u0000${s.code}`),
    ...doc.levels.map((l) => `level\u0000${l}`),
    ...[...a.implementing, ...a.competent, ...a.authorised, ...a.coordinating].map((x) => `agency\u0000${x.code}`),
  ]);
  const rows = [...facets].map((f) => [versionId, ...f.split('\u0000')]);
  await sql(em).run(
    `INSERT INTO procedure_facets (version_id, facet, value) VALUES ${rows.map(() => '(?, ?, ?)').join(', ')}`,
    rows.flat(),
  );
  const words = wordSet(searchColumns(doc).textFolded);
  for (let i = 0; i < words.length; i += 200) {
    const chunk = words.slice(i, i + 200);
    await sql(em).run(
      `INSERT INTO procedure_words (version_id, word) VALUES ${chunk.map(() => '(?, ?)').join(', ')}`,
      chunk.flatMap((w) => [versionId, w]),
    );
  }
}

export async function insertBindings(em: EntityManager, code: string, version: number, bindings: Binding[]): Promise<void> {
  for (const b of bindings) {
    await sql(em).run(
      'INSERT INTO procedure_bindings (procedure_code, version, case_key, definition_key, definition_version) VALUES (?, ?, ?, ?, ?)',
      [code, version, b.caseKey, b.definitionKey, b.definitionVersion],
    );
  }
}

/** Keeps the sector catalogue in step with what is published (code → latest name). */
export async function upsertSectors(em: EntityManager, doc: ProcedureDocument, now: Date): Promise<void> {
  for (const s of doc.sectors) {
    const [row] = await sql(em).all<{ name: string }>('SELECT name FROM sectors WHERE code = ?', [s.code]);
    if (!row) await sql(em).run('INSERT INTO sectors (code, name, created_at, updated_at) VALUES (?, ?, ?, ?)', [s.code, s.name, now, now]);
    else if (row.name !== s.name) await sql(em).run('UPDATE sectors SET name = ?, updated_at = ? WHERE code = ?', [s.name, now, s.code]);
  }
}

/** Ends the published version (and an earlier retired one not yet replaced) when `version` takes over. */
export async function supersede(
  em: EntityManager,
  acting: Acting,
  code: string,
  version: number,
  effectiveFrom: string,
  now: Date,
): Promise<number | null> {
  const [prev] = await sql(em).all<{ version: number }>(
    "SELECT version FROM procedure_versions WHERE procedure_code = ? AND status = 'published'",
    [code],
  );
  await sql(em).run(
    "UPDATE procedure_versions SET status = 'retired', effective_to = ?, superseded_by = ?, retired_at = ?, retired_by = ?, retired_by_name = ? WHERE procedure_code = ? AND status = 'published'",
    [effectiveFrom, version, now, acting.actor.id, acting.actor.name, code],
  );
  await sql(em).run(
    "UPDATE procedure_versions SET superseded_by = ? WHERE procedure_code = ? AND status = 'retired' AND superseded_by IS NULL AND version < ?",
    [version, code, version],
  );
  return prev ? Number(prev.version) : null;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
