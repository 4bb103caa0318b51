import type { EntityManager } from '@mikro-orm/knex';
import { prefixEnd, words as foldWords, MAX_QUERY_WORDS, MAX_WORD_LENGTH } from '../catalogue/fold.ts';
import { sql } from '../db/sql.ts';
import { AppError } from '../errors.ts';
import type { Ports } from '../modules/ports.ts';
import type { Authz } from '../org/authz.ts';
import { Unit } from '../org/entities.ts';
import { statusNames } from './model.ts';
import { beforeWorkdayEnd } from '../engine/band.ts';
import type { WorkdayEnds } from '../engine/calendar.ts';
import { unitWorkload, type Workload } from './workload.ts';
import { codeKey, MAX_NAME_WORDS, nameMatches, nameWords, ownerNameOf, phoneKey } from './search-fields.ts';

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
/** Below this many dossiers a pair of query words drives the search through the pair index. */
export const PAIR_DRIVE = 5000;
/** At most this many pairs of a query's words are counted to find the rarest. */
const MAX_PAIRS_COUNTED = 6;
/** The first batch of a driving pair's dossiers, and the largest batch of any round. */
const FIRST_BATCH = 200;
const MAX_BATCH = 3200;
/** The caps below which a word or a pair drives (tests lower them to reach every plan with a few dossiers). */
export interface Caps {
  word: number;
  pair: number;
  /** The first batch of a round-by-round search. */
  batch: number;
}
const CAPS: Caps = { word: RARE, pair: PAIR_DRIVE, batch: FIRST_BATCH };

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
  /** true: not finished, appointment from now to the end of today's working day (the calendar of the dossier's desk). */
  dueToday?: boolean;
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
  owner: string | null;
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

/** Two query words as an index range of `dossier_name_pairs`: the second one, the last word typed, may be a prefix. */
function pairRange(first: string, second: string, prefix: boolean): Clause {
  if (!prefix) return { sql: 'p.pair = ?', params: [`${first} ${second}`] };
  const end = prefixEnd(second);
  // 'van zz' has no word after it: the next key is the first word's own successor ('van' + '!' > 'van ').
  return { sql: 'p.pair >= ? AND p.pair < ?', params: [`${first} ${second}`, end ? `${first} ${end}` : `${first}!`] };
}

/** How a name or code query narrows the rows. */
interface Match {
  where: Clause[];
  /** A short list of ids selects the rows (one rare word). */
  driven: boolean;
  /** Two words or more: the words, checked on each name in order (`nameMatches`), and the pair that drives, if one is rare enough. */
  names: string[] | null;
  pair: Clause | null;
}

/**
 * The match of `q`: one token holding a digit is a code or a code's prefix (`code_key` range);
 * one word is the start of a word of the applicant's or owner's name; two words or more start
 * words of one of the names in the order typed (search-fields.ts `nameMatches`).
 * Null when nothing can match.
 */
async function matching(em: EntityManager, q: string, caps: Caps): Promise<Match | null> {
  const trimmed = q.trim();
  if (!/\s/.test(trimmed) && /\d/.test(trimmed)) {
    const key = codeKey(trimmed).slice(0, 100);
    if (!key) return null;
    const end = prefixEnd(key);
    const range = end ? { sql: 'd.code_key >= ? AND d.code_key < ?', params: [key, end] } : { sql: 'd.code_key >= ?', params: [key] };
    return { where: [range], driven: false, names: null, pair: null };
  }
  const ws = foldWords(trimmed)
    .map((w) => w.slice(0, MAX_WORD_LENGTH))
    .slice(0, MAX_QUERY_WORDS);
  if (ws.length === 0) return null;
  if (ws.length > 1) return pairs(em, ws, caps.pair);
  // One word: its dossiers are counted in the word index up to RARE (no row leaves the database);
  // below the cap they are the candidates, else the newest-first walk checks the folded names.
  const [w] = ws;
  const range = wordRange(w);
  const [{ n }] = await sql(em).all<{ n: number | string }>(
    `SELECT COUNT(*) AS n FROM (SELECT 1 FROM dossier_words dw WHERE ${range.sql} LIMIT ?) x`,
    [...range.params, caps.word],
  );
  if (Number(n) === 0) return null;
  if (Number(n) >= caps.word)
    return { where: [{ sql: 'd.names_folded LIKE ?', params: [`% ${w}%`] }], driven: false, names: null, pair: null };
  const ids = await sql(em).all<{ dossier_id: string }>(
    `SELECT DISTINCT dw.dossier_id FROM dossier_words dw WHERE ${range.sql}`,
    range.params,
  );
  const candidates = [...new Set(ids.map((r) => r.dossier_id))];
  return {
    where: [{ sql: `d.id IN (${candidates.map(() => '?').join(', ')})`, params: candidates }],
    driven: true,
    names: null,
    pair: null,
  };
}

/**
 * Two words or more. Every two of them in order must be a pair of one name, so the rarest pair
 * (counted in `dossier_name_pairs` up to PAIR_DRIVE; an absent pair means no match) drives: its
 * dossiers are read newest first a batch at a time, and the rest is checked on those rows. When
 * every pair is common, the matches are dense and the newest-first walk finds a page quickly.
 * On the rows, `LIKE` narrows (each whole word, the last as a prefix) and `nameMatches` decides.
 */
async function pairs(em: EntityManager, ws: string[], cap: number): Promise<Match | null> {
  const last = ws.length - 1;
  const options: Clause[] = [];
  for (let j = last; j > 0 && options.length < MAX_PAIRS_COUNTED; j--) {
    for (let i = j - 1; i >= 0 && options.length < MAX_PAIRS_COUNTED; i--) options.push(pairRange(ws[i], ws[j], j === last));
  }
  // Every pair counted (up to the cap) in one statement: one round trip, however many words.
  const [row] = await sql(em).all<Record<string, number | string>>(
    `SELECT ${options.map((o, k) => `(SELECT COUNT(*) FROM (SELECT 1 FROM dossier_name_pairs p WHERE ${o.sql} LIMIT ?) x${k}) AS n${k}`).join(', ')}`,
    options.flatMap((o) => [...o.params, cap]),
  );
  let best: { pair: Clause; n: number } | null = null;
  for (const [k, pair] of options.entries()) {
    const n = Number(row[`n${k}`]);
    if (n === 0) return null;
    if (n < cap && (!best || n < best.n)) best = { pair, n };
  }
  const where = ws.map((w, k) => ({ sql: 'd.names_folded LIKE ?', params: [k === last ? `% ${w}%` : `% ${w} %`] }));
  return { where, driven: false, names: ws, pair: best?.pair ?? null };
}

const keyset = (alias: string, id: string, at: Date, after: string): Clause => ({
  sql: `(${alias}.listed_at < ? OR (${alias}.listed_at = ? AND ${alias}.${id} < ?))`,
  params: [at, at, after],
});

const SELECT = `SELECT d.id, d.code, d.status, d.applicant_name, d.owner, d.procedure_code, d.procedure_name, d.received_at,
            d.appointment_at, d.unit_id, d.listed_at
       FROM dossiers d`;

type Candidates = { dossier_id: string; listed_at: Row['listed_at'] }[];
/** Gives the next `take` candidate dossiers after `after`, newest first, from an index alone. */
interface Driver {
  next(em: EntityManager, after: Plan['after'], take: number): Promise<Candidates>;
  /** The statement of its first round (the benchmark explains it). */
  first(after: Plan['after'], take: number): { sql: string; params: unknown[] };
}

/** The dossiers not finished: statuses 1–10 but FINISHED. */
const OPEN = [1, 2, 4, 5, 6, 7, 8, 9, 10].filter((x) => !(FINISHED as readonly number[]).includes(x));
const DAY = 86_400_000;

/**
 * Overdue dossiers newest received first, from the index (status, appointment_at, listed_at, id)
 * alone. A dossier is received before its appointment (listed_at <= appointment_at), so one due
 * before `lo` was listed before `lo`: a batch read among those due and received since `lo` is
 * exact when it is full. The window starts at one day and widens fourfold until it is (twenty
 * years: no bound). Its first batch is the page (the overdue condition is the filter).
 */
function overdueDriver(now: Date): Driver {
  let days = 1;
  const statement = (lo: Date | null, after: Plan['after'], take: number) => {
    const where: Clause[] = [
      { sql: `d.status IN (${OPEN.join(', ')}) AND d.appointment_at < ?`, params: [now] },
      // Received since lo too: older rows could not end a batch that is exact, and they stay out of the sort.
      ...(lo ? [{ sql: 'd.appointment_at >= ? AND d.listed_at >= ?', params: [lo, lo] }] : []),
      ...(after ? [keyset('d', 'id', after.at, after.id)] : []),
    ];
    return {
      sql: `SELECT d.id AS dossier_id, d.listed_at FROM dossiers d WHERE ${where.map((c) => c.sql).join(' AND ')}
          ORDER BY COALESCE(d.listed_at, d.listed_at) DESC, d.id DESC LIMIT ?`,
      params: [...where.flatMap((c) => c.params), take],
    };
  };
  const window = () => (days > 20 * 365 ? null : new Date(now.getTime() - days * DAY));
  return {
    first: (after, take) => statement(window(), after, take),
    async next(em, after, take) {
      for (;;) {
        const lo = window();
        const batch = await sql(em).all<Candidates[number]>(...spread(statement(lo, after, take)));
        if (!lo || batch.length === take) return batch;
        days *= 4;
      }
    },
  };
}

/** A search made ready to run: its filters, and what drives it. */
interface Plan {
  where: Clause[];
  driven: boolean;
  names: string[] | null;
  driver: Driver | null;
  limit: number;
  after: { at: Date; id: string } | null;
  batch: number;
}

async function plan(
  em: EntityManager,
  authz: Authz,
  query: DossierQuery,
  now: Date,
  caps: Caps,
  ends: WorkdayEnds = { byPath: [], otherwise: now },
): Promise<Plan | null> {
  const limit = Math.min(Math.max(query.limit ?? 20, 1), 100);
  const scopes = authz.scopes('dossier.read');
  if (scopes.length === 0) return null;
  let match: Match | null = null;
  const where: Clause[] = [{ sql: `(${scopes.map(() => 'd.unit_path LIKE ?').join(' OR ')})`, params: scopes.map((s) => `${s}%`) }];
  if (query.unitId) {
    const unit = (await em.findOne(Unit, { id: query.unitId })) ?? (await em.findOne(Unit, { code: query.unitId }));
    if (!unit) throw new AppError('unit.not_found', `No unit "${query.unitId}"`);
    // The unit's subtree as it is now, by id: an index walk per desk (unit_id, status, listed_at).
    const ids = (await em.find(Unit, { path: { $like: `${unit.path}%` } }, { fields: ['id'] })).map((u) => u.id);
    where.push({ sql: ids.length === 1 ? 'd.unit_id = ?' : `d.unit_id IN (${ids.map(() => '?').join(', ')})`, params: ids });
  }
  if (query.q !== undefined) {
    match = await matching(em, query.q, caps);
    if (!match) return null;
    where.push(...match.where);
  }
  if (query.idNumber) where.push({ sql: 'd.applicant_id_number = ?', params: [query.idNumber.trim()] });
  if (query.phone) {
    const key = phoneKey(query.phone);
    if (!key) return null;
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
  if (query.dueToday === true) {
    const end = beforeWorkdayEnd(ends, 'd.appointment_at', 'd.unit_path');
    where.push({ sql: `d.status NOT IN (${finished}) AND d.appointment_at >= ? AND ${end.sql}`, params: [now, ...end.params] });
  }
  let after: Plan['after'] = null;
  if (query.cursor) {
    const m = CURSOR.exec(query.cursor);
    if (!m) throw new AppError('request.invalid', 'The cursor is not one a page of this list gave');
    after = { at: new Date(Number(m[1])), id: m[2] };
  }
  const pair = match?.pair;
  let driver: Driver | null = pair
    ? {
        first: (a, take) => pairStatement(pair, a, take),
        next: (e, a, take) => sql(e).all<Candidates[number]>(...spread(pairStatement(pair, a, take))),
      }
    : null;
  // Province-wide overdue: the recent dossiers are not due yet, so the newest-first walk would read them all first.
  let batch = caps.batch;
  if (query.overdue === true && !match && !query.unitId && !query.idNumber && !query.phone) {
    driver = overdueDriver(now);
    batch = Math.min(batch, limit + 1);
  }
  return { where, driven: match?.driven ?? false, names: match?.names ?? null, driver, limit, after, batch };
}

/** The rows of one round: the candidates of a batch of the driving pair, or a stretch of the newest-first walk. */
function rowsStatement(p: Plan, ids: string[] | null, after: Plan['after'], take: number): { sql: string; params: unknown[] } {
  const where = [...p.where];
  if (ids) where.push({ sql: `d.id IN (${ids.map(() => '?').join(', ')})`, params: ids });
  else if (after) where.push(keyset('d', 'id', after.at, after.id));
  // A list of ids is sorted, never found by walking the time index (COALESCE keeps the index out of the plan).
  const order = p.driven || ids ? 'COALESCE(d.listed_at, d.listed_at)' : 'd.listed_at';
  return {
    sql: `${SELECT} WHERE ${where.map((c) => c.sql).join(' AND ')} ORDER BY ${order} DESC, d.id DESC LIMIT ?`,
    params: [...where.flatMap((c) => c.params), take],
  };
}

/** A batch of the driving pair's dossiers, newest first (the index `(pair, listed_at, dossier_id)` alone). */
function pairStatement(pair: Clause, after: Plan['after'], take: number): { sql: string; params: unknown[] } {
  const where = [pair, ...(after ? [keyset('p', 'dossier_id', after.at, after.id)] : [])];
  return {
    sql: `SELECT p.dossier_id, p.listed_at FROM dossier_name_pairs p WHERE ${where.map((c) => c.sql).join(' AND ')}
      ORDER BY p.listed_at DESC, p.dossier_id DESC LIMIT ?`,
    params: [...where.flatMap((c) => c.params), take],
  };
}

/** The first statement of a search (null when nothing can match); `bench/dossiers.bench.ts` explains it. */
export async function searchStatement(
  em: EntityManager,
  authz: Authz,
  query: DossierQuery,
  now: Date,
  caps: Caps = CAPS,
): Promise<{ sql: string; params: unknown[]; limit: number } | null> {
  const p = await plan(em, authz, query, now, caps);
  if (!p) return null;
  const st = p.driver ? p.driver.first(p.after, p.batch) : rowsStatement(p, null, p.after, p.limit + 1);
  return { ...st, limit: p.limit };
}

const isMatch = (names: string[] | null, r: Row) =>
  names === null ||
  [r.applicant_name, ownerNameOf(r.owner)].some((n) => n !== null && nameMatches(nameWords(n).slice(0, MAX_NAME_WORDS), names));

/**
 * The page's rows, plus one to tell whether another page follows. Without a name check, one
 * statement. With one, rounds: each reads a batch (of the driving pair's dossiers, or of the
 * walk), keeps the rows whose names match, and the next starts after the batch's last; the
 * batches grow fourfold, so a page with few matches far back costs a few rounds, not one per row.
 */
async function pageRows(em: EntityManager, p: Plan): Promise<Row[]> {
  const want = p.limit + 1;
  if (!p.names && !p.driver) return sql(em).all<Row>(...spread(rowsStatement(p, null, p.after, want)));
  const out: Row[] = [];
  let after = p.after;
  let take = p.driver ? p.batch : Math.min(want * 2, p.batch);
  for (;;) {
    let rows: Row[];
    let full: boolean;
    if (p.driver) {
      const batch = await p.driver.next(em, after, take);
      if (batch.length === 0) break;
      rows = await sql(em).all<Row>(
        ...spread(
          rowsStatement(
            p,
            batch.map((b) => b.dossier_id),
            null,
            take,
          ),
        ),
      );
      const last = batch[batch.length - 1];
      after = { at: when(last.listed_at)!, id: last.dossier_id };
      full = batch.length === take;
    } else {
      rows = await sql(em).all<Row>(...spread(rowsStatement(p, null, after, take)));
      if (rows.length === 0) break;
      const last = rows[rows.length - 1];
      after = { at: when(last.listed_at)!, id: last.id };
      full = rows.length === take;
    }
    out.push(...rows.filter((r) => isMatch(p.names, r)));
    if (out.length >= want || !full) break;
    take = Math.min(take * 4, MAX_BATCH);
  }
  return out.slice(0, want);
}

const spread = (st: { sql: string; params: unknown[] }): [string, unknown[]] => [st.sql, st.params];

/** One page of the dossiers the caller may read, newest received first (the creation time for those never received). */
export async function searchDossiers(
  em: EntityManager,
  authz: Authz,
  query: DossierQuery,
  now: Date,
  caps: Caps = CAPS,
  ends?: WorkdayEnds,
): Promise<DossierPage> {
  const p = await plan(em, authz, query, now, caps, ends);
  if (!p) return { items: [], nextCursor: null };
  const { limit } = p;
  const rows = await pageRows(em, p);
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
  constructor(private readonly svc: Pick<Ports, 'db' | 'clock' | 'calendar'>) {}

  search(authz: Authz, query: DossierQuery): Promise<DossierPage> {
    const now = this.svc.clock.now();
    return searchDossiers(this.svc.db.em(), authz, query, now, CAPS, this.svc.calendar.workdayEnds(now));
  }

  /** The leader view (GET /api/dossiers/workload, workload.ts). */
  workload(authz: Authz): Promise<Workload> {
    const now = this.svc.clock.now();
    return unitWorkload(this.svc.db.em(), authz, now, this.svc.calendar.workdayEnds(now));
  }
}
