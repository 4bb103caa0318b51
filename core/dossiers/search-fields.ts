import type { EntityManager } from '@mikro-orm/knex';
import { fold, MAX_WORD_LENGTH, words } from '../catalogue/fold.ts';
import { DossierWord } from './entities.ts';

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
}

/** A code as searched: folded, everything but letters and digits dropped. */
export const codeKey = (code: string): string => fold(code).replace(/[^a-z0-9]/g, '');

/** A phone as searched: `+84 912.345.678` and `0912 345 678` are both `0912345678`. */
export function phoneKey(phone: string | null | undefined): string | null {
  const digits = (phone ?? '').replace(/\D/g, '');
  if (!digits) return null;
  return digits.startsWith('84') && digits.length >= 11 ? `0${digits.slice(2)}` : digits;
}

export function searchFields(d: { code: string; applicantName: string; ownerName?: string | null; phone?: string | null }): SearchFields {
  const all = [...words(d.applicantName), ...(d.ownerName ? words(d.ownerName) : [])].map((w) => w.slice(0, MAX_WORD_LENGTH));
  return {
    codeKey: codeKey(d.code),
    namesFolded: ` ${all.join(' ')} `,
    words: [...new Set(all)],
    phoneKey: phoneKey(d.phone),
  };
}

/** The search columns and words of a new dossier (service.ts create). */
export const searchRows = {
  columns(code: string, input: { applicant: { name: string; phone?: string }; owner?: { name: string } }) {
    const f = searchFields({ code, applicantName: input.applicant.name, ownerName: input.owner?.name, phone: input.applicant.phone });
    return { codeKey: f.codeKey, namesFolded: f.namesFolded, phoneKey: f.phoneKey };
  },
  /** Queues the dossier's name words for the next flush (the dossier row is written already). */
  words(em: EntityManager, dossierId: string, input: { applicant: { name: string }; owner?: { name: string } }): void {
    const f = searchFields({ code: '', applicantName: input.applicant.name, ownerName: input.owner?.name });
    for (const word of f.words) em.create(DossierWord, { dossierId, word });
  },
};
