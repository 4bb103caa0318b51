import type { EntityManager } from '@mikro-orm/knex';
import { prefixEnd, words as foldWords, MAX_QUERY_WORDS, MAX_WORD_LENGTH } from '../catalogue/fold.ts';
import { sql } from '../db/sql.ts';
import { AppError } from '../errors.ts';
import type { Ports } from '../modules/ports.ts';
import type { Authz } from '../org/authz.ts';
import { Unit } from '../org/entities.ts';
import { statusNames } from './model.ts';
import { codeKey, phoneKey } from './search-fields.ts';

/**
 * Dossier search (`GET /api/dossiers`, docs/dossiers.md § Search): one SQL statement, the same
 * on SQLite and PostgreSQL, newest received first, a keyset page. Scoped exactly as the read of
 * one dossier: the dossier's stored `unit_path` under one of the caller's `dossier.read` scopes.
 *
 * A name query is driven by its rare words: each query word's dossiers are read from
 * `dossier_words` (an index range) up to `RARE`; the dossiers of the words below the cap,
 * intersected, are the candidates, passed as a list of ids and sorted (the time index is kept out
 * of that plan on purpose: walking it for a few scattered rows would read the whole table). The
 * common words (`nguyen`, `van`) are checked with `LIKE '% word%'` on those rows. When every word
 * is common, the newest-first index walk finds matches densely and stops at the page's end.
 */

/** The finished statuses: refused, withdrawn, stopped, resolved, delivered. */
export const FINISHED = [3, 7, 8, 9, 10] as const;
/** Below this many dossiers a query word drives the search through the word index. */
export const RARE = 1000;

export interface DossierQuery {
  q?: string;
  idNumber?: string;
  phone?: string;
  procedureCode?: string;
  status?: number[];
  unitId?: string;
  /** Vietnam dates YYYY-MM-DD, both included. */
  receivedFrom?: string;
  receivedTo?: string;
  overdue?: boolean;
  limit?: number;
  cursor?: string;
}

export interface DossierSummary {
  code: string;
  status: number;
  statusName: string;
  applicantName: string;
  procedure: { code: string; name: string };
  receivedAt: string | null;
  appointmentAt: string | null;
  unit: { id: string; code: string; name: string };
  /** The appointment has passed and the dossier is not finished (status 3, 7, 8, 9, 10). */
  overdue: boolean;
}

export interface DossierPage {
  items: DossierSummary[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

interface Clause {
  sql: string;
  params: unknown[];
}

interface Row {
  id: string;
  code: string;
  status: number | string;
  applicant_name: string;
  procedure_code: string;
  procedure_name: string;
  received_at: Date | number | string | null;
  appointment_at: Date | number | string | null;
  unit_id: string;
  listed_at: Date | number | string;
}

const CURSOR = /^(\d{1,15})\.([0-9A-Za-z-]{1,36})$/;
/** A cursor as the API takes it: `<listed at, epoch ms>.<id>` of the last row of a page. */
export const cursorPattern = CURSOR;

const when = (v: Date | number | string | null): Date | null => (v === null || v === undefined ? null : new Date(v));

/** 00:00 of a Vietnam date (UTC+7, no daylight saving). */
const vietnamMidnight = (date: string, plusDays = 0) => new Date(Date.parse(`${date}T00:00:00+07:00`) + plusDays * 86_400_000);

export const isOverdue = (status: number, appointmentAt: Date | null, now: Date) =>
  appointmentAt !== null && appointmentAt.getTime() < now.getTime() && !(FINISHED as readonly number[]).includes(status);

/** A word prefix as an index range of `dossier_words`. */
function wordRange(w: string): Clause {
  const end = prefixEnd(w);
  return end ? { sql: 'dw.word >= ? AND dw.word < ?', params: [w, end] } : { sql: 'dw.word >= ?', params: [w] };
}

const intersect = (a: Set<string> | null, b: Set<string>): Set<string> => (a === null ? b : new Set([...a].filter((x) => b.has(x))));

/**
 * The match of `q`: one token holding a digit is a code or a code's prefix (`code_key` range);
 * anything else is words, each the start of a word of the applicant's or owner's name.
 * Null when nothing can match.
 */
async function matching(em: EntityManager, q: string, rare: number): Promise<{ where: Clause[]; driven: boolean } | null> {
  const trimmed = q.trim();
  if (!/\s/.test(trimmed) && /\d/.test(trimmed)) {
    const key = codeKey(trimmed).slice(0, 100);
    if (!key) return null;
    const end = prefixEnd(key);
    const range = end ? { sql: 'd.code_key >= ? AND d.code_key < ?', params: [key, end] } : { sql: 'd.code_key >= ?', params: [key] };
    return { where: [range], driven: false };
  }
  const ws = [...new Set(foldWords(trimmed).map((w) => w.slice(0, MAX_WORD_LENGTH)))].slice(0, MAX_QUERY_WORDS);
  if (ws.length === 0) return null;
  // Each word's dossiers are counted in the word index up to RARE (no row leaves the database);
  // the dossiers of each word below the cap are then read and intersected: the candidates.
  let candidates: Set<string> | null = null;
  const common: string[] = [];
  for (const w of ws) {
    const range = wordRange(w);
    const [{ n }] = await sql(em).all<{ n: number | string }>(
      `SELECT COUNT(*) AS n FROM (SELECT 1 FROM dossier_words dw WHERE ${range.sql} LIMIT ?) x`,
      [...range.params, rare],
    );
    if (Number(n) === 0) return null;
    if (Number(n) >= rare) common.push(w);
  }
  for (const w of ws.filter((x) => !common.includes(x))) {
    const range = wordRange(w);
    const ids = await sql(em).all<{ dossier_id: string }>(
      `SELECT DISTINCT dw.dossier_id FROM dossier_words dw WHERE ${range.sql}`,
      range.params,
    );
    candidates = intersect(candidates, new Set<string>(ids.map((r) => r.dossier_id)));
    if (candidates.size === 0) return null;
  }
  const where: Clause[] = common.map((w) => ({ sql: 'd.names_folded LIKE ?', params: [`% ${w}%`] }));
  if (candidates) where.unshift({ sql: `d.id IN (${[...candidates].map(() => '?').join(', ')})`, params: [...candidates] });
  return { where, driven: candidates !== null };
}

/** The statement of a search (null when nothing can match); `bench/dossiers.bench.ts` explains it. */
export async function searchStatement(
  em: EntityManager,
  authz: Authz,
  query: DossierQuery,
  now: Date,
  rare = RARE,
): Promise<{ sql: string; params: unknown[]; limit: number } | null> {
  const empty = null;
  const limit = Math.min(Math.max(query.limit ?? 20, 1), 100);
  const scopes = authz.scopes('dossier.read');
  if (scopes.length === 0) return empty;
  /** True when a short list of ids selects the rows: then they are sorted, never found by walking the time index. */
  let driven = false;
  const where: Clause[] = [{ sql: `(${scopes.map(() => 'd.unit_path LIKE ?').join(' OR ')})`, params: scopes.map((s) => `${s}%`) }];
  if (query.unitId) {
    const unit = (await em.findOne(Unit, { id: query.unitId })) ?? (await em.findOne(Unit, { code: query.unitId }));
    if (!unit) throw new AppError('unit.not_found', `No unit "${query.unitId}"`);
    // The unit's subtree as it is now, by id: an index walk per desk (unit_id, status, listed_at).
    const ids = (await em.find(Unit, { path: { $like: `${unit.path}%` } }, { fields: ['id'] })).map((u) => u.id);
    where.push({ sql: ids.length === 1 ? 'd.unit_id = ?' : `d.unit_id IN (${ids.map(() => '?').join(', ')})`, params: ids });
  }
  if (query.q !== undefined) {
    const match = await matching(em, query.q, rare);
    if (!match) return empty;
    where.push(...match.where);
    driven = match.driven;
  }
  if (query.idNumber) where.push({ sql: 'd.applicant_id_number = ?', params: [query.idNumber.trim()] });
  if (query.phone) {
    const key = phoneKey(query.phone);
    if (!key) return empty;
    where.push({ sql: 'd.phone_key = ?', params: [key] });
  }
  if (query.procedureCode) where.push({ sql: 'd.procedure_code = ?', params: [query.procedureCode] });
  if (query.status?.length) {
    where.push({ sql: `d.status IN (${query.status.map(() => '?').join(', ')})`, params: query.status });
  }
  if (query.receivedFrom || query.receivedTo) {
    // listed_at is the receipt time of every received dossier: one index range serves both.
    where.push({ sql: 'd.received_at IS NOT NULL', params: [] });
    if (query.receivedFrom) where.push({ sql: 'd.listed_at >= ?', params: [vietnamMidnight(query.receivedFrom)] });
    if (query.receivedTo) where.push({ sql: 'd.listed_at < ?', params: [vietnamMidnight(query.receivedTo, 1)] });
  }
  const finished = FINISHED.join(', ');
  if (query.overdue === true) where.push({ sql: `d.appointment_at < ? AND d.status NOT IN (${finished})`, params: [now] });
  if (query.overdue === false) {
    where.push({ sql: `(d.appointment_at IS NULL OR d.appointment_at >= ? OR d.status IN (${finished}))`, params: [now] });
  }
  if (query.cursor) {
    const m = CURSOR.exec(query.cursor);
    if (!m) throw new AppError('request.invalid', 'The cursor is not one a page of this list gave');
    const at = new Date(Number(m[1]));
    where.push({ sql: '(d.listed_at < ? OR (d.listed_at = ? AND d.id < ?))', params: [at, at, m[2]] });
  }
  return {
    limit,
    sql: `SELECT d.id, d.code, d.status, d.applicant_name, d.procedure_code, d.procedure_name, d.received_at, d.appointment_at,
            d.unit_id, d.listed_at
       FROM dossiers d WHERE ${where.map((c) => c.sql).join(' AND ')}
      ORDER BY ${driven ? 'COALESCE(d.listed_at, d.listed_at)' : 'd.listed_at'} DESC, d.id DESC LIMIT ?`,
    params: [...where.flatMap((c) => c.params), limit + 1],
  };
}

/** One page of the dossiers the caller may read, newest received first (the creation time for those never received). */
export async function searchDossiers(em: EntityManager, authz: Authz, query: DossierQuery, now: Date, rare = RARE): Promise<DossierPage> {
  const statement = await searchStatement(em, authz, query, now, rare);
  if (!statement) return { items: [], nextCursor: null };
  const { limit } = statement;
  const rows = await sql(em).all<Row>(statement.sql, statement.params);
  const page = rows.slice(0, limit);
  const units = page.length ? await em.find(Unit, { id: { $in: [...new Set(page.map((r) => r.unit_id))] } }) : [];
  const unitOf = new Map(units.map((u) => [u.id, u]));
  const last = page[page.length - 1];
  return {
    items: page.map((r) => {
      const status = Number(r.status);
      const appointment = when(r.appointment_at);
      const u = unitOf.get(r.unit_id);
      return {
        code: r.code,
        status,
        statusName: statusNames[status],
        applicantName: r.applicant_name,
        procedure: { code: r.procedure_code, name: r.procedure_name },
        receivedAt: when(r.received_at)?.toISOString() ?? null,
        appointmentAt: appointment?.toISOString() ?? null,
        unit: { id: r.unit_id, code: u?.code ?? '', name: u?.name ?? '' },
        overdue: isOverdue(status, appointment, now),
      };
    }),
    nextCursor: rows.length > limit ? `${when(last.listed_at)!.getTime()}.${last.id}` : null,
  };
}

/** The search as a port (`dossierSearch`): the routes' and the CLI's way in. */
export class DossierSearch {
  constructor(private readonly svc: Pick<Ports, 'db' | 'clock'>) {}

  search(authz: Authz, query: DossierQuery): Promise<DossierPage> {
    return searchDossiers(this.svc.db.em(), authz, query, this.svc.clock.now());
  }
}
