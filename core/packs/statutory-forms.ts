import { z } from 'zod';
import type { Ports } from '../modules/ports.ts';
import { issuesOf, packIssuesError, type PackIssue } from './manifest.ts';
import type { VerifiedPack } from './pack.ts';

/**
 * A pack's statutory forms (docs/pack-format.md, "Statutory forms"): `statutory-forms/index.json`
 * lists sets of form templates, each under a legal basis and optionally the day it comes into
 * force, and names the `.hbs` file of each form. Everything is checked before the import's
 * transaction, the dry run included: the index, that every file it names is in the pack, and
 * every template with the same checks and compiler a node applies when it renders (through the
 * dossiers module's `dossierFormTemplates` port). No code of the pack runs.
 */

export const STATUTORY_INDEX = 'statutory-forms/index.json';

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date such as 2027-01-01')
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    'not a day of the calendar',
  );

const formFile = z.string().regex(/^statutory-forms\/[A-Za-z0-9_-][A-Za-z0-9._-]*\.hbs$/, 'a file such as statutory-forms/01.hbs');

export const statutoryFormsIndex = z
  .array(
    z
      .object({
        legalBasis: z
          .string()
          .regex(/^[\p{L}\p{N}./ -]{1,64}$/u, 'a document number such as 03/2025/TT-VPCP (letters, digits, ./ - and space, at most 64)'),
        effectiveFrom: day.optional(),
        forms: z
          .partialRecord(z.enum(['01', '02', '03', '04', '05', '06', '07']), formFile)
          .refine((f) => Object.keys(f).length > 0, 'at least one form'),
      })
      .strict(),
  )
  .min(1)
  .max(50)
  .superRefine((sets, ctx) => {
    const seen = new Set<string>();
    sets.forEach((s, i) => {
      if (seen.has(s.legalBasis)) ctx.addIssue({ code: 'custom', path: [i, 'legalBasis'], message: `${s.legalBasis} is listed twice` });
      seen.add(s.legalBasis);
    });
  });

type Sets = Parameters<Ports['dossierFormTemplates']['install']>[1];

/**
 * The pack's statutory form sets with their texts, every problem refused at once as
 * `pack.invalid_content` (file, JSON path, reason); none when the pack carries no index.
 * `.hbs` files the index does not name are returned in `unused` (reported as skipped).
 */
export function statutoryForms(
  pack: Pick<VerifiedPack, 'files'>,
  templates: Pick<Ports['dossierFormTemplates'], 'check'>,
): { sets: Sets; unused: string[] } {
  const bytes = pack.files.get(STATUTORY_INDEX);
  const hbs = [...pack.files.keys()].filter((p) => p.startsWith('statutory-forms/') && p !== STATUTORY_INDEX).sort();
  if (!bytes) {
    if (hbs.length)
      throw packIssuesError('pack.invalid_content', [
        { file: hbs[0], path: '', message: `statutory form templates need ${STATUTORY_INDEX} to say which form and legal basis they are` },
      ]);
    return { sets: [], unused: [] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw packIssuesError('pack.invalid_content', [
      { file: STATUTORY_INDEX, path: '', message: `not valid JSON: ${(e as Error).message}` },
    ]);
  }
  const parsed = statutoryFormsIndex.safeParse(raw);
  if (!parsed.success) throw packIssuesError('pack.invalid_content', issuesOf(parsed.error, STATUTORY_INDEX));
  const issues: PackIssue[] = [];
  const named = new Set<string>();
  const sets: Sets = parsed.data.map((s, i) => ({
    legalBasis: s.legalBasis,
    effectiveFrom: s.effectiveFrom ?? null,
    forms: Object.entries(s.forms)
      .sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([form, file]) => {
        named.add(file);
        const data = pack.files.get(file);
        if (!data) {
          issues.push({ file: STATUTORY_INDEX, path: `${i}.forms.${form}`, message: `${file} is not in the pack` });
          return [];
        }
        return [{ form: form as Sets[number]['forms'][number]['form'], file, text: data.toString('utf8') }];
      }),
  }));
  for (const t of templates.check(sets)) issues.push({ file: t.file, path: '', message: t.message });
  if (issues.length) throw packIssuesError('pack.invalid_content', issues);
  return { sets, unused: hbs.filter((f) => !named.has(f)) };
}
