import type { EntityManager } from '@mikro-orm/knex';
import { sql } from '../db/sql.ts';
import { fold, MAX_WORD_LENGTH, words } from '../catalogue/fold.ts';
import { DossierNamePair, DossierWord } from './entities.ts';

/** Words of one name that take part in pairs: a name longer than this is searched by its first 16 words. */
export const MAX_NAME_WORDS = 16;

/**
 * What a dossier stores for search (migration core_0017, docs/dossiers.md § Search), computed
 * by the application so SQLite and PostgreSQL compare the same bytes. Written at receipt
 * (service.ts) and by the migration for rows older than it.
 */
export interface SearchFields {
  /** The code folded to [a-z0-9]: `DEMO.TTPVHCC-260306-0001` → `demottpvhcc2603060001`. */
  codeKey: string;
  /** ' word word ' of the applicant's and the owner's names, folded (no diacritics, đ → d). */
  namesFolded: string;
  /** The distinct words of those names (each at most 64 characters), for `dossier_words`. */
  words: string[];
  /** The applicant's phone, digits only, a leading country code 84 read as 0; null without one. */
  phoneKey: string | null;
  /** 'earlier later' for every two words of one name in their order, distinct, for `dossier_name_pairs`. */
  pairs: string[];
}

/** A code as searched: folded, everything but letters and digits dropped. */
export const codeKey = (code: string): string => fold(code).replace(/[^a-z0-9]/g, '');

/** A phone as searched: `+84 912.345.678` and `0912 345 678` are both `0912345678`. */
export function phoneKey(phone: string | null | undefined): string | null {
  const digits = (phone ?? '').replace(/\D/g, '');
  if (!digits) return null;
  return digits.startsWith('84') && digits.length >= 11 ? `0${digits.slice(2)}` : digits;
}

/** The folded words of a name as search compares them (each at most 64 characters). */
export const nameWords = (name: string | null | undefined): string[] => (name ? words(name).map((w) => w.slice(0, MAX_WORD_LENGTH)) : []);

/** Every two words of a name in their order ('nguyen van', 'nguyen anh', 'van anh'), over its first 16 words. */
export function namePairs(name: string[]): string[] {
  const ws = name.slice(0, MAX_NAME_WORDS);
  const out: string[] = [];
  for (let i = 0; i < ws.length; i++) for (let j = i + 1; j < ws.length; j++) out.push(`${ws[i]} ${ws[j]}`);
  return out;
}

/**
 * Does a name query match a name? The query's words start words of the name in the same order,
 * not necessarily side by side; every word but the last is a whole word, the last may be the
 * beginning of one (`nguyen anh` and `nguyen van a` match Nguyễn Văn Anh; `anh nguyen` does not).
 */
export function nameMatches(name: string[], query: readonly string[]): boolean {
  let at = 0;
  for (let k = 0; k < query.length; k++) {
    const last = k === query.length - 1;
    while (at < name.length && !(last ? name[at].startsWith(query[k]) : name[at] === query[k])) at++;
    if (at === name.length) return false;
    at++;
  }
  return true;
}

export function searchFields(d: { code: string; applicantName: string; ownerName?: string | null; phone?: string | null }): SearchFields {
  const applicant = nameWords(d.applicantName);
  const owner = nameWords(d.ownerName);
  const all = [...applicant, ...owner];
  return {
    codeKey: codeKey(d.code),
    namesFolded: ` ${all.join(' ')} `,
    words: [...new Set(all)],
    phoneKey: phoneKey(d.phone),
    pairs: [...new Set([...namePairs(applicant), ...namePairs(owner)])],
  };
}

/** The owner's name out of the `owner` column (JSON with a `name`), null without one. */
export function ownerNameOf(owner: string | null | undefined): string | null {
  if (!owner) return null;
  try {
    const name = (JSON.parse(owner) as { name?: unknown }).name;
    return typeof name === 'string' ? name : null;
  } catch {
    return null;
  }
}

/** The search columns and words of a new dossier (service.ts create). */
export const searchRows = {
  columns(code: string, input: { applicant: { name: string; phone?: string }; owner?: { name: string } }) {
    const f = searchFields({ code, applicantName: input.applicant.name, ownerName: input.owner?.name, phone: input.applicant.phone });
    return { codeKey: f.codeKey, namesFolded: f.namesFolded, phoneKey: f.phoneKey };
  },
  /** Queues the dossier's name words and word pairs for the next flush (the dossier row is written already). */
  words(em: EntityManager, dossierId: string, listedAt: Date, input: { applicant: { name: string }; owner?: { name: string } }): void {
    const f = searchFields({ code: '', applicantName: input.applicant.name, ownerName: input.owner?.name });
    for (const word of f.words) em.create(DossierWord, { dossierId, word });
    for (const pair of f.pairs) em.create(DossierNamePair, { pair, listedAt, dossierId });
  },
  /** The dossier's sort time changed (a submission received at the desk): its pairs follow, so their order is the list's. */
  async relist(em: EntityManager, dossierId: string, listedAt: Date): Promise<void> {
    await sql(em).run('UPDATE dossier_name_pairs SET listed_at = ? WHERE dossier_id = ?', [listedAt, dossierId]);
  },
};
