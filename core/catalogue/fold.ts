import type { ProcedureDocument } from './schema.ts';

/**
 * Search folding, done by the app so SQLite and PostgreSQL compare the same bytes:
 * NFD, combining marks removed, đ/Đ → d, lower case ("Đăng ký" → "dang ky").
 */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();
}

/** The words of a text, folded: letters and digits only. */
export function words(text: string): string[] {
  return fold(text)
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * ' word word … ': padded with spaces so `LIKE '% word%'` matches at the start of a word
 * and `LIKE '% two words%'` matches a phrase.
 */
export function searchable(...parts: (string | undefined)[]): string {
  const all = parts.flatMap((p) => (p ? words(p) : []));
  return ` ${all.join(' ')} `;
}

export interface SearchColumns {
  codeFolded: string;
  nameFolded: string;
  textFolded: string;
}

/** What a version stores for search: name alone, and name + description + keywords + sectors. */
export function searchColumns(doc: ProcedureDocument): SearchColumns {
  return {
    codeFolded: doc.code.toLowerCase(),
    nameFolded: searchable(doc.name),
    textFolded: searchable(doc.name, doc.description, ...doc.keywords, ...doc.sectors.map((s) => s.name), ...doc.targetSubjects),
  };
}

/** A parsed query: the code it may be, and its words. Unsafe characters never reach SQL patterns. */
export interface SearchQuery {
  /** Lower-case, only [a-z0-9.]; null when the query cannot be a code. */
  code: string | null;
  words: string[];
}

export const MAX_QUERY_WORDS = 8;

export function parseQuery(q: string): SearchQuery {
  const compact = fold(q).trim();
  const code = /^[a-z0-9.]{1,64}$/.test(compact) ? compact : null;
  return { code, words: [...new Set(words(q).map((w) => w.slice(0, MAX_WORD_LENGTH)))].slice(0, MAX_QUERY_WORDS) };
}

export const MAX_WORD_LENGTH = 64;
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * The smallest string above every word that starts with `prefix` (a word of [a-z0-9]), for
 * `word >= prefix AND word < end`: the last character moves up one ('ho' → 'hp', 'hz' → 'i').
 * Null when there is none ('zz'). Digits sort before letters in every collation we run on.
 */
export function prefixEnd(prefix: string): string | null {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const at = ALPHABET.indexOf(prefix[i]);
    if (at >= 0 && at < ALPHABET.length - 1) return prefix.slice(0, i) + ALPHABET[at + 1];
  }
  return null;
}

/** The distinct words stored for a version (from its folded search text). */
export function wordSet(textFolded: string): string[] {
  return [
    ...new Set(
      textFolded
        .split(' ')
        .filter(Boolean)
        .map((w) => w.slice(0, MAX_WORD_LENGTH)),
    ),
  ];
}
