import type { EntityManager } from '@mikro-orm/knex';
import { parseQuery, prefixEnd } from './fold.ts';
import type { ProcedureDocument } from './schema.ts';
import { IN_FORCE_ON, type VersionStatus } from './store.ts';
import { sql as execSql } from '../db/sql.ts';

/**
 * Catalogue search, the same SQL on SQLite and PostgreSQL, on folded columns the app maintains
 * (fold.ts). A row matches by code, or when every query word starts a word of its text (an index
 * range scan of procedure_words), so "ho" finds "hộ" but not "cho". Matches are ranked in SQL:
 * exact code, code prefix, phrase in the name, all words in the name, phrase in name +
 * description + keywords, all words there (LIKE '% ho kinh%' on the matching rows only).
 */

export interface SearchParams {
  q?: string;
  sector?: string;
  level?: string;
  agency?: string;
  /**
   * Which version of each procedure is searched: `in_force` (default) the one that applies on
   * `on`; `published` the newest published one, which may not apply yet; the open draft; or the
   * last retired one.
   */
  status?: VersionStatus | 'in_force';
  /** For `in_force`: a Vietnam date YYYY-MM-DD (the catalogue service fills in today). */
  on?: string;
  limit?: number;
  offset?: number;
}

export const matchKinds = ['code', 'code_prefix', 'name_phrase', 'name_words', 'text_phrase', 'text_words'] as const;
export type MatchKind = (typeof matchKinds)[number];

export interface SearchHit {
  code: string;
  version: number;
  status: VersionStatus;
  name: string;
  levels: string[];
  sectors: { code: string; name: string }[];
  onlineLevel: string;
  implementing: { code: string; name: string }[];
  effectiveFrom: string | null;
  effectiveTo: string | null;
  /** Why it matched (null without a query). */
  match: MatchKind | null;
}

export interface SearchResult {
  total: number;
  items: SearchHit[];
}

interface Clause {
  sql: string;
  params: unknown[];
}

const and = (parts: Clause[]): Clause => ({ sql: parts.map((p) => p.sql).join(' AND '), params: parts.flatMap((p) => p.params) });

function likeWords(column: string, words: string[]): Clause {
  return and(words.map((w) => ({ sql: `${column} LIKE ?`, params: [`% ${w}%`] })));
}

/** Versions with a word starting with `w`: an index range scan of procedure_words. */
function wordPrefix(w: string): Clause {
  const end = prefixEnd(w);
  return end
    ? { sql: 'v.id IN (SELECT pw.version_id FROM procedure_words pw WHERE pw.word >= ? AND pw.word < ?)', params: [w, end] }
    : { sql: 'v.id IN (SELECT pw.version_id FROM procedure_words pw WHERE pw.word >= ?)', params: [w] };
}

/** The rank expression and the match condition of a query; null when nothing can match. */
function matching(q: string): { rank: Clause; where: Clause } | null {
  const { code, words } = parseQuery(q);
  const kinds: [MatchKind, Clause][] = [];
  if (code) {
    kinds.push(['code', { sql: 'v.code_folded = ?', params: [code] }]);
    kinds.push(['code_prefix', { sql: 'v.code_folded LIKE ?', params: [`${code}%`] }]);
  }
  if (words.length) {
    const phrase = words.join(' ');
    kinds.push(['name_phrase', { sql: 'v.name_folded LIKE ?', params: [`% ${phrase}%`] }]);
    if (words.length > 1) kinds.push(['name_words', likeWords('v.name_folded', words)]);
    // With one word the phrase in the text is the match itself; with several, all words are.
    if (words.length > 1) kinds.push(['text_phrase', { sql: 'v.text_folded LIKE ?', params: [`% ${phrase}%`] }]);
  }
  if (kinds.length === 0) return null;
  // A matching row that is none of the above matched by its words: the widest kind, without
  // another LIKE over its text.
  const rest = words.length === 0 ? matchKinds.length : matchKinds.indexOf(words.length > 1 ? 'text_words' : 'text_phrase');
  const rank: Clause = {
    sql: `CASE ${kinds.map(([k, c]) => `WHEN ${c.sql} THEN ${matchKinds.indexOf(k)}`).join(' ')} ELSE ${rest} END`,
    params: kinds.flatMap(([, c]) => c.params),
  };
  // Which rows match at all: the code, or every word starting a word of the text (the name is
  // part of the text). The words come from the word table's index, not from scanning the text;
  // the LIKEs of the rank then run on matching rows only.
  const widest: Clause[] = kinds.filter(([k]) => k === 'code' || k === 'code_prefix').map(([, c]) => c);
  if (words.length) widest.push(and(words.map(wordPrefix)));
  const where: Clause = { sql: `(${widest.map((c) => c.sql).join(' OR ')})`, params: widest.flatMap((c) => c.params) };
  return { rank, where };
}

function facet(kind: string, value: string): Clause {
  return {
    sql: 'EXISTS (SELECT 1 FROM procedure_facets f WHERE f.version_id = v.id AND f.facet = ? AND f.value = ?)',
    params: [kind, value],
  };
}

function versionClause(status: VersionStatus | 'in_force', on: string | undefined): Clause {
  if (status === 'retired') return { sql: "v.status = 'retired' AND v.superseded_by IS NULL", params: [] };
  if (status !== 'in_force') return { sql: 'v.status = ?', params: [status] };
  if (!on) throw new Error('searchProcedures: status in_force needs the date `on`');
  // The highest version in force (two may overlap only when a later one was dated back).
  return {
    sql: `${IN_FORCE_ON('v')} AND NOT EXISTS (SELECT 1 FROM procedure_versions w WHERE w.procedure_code = v.procedure_code AND w.version > v.version AND ${IN_FORCE_ON('w')})`,
    params: [on, on, on, on],
  };
}

export async function searchProcedures(em: EntityManager, params: SearchParams): Promise<SearchResult> {
  const status = params.status ?? 'in_force';
  const limit = Math.min(Math.max(params.limit ?? 20, 1), 100);
  const offset = Math.max(params.offset ?? 0, 0);
  const filters: Clause[] = [versionClause(status, params.on)];
  if (params.sector) filters.push(facet('sector', params.sector));
  if (params.level) filters.push(facet('level', params.level));
  if (params.agency) filters.push(facet('agency', params.agency));
  const q = params.q?.trim();
  const match = q ? matching(q) : null;
  if (q && !match) return { total: 0, items: [] };
  if (match) filters.push(match.where);
  const where = and(filters);
  const rank = match?.rank ?? { sql: 'NULL', params: [] };
  // Step 1 sorts narrow rows only (id, rank, name) and counts in the same scan.
  const page = await execSql(em).all<{ id: string; match_rank: number | null; total: number | string }>(
    `SELECT v.id, ${rank.sql} AS match_rank, COUNT(*) OVER () AS total FROM procedure_versions v WHERE ${where.sql}
     ORDER BY ${match ? 'match_rank, ' : ''}v.name_folded, v.procedure_code LIMIT ? OFFSET ?`,
    [...rank.params, ...where.params, limit, offset],
  );
  if (page.length === 0) {
    if (offset === 0) return { total: 0, items: [] };
    const [{ n }] = await execSql(em).all<{ n: number | string }>(
      `SELECT COUNT(*) AS n FROM procedure_versions v WHERE ${where.sql}`,
      where.params,
    );
    return { total: Number(n), items: [] };
  }
  const total = Number(page[0].total);
  // Step 2 reads the documents of this page only.
  const found = await execSql(em).all<{
    id: string;
    procedure_code: string;
    version: number;
    status: VersionStatus;
    document: string;
    effective_from: string | null;
    effective_to: string | null;
  }>(
    `SELECT v.id, v.procedure_code, v.version, v.status, d.document, v.effective_from, v.effective_to FROM procedure_versions v
     JOIN procedure_documents d ON d.version_id = v.id WHERE v.id IN (${page.map(() => '?').join(', ')})`,
    page.map((p) => p.id),
  );
  const byId = new Map(found.map((f) => [f.id, f]));
  const rows = page.map((p) => ({ ...byId.get(p.id)!, match_rank: p.match_rank }));
  return {
    total,
    items: rows.map((r) => {
      // Stored documents were validated on the way in: plain JSON.parse keeps the page cheap.
      const doc = JSON.parse(r.document) as ProcedureDocument;
      return {
        code: r.procedure_code,
        version: Number(r.version),
        status: r.status,
        name: doc.name,
        levels: doc.levels,
        sectors: doc.sectors,
        onlineLevel: doc.onlineLevel,
        implementing: doc.agencies.implementing,
        effectiveFrom: r.effective_from,
        effectiveTo: r.effective_to,
        match: r.match_rank === null || r.match_rank === undefined ? null : (matchKinds[Number(r.match_rank)] ?? null),
      };
    }),
  };
}
