import { createHash } from 'node:crypto';
import type { EntityData, EntityManager, EntitySchema } from '@mikro-orm/knex';
import type { Acting } from '../org/actor.ts';
import { searchColumns, wordSet } from './fold.ts';
import { procedureDocument, type ProcedureDocument } from './schema.ts';
import {
  Procedure,
  ProcedureBinding,
  ProcedureDocument as ProcedureDocumentRow,
  ProcedureFacet,
  ProcedureVersion,
  ProcedureWord,
  type ProcedureStatus,
  type VersionStatus,
} from './entities.ts';
import { Unit } from '../org/entities.ts';
import { sql } from '../db/sql.ts';

/**
 * The reads and writes of the catalogue tables (migration 0008). Importing a procedure (a pack
 * of a thousand, or the national catalogue) is a measured hot path, `npm run bench -- pack-import`
 * and the import figure of `npm run bench -- catalogue-search`: its statements are raw SQL through
 * `sql(em)`, marked "hot" below, read back as entity data by MikroORM's own result mapper. Through
 * the entity manager an import was about ten times slower on SQLite and three times on PostgreSQL
 * (catalogue-search bench, 5,000 procedures). Everything else goes through the entity manager. Reads never use the identity map: the writes are native
 * statements, so a managed copy would go stale and a later flush must find nothing of ours.
 */

export type { ProcedureStatus, VersionStatus } from './entities.ts';

/** The BPMN definition a case of a published version runs. */
export type Binding = Pick<ProcedureBinding, 'caseKey' | 'definitionKey' | 'definitionVersion'>;

/** The folded search columns: written here, read by search.ts only. */
type Folded = 'codeFolded' | 'nameFolded' | 'textFolded';

/** A version with its document (JSON text). */
export type VersionRow = Omit<ProcedureVersion, Folded> & { document: string };

const detached = { disableIdentityMap: true } as const;

/** A raw row (column names, the driver's types) as the entity's data: MikroORM's mapper, no identity map. */
function hydrate<T extends object>(em: EntityManager, entity: EntitySchema<T>, row: Record<string, unknown>): T {
  return em.getDriver().mapResult(row as EntityData<T>, em.getMetadata().get(entity.meta.className)) as T;
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

/** Hot. */
export async function procedureRow(em: EntityManager, code: string): Promise<Procedure | null> {
  const row = await sql(em).get('SELECT * FROM procedures WHERE code = ?', [code]);
  return row ? hydrate(em, Procedure, row) : null;
}

/**
 * A version (table alias `v`) applies on a Vietnam date (two parameters: the date, twice): not a
 * draft, begun, not yet ended. Status alone does not say it: a version published with a future
 * `effectiveFrom` is `published` before it applies, and the one it replaces is `retired` with an
 * `effective_to` still ahead while it goes on applying.
 */
export const IN_FORCE_ON = (v: string) =>
  `${v}.status <> 'draft' AND ${v}.effective_from <= ? AND (${v}.effective_to IS NULL OR ${v}.effective_to > ?)`;

/** Which versions of a procedure `versionRows` reads; `effectiveOn`: those in force on a date. */
export interface VersionFilter {
  status?: VersionStatus;
  version?: number;
  /** A Vietnam calendar date: the versions in force then (the highest of them wins). */
  effectiveOn?: string;
}

const VERSION_COLUMNS =
  'v.id, v.procedure_code, v.version, v.status, v.name, v.effective_from, v.effective_to, v.superseded_by, v.source_pack_id, v.source_pack_version, v.created_at, v.created_by, v.created_by_name, v.updated_at, v.updated_by_name, v.published_at, v.published_by, v.published_by_name, v.retired_at, v.retired_by, v.retired_by_name';

/** Hot. The versions of a procedure that match `filter`, oldest first, with their documents. */
export async function versionRows(em: EntityManager, code: string, filter: VersionFilter = {}): Promise<VersionRow[]> {
  let where = 'v.procedure_code = ?';
  const params: unknown[] = [code];
  if (filter.status) {
    where += ' AND v.status = ?';
    params.push(filter.status);
  }
  if (filter.version !== undefined) {
    where += ' AND v.version = ?';
    params.push(filter.version);
  }
  if (filter.effectiveOn) {
    where += ` AND ${IN_FORCE_ON('v')}`;
    params.push(filter.effectiveOn, filter.effectiveOn);
  }
  const rows = await sql(em).all<{ document: string }>(
    `SELECT ${VERSION_COLUMNS}, d.document FROM procedure_versions v JOIN procedure_documents d ON d.version_id = v.id WHERE ${where} ORDER BY v.version`,
    params,
  );
  return rows.map(({ document, ...row }) => ({ ...hydrate(em, ProcedureVersion, row), document }));
}

/** The document (JSON text) of each version id. */
export async function documentsOf(em: EntityManager, ids: string[]): Promise<Map<string, string>> {
  const rows = ids.length ? await em.find(ProcedureDocumentRow, { versionId: { $in: ids } }, { ...detached, fields: ['document'] }) : [];
  return new Map(rows.map((r) => [r.versionId, r.document]));
}

/** Hot. */
export async function bindingsOf(em: EntityManager, code: string, version: number): Promise<Binding[]> {
  const rows = await sql(em).all('SELECT * FROM procedure_bindings WHERE procedure_code = ? AND version = ? ORDER BY case_key', [
    code,
    version,
  ]);
  return rows.map((row) => {
    const b = hydrate(em, ProcedureBinding, row);
    return { caseKey: b.caseKey, definitionKey: b.definitionKey, definitionVersion: b.definitionVersion };
  });
}

/** Hot (checks before an import): the units of these codes, retired or not. */
export async function unitsByCode(em: EntityManager, codes: string[]): Promise<Pick<Unit, 'code' | 'validTo'>[]> {
  if (codes.length === 0) return [];
  const rows = await sql(em).all(`SELECT code, valid_to FROM units WHERE code IN (${codes.map(() => '?').join(', ')})`, codes);
  return rows.map((row) => hydrate(em, Unit, row));
}

/** Hot (checks before an import): the latest deployed version of a process definition, if any. */
export async function latestDefinitionVersion(em: EntityManager, key: string): Promise<number | null> {
  const row = await sql(em).get<{ max: number | string | null }>('SELECT MAX(version) AS max FROM process_definitions WHERE key = ?', [
    key,
  ]);
  return row?.max === null || row?.max === undefined ? null : Number(row.max);
}

/**
 * Hot. Moves the procedure's lock forward when it is still at `expected`: the one guard of every
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

/** Hot. */
export async function insertProcedure(em: EntityManager, code: string, status: ProcedureStatus, now: Date): Promise<void> {
  await sql(em).run(
    'INSERT INTO procedures (code, status, latest_version, published_version, lock_version, created_at, updated_at) VALUES (?, ?, 1, ?, 1, ?, ?)',
    [code, status, status === 'published' ? 1 : null, now, now],
  );
}

/** Sets the number of a procedure's newest version (a new draft after a published one). */
export async function setLatestVersion(em: EntityManager, code: string, version: number): Promise<void> {
  await em.nativeUpdate(Procedure, { code }, { latestVersion: version });
}

export interface NewVersion {
  version: number;
  status: VersionStatus;
  doc: ProcedureDocument;
  effectiveFrom?: string | null;
  source?: { packId: string; packVersion: string } | null;
}

/** Hot. Writes a version with its search columns and facets. */
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
  await em.nativeUpdate(
    ProcedureVersion,
    { id },
    {
      name: doc.name,
      codeFolded: s.codeFolded,
      nameFolded: s.nameFolded,
      textFolded: s.textFolded,
      updatedAt: now,
      updatedByName: acting.actor.name,
    },
  );
  await em.nativeUpdate(ProcedureDocumentRow, { versionId: id }, { document: json, documentHash: sha256(json) });
  await em.nativeDelete(ProcedureFacet, { versionId: id });
  await em.nativeDelete(ProcedureWord, { versionId: id });
  await writeFacets(em, id, doc);
}

/** Hot. Facets (sector, level, agency) and search words of a version. */
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

/** Hot. */
export async function insertBindings(em: EntityManager, code: string, version: number, bindings: Binding[]): Promise<void> {
  for (const b of bindings) {
    await sql(em).run(
      'INSERT INTO procedure_bindings (procedure_code, version, case_key, definition_key, definition_version) VALUES (?, ?, ?, ?, ?)',
      [code, version, b.caseKey, b.definitionKey, b.definitionVersion],
    );
  }
}

/** Hot. Keeps the sector catalogue in step with what is published (code → latest name). */
export async function upsertSectors(em: EntityManager, doc: ProcedureDocument, now: Date): Promise<void> {
  for (const s of doc.sectors) {
    const [row] = await sql(em).all<{ name: string }>('SELECT name FROM sectors WHERE code = ?', [s.code]);
    if (!row) await sql(em).run('INSERT INTO sectors (code, name, created_at, updated_at) VALUES (?, ?, ?, ?)', [s.code, s.name, now, now]);
    else if (row.name !== s.name) await sql(em).run('UPDATE sectors SET name = ?, updated_at = ? WHERE code = ?', [s.name, now, s.code]);
  }
}

/** Hot. Ends the published version (and an earlier retired one not yet replaced) when `version` takes over. */
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

/** A version's status change (publish, retire) with who did it, when. */
export async function updateVersion(em: EntityManager, id: string, changes: Partial<ProcedureVersion>): Promise<void> {
  await em.nativeUpdate(ProcedureVersion, { id }, changes);
}

/**
 * Refreshes the query planner's statistics of the search tables. Raw: no ORM API runs ANALYZE.
 */
export async function analyzeSearchTables(em: EntityManager): Promise<void> {
  for (const table of ['procedure_versions', 'procedure_words', 'procedure_facets']) await sql(em).all(`ANALYZE ${table}`);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
