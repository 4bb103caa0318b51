import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../errors.ts';
import { localDate } from '../time.ts';
import { sql } from '../db/sql.ts';

/**
 * Dossier codes (DOMAIN §4). The format is the province's (`settings` key `dossier.code_format`),
 * by default Circular 01/2018 Art. 19: `<agency id>-<YYMMDD>-<NNNN>`. Tokens:
 * `{agency}` the receiving agency's unit code; `{YYYY}`, `{YY}`, `{MM}`, `{DD}`, `{YYMMDD}` the
 * day of receipt in Vietnam time (UTC+7); `{N…N}` the daily sequence, zero-padded to as many
 * digits as N's (longer when a day outgrows them). A format must name the agency, the day and
 * the sequence, so two codes can never be equal.
 */
export const DEFAULT_CODE_FORMAT = '{agency}-{YYMMDD}-{NNNN}';
export const CODE_FORMAT_SETTING = 'dossier.code_format';

const TOKEN = /\{(agency|YYYY|YY|MM|DD|YYMMDD|N+)\}/g;

/** Throws `dossier.code_format` unless the format names agency, a full day and the sequence. */
export function checkCodeFormat(format: string): void {
  const tokens = [...format.matchAll(TOKEN)].map((m) => m[1]);
  const has = (t: string) => tokens.includes(t);
  const day = has('YYMMDD') || ((has('YYYY') || has('YY')) && has('MM') && has('DD'));
  const seq = tokens.filter((t) => t.startsWith('N')).length === 1;
  const rest = format.replace(TOKEN, '');
  if (!has('agency') || !day || !seq || /[{}]/.test(rest) || !/^[A-Za-z0-9._/-]*$/.test(rest)) {
    throw new AppError(
      'dossier.code_format',
      `Dossier code format "${format}" must contain {agency}, the day ({YYMMDD}, or {YYYY}/{YY} with {MM} and {DD}) and one sequence {NNNN}, with only letters, digits and . _ / - between them`,
    );
  }
}

/** The code of sequence `n` of `agency` on the Vietnam date `day` (YYYY-MM-DD). */
export function formatCode(format: string, agency: string, day: string, n: number): string {
  checkCodeFormat(format);
  const [yyyy, mm, dd] = day.split('-');
  return format.replace(TOKEN, (_m, token: string) => {
    switch (token) {
      case 'agency':
        return agency;
      case 'YYYY':
        return yyyy;
      case 'YY':
        return yyyy.slice(2);
      case 'MM':
        return mm;
      case 'DD':
        return dd;
      case 'YYMMDD':
        return `${yyyy.slice(2)}${mm}${dd}`;
      default:
        return String(n).padStart(token.length, '0');
    }
  });
}

/** The province's configured format, or the default. */
export async function codeFormat(em: EntityManager): Promise<string> {
  const [row] = await sql(em).all<{ value: string }>('SELECT value FROM settings WHERE key = ?', [CODE_FORMAT_SETTING]);
  return row?.value ?? DEFAULT_CODE_FORMAT;
}

/**
 * Takes the next number of the agency's daily counter **inside the caller's transaction**: one
 * upsert that creates the (agency, day) row at 1 or adds one to it, returning the new value.
 * On PostgreSQL the row stays locked until the transaction ends, so concurrent receipts at one
 * agency queue on it and each sees the number the previous one committed; a receipt that rolls
 * back releases its number with its row version, so the next one takes it again (no gap). On
 * SQLite the one writer serialises transactions to the same effect. Call it as the first write
 * of the transaction: it is the lock every receipt at that agency waits for.
 */
export async function nextNumber(em: EntityManager, agency: string, day: string): Promise<number> {
  const [row] = await sql(em).all<{ n: number | string }>(
    'INSERT INTO dossier_counters (agency_code, day, n) VALUES (?, ?, 1) ON CONFLICT (agency_code, day) DO UPDATE SET n = dossier_counters.n + 1 RETURNING n',
    [agency, day],
  );
  return Number(row.n);
}

/** Allocates the next dossier code of `agency` for the instant `at` (its Vietnam date). */
export async function nextCode(em: EntityManager, agency: string, at: Date): Promise<string> {
  const format = await codeFormat(em);
  checkCodeFormat(format);
  const day = localDate(at);
  return formatCode(format, agency, day, await nextNumber(em, agency, day));
}
