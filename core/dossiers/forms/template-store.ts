import type { EntityManager } from '@mikro-orm/knex';
import { createHash } from 'node:crypto';
import { AppError } from '../../errors.ts';
import type { Ports } from '../../modules/ports.ts';
import { DEFAULT_LEGAL_BASIS, FormTemplates } from './registry.ts';
import { DossierFormTemplate } from './template-entities.ts';
import type { FormNo } from './view-models.ts';

/**
 * The statutory form templates procedure packs bring (docs/dossiers.md § Forms, "Legal bases and
 * packs"), kept in `dossier_form_templates` so that every node of the platform renders the same:
 * a node's `FormTemplates` only caches what the table holds (DossierForms.sync). The packs module
 * reaches this through the `dossierFormTemplates` port: it checks a pack's templates before its
 * transaction and installs them inside it.
 */

/** One set of a pack's `statutory-forms/index.json`, with each template's text. */
export interface FormTemplateSet {
  legalBasis: string;
  /** The Vietnam day the basis comes into force; null: a layout, which never changes the basis in force. */
  effectiveFrom: string | null;
  forms: { form: FormNo; file: string; text: string }[];
}

/** A template that may not be installed: its file and why (the registry's refusal). */
export interface FormTemplateIssue {
  file: string;
  message: string;
}

export interface InstalledFormTemplate {
  form: FormNo;
  legalBasis: string;
  effectiveFrom: string | null;
  file: string;
  outcome: 'new' | 'updated' | 'unchanged';
}

/** Reads are detached: the writes are native statements, so no managed copy may go stale. */
const detached = { disableIdentityMap: true } as const;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export class DossierFormTemplates {
  constructor(private readonly ports: Pick<Ports, 'clock'>) {}

  /**
   * Every template the sets may not install, each with the registry's reason: the same checks
   * and the same compiler a node applies when it loads the row (registry.ts `register`).
   */
  check(sets: FormTemplateSet[]): FormTemplateIssue[] {
    const scratch = new FormTemplates();
    const issues: FormTemplateIssue[] = [];
    for (const set of sets) {
      for (const f of set.forms) {
        try {
          scratch.register(f.form, set.legalBasis, f.text, { version: 'check', origin: f.file });
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          issues.push({ file: f.file, message: e.message });
        }
      }
    }
    return issues;
  }

  /**
   * Stores the sets' templates (a row per form and legal basis, replacing the one there), after
   * checking them again. Rows of the same pack that the sets no longer name stay: a later pack
   * version without statutory forms does not take a province's layout away.
   */
  async install(
    em: EntityManager,
    sets: FormTemplateSet[],
    source: { packId: string; packVersion: string },
  ): Promise<InstalledFormTemplate[]> {
    const issues = this.check(sets);
    if (issues.length) {
      throw new AppError('dossier.form_template_unsafe', issues.map((i) => i.message).join('; '), { file: issues[0].file });
    }
    const now = this.ports.clock.now();
    const out: InstalledFormTemplate[] = [];
    for (const set of sets) {
      for (const f of set.forms) {
        const hash = sha256(f.text);
        const where = { form: f.form, legalBasis: set.legalBasis };
        const row = await em.findOne(DossierFormTemplate, where, { ...detached, fields: ['sha256', 'effectiveFrom'] });
        const values = {
          effectiveFrom: set.effectiveFrom,
          text: f.text,
          sha256: hash,
          origin: source.packId,
          originVersion: source.packVersion,
          updatedAt: now,
        };
        let outcome: InstalledFormTemplate['outcome'];
        if (!row) {
          await em.insert(DossierFormTemplate, { ...where, ...values });
          outcome = 'new';
        } else if (row.sha256 === hash && (row.effectiveFrom ?? null) === set.effectiveFrom) {
          outcome = 'unchanged';
        } else {
          await em.nativeUpdate(DossierFormTemplate, where, values);
          outcome = 'updated';
        }
        out.push({ form: f.form, legalBasis: set.legalBasis, effectiveFrom: set.effectiveFrom, file: f.file, outcome });
      }
    }
    return out;
  }
}

/**
 * The legal basis in force on a Vietnam day: the one whose templates carry the latest
 * `effective_from` on or before it, else the default (Circular 03/2025). Rows without a date are
 * layouts and never change which basis is in force.
 */
export async function basisInForce(em: EntityManager, day: string): Promise<string> {
  const row = await em.findOne(
    DossierFormTemplate,
    { effectiveFrom: { $ne: null, $lte: day } },
    { ...detached, fields: ['legalBasis', 'effectiveFrom'], orderBy: { effectiveFrom: 'desc', legalBasis: 'asc' } },
  );
  return row?.legalBasis ?? DEFAULT_LEGAL_BASIS;
}

/** What the table holds, without the texts: what a node compares with its cache. */
export async function templateDigests(em: EntityManager): Promise<{ form: FormNo; legalBasis: string; sha256: string }[]> {
  const rows = await em.find(DossierFormTemplate, {}, { ...detached, fields: ['sha256'] });
  return rows.map((r) => ({ form: r.form as FormNo, legalBasis: r.legalBasis, sha256: r.sha256 }));
}

/** The rows of the given forms and bases, texts included. */
export async function templateRows(em: EntityManager, keys: { form: FormNo; legalBasis: string }[]): Promise<DossierFormTemplate[]> {
  if (!keys.length) return [];
  return em.find(DossierFormTemplate, { $or: keys.map((k) => ({ form: k.form, legalBasis: k.legalBasis })) }, detached);
}
