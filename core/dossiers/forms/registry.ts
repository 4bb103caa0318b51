import Handlebars from 'handlebars';
import { readdirSync, readFileSync } from 'node:fs';
import { AppError } from '../../errors.ts';
import { formHelpers } from './helpers.ts';
import { assertSafeTemplate } from './template-safety.ts';
import { FORM_NUMBERS, type FormNo, type FormViewModels } from './view-models.ts';

/**
 * The form templates, keyed by form number and legal basis (docs/dossiers.md, "Forms"). The
 * templates of Circular 03/2025 ship with the code (`templates/03-2025/*.hbs`); another legal
 * basis, or a province's own layout of a form, is registered with `register(form, legalBasis,
 * text, …)`: that is how a procedure pack will supply one (its template text, never its code).
 * Every template, shipped or not, passes template-safety.ts and is compiled in strict mode with
 * our helpers only; a registered template may not include partials.
 */

export const DEFAULT_LEGAL_BASIS = '03/2025/TT-VPCP';

export interface FormTemplateInfo {
  form: FormNo;
  legalBasis: string;
  /** The template's own version under its legal basis (a pack's version, or the shipped one). */
  version: string;
  /** Where it came from: `shipped`, or the pack that registered it. */
  origin: string;
}

interface Entry extends FormTemplateInfo {
  render: Handlebars.TemplateDelegate;
}

const SHIPPED_VERSION = '1';
const shippedDir = new URL('./templates/03-2025/', import.meta.url);
const partialsDir = new URL('./templates/partials/', import.meta.url);

/** Compile options of every form template: missing fields are errors, only our helpers exist. */
const COMPILE: CompileOptions = {
  strict: true,
  knownHelpersOnly: true,
  knownHelpers: Object.fromEntries(Object.keys(formHelpers).map((h) => [h, true])),
  noEscape: false,
  preventIndent: true,
};
/** Runtime options: nothing reachable on an object's prototype, no fallback for unknown helpers. */
const RUN: Handlebars.RuntimeOptions = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
  allowCallsToHelperMissing: false,
};

type CompileOptions = NonNullable<Parameters<typeof Handlebars.compile>[1]>;

const key = (form: FormNo, legalBasis: string) => `${form} ${legalBasis}`;

export class FormTemplates {
  private readonly entries = new Map<string, Entry>();
  private readonly hb = Handlebars.create();
  private readonly partials = new Set<string>();

  constructor() {
    for (const [name, fn] of Object.entries(formHelpers)) this.hb.registerHelper(name, fn);
  }

  /** The registry with the shipped partials and the shipped templates of Circular 03/2025. */
  static shipped(): FormTemplates {
    const t = new FormTemplates();
    for (const file of readdirSync(partialsDir)
      .filter((f) => f.endsWith('.hbs'))
      .sort()) {
      const name = file.slice(0, -'.hbs'.length);
      const text = readFileSync(new URL(file, partialsDir), 'utf8');
      assertSafeTemplate(text, `partials/${file}`, { partials: new Set() });
      t.hb.registerPartial(name, t.hb.compile(text, COMPILE));
      t.partials.add(name);
    }
    for (const form of FORM_NUMBERS) {
      const text = readFileSync(new URL(`${form}.hbs`, shippedDir), 'utf8');
      t.add({ form, legalBasis: DEFAULT_LEGAL_BASIS, version: SHIPPED_VERSION, origin: 'shipped' }, text, t.partials);
    }
    return t;
  }

  /**
   * Registers (or replaces) the template of a form under a legal basis, from outside the code:
   * refused with `dossier.form_template_unsafe` unless it is plain escaped output, conditions,
   * loops and our helpers (template-safety.ts).
   */
  register(form: FormNo, legalBasis: string, text: string, opts: { version: string; origin: string }): FormTemplateInfo {
    if (!(FORM_NUMBERS as readonly string[]).includes(form)) {
      throw new AppError('dossier.form_template_unsafe', `There is no form ${String(form)}: forms are numbered 01–07`);
    }
    if (!/^[\p{L}\p{N}./ -]{1,64}$/u.test(legalBasis)) {
      throw new AppError('dossier.form_template_unsafe', `Legal basis "${legalBasis}" is not a document number such as 03/2025/TT-VPCP`);
    }
    return this.add({ form, legalBasis, ...opts }, text, new Set());
  }

  /** The template of a form under a legal basis (default Circular 03/2025); 404 `dossier.form_not_available` when none. */
  lookup(form: FormNo, legalBasis: string = DEFAULT_LEGAL_BASIS): FormTemplateInfo {
    return this.entry(form, legalBasis);
  }

  /** Whether a form has a template under a legal basis. */
  has(form: FormNo, legalBasis: string): boolean {
    return this.entries.has(key(form, legalBasis));
  }

  /** Renders a form from its view-model. */
  render<F extends FormNo>(form: F, model: FormViewModels[F], legalBasis: string = DEFAULT_LEGAL_BASIS): string {
    return this.entry(form, legalBasis).render(model, RUN);
  }

  list(): FormTemplateInfo[] {
    return [...this.entries.values()].map(({ render: _render, ...info }) => info);
  }

  private entry(form: FormNo, legalBasis: string): Entry {
    const e = this.entries.get(key(form, legalBasis));
    if (!e) throw new AppError('dossier.form_not_available', `No template of form ${form} under legal basis ${legalBasis}`);
    return e;
  }

  private add(info: FormTemplateInfo, text: string, partials: ReadonlySet<string>): FormTemplateInfo {
    const origin = `${info.form} (${info.legalBasis}, ${info.origin})`;
    assertSafeTemplate(text, origin, { partials });
    try {
      // precompile runs the whole compiler now (compile would wait for the first render): an
      // unknown helper or a syntax error is refused at registration, not when a clerk prints.
      this.hb.precompile(text, COMPILE);
    } catch (e) {
      throw new AppError('dossier.form_template_unsafe', `Form template ${origin}: ${(e as Error).message.split('\n')[0]}`, {
        origin: info.origin,
      });
    }
    this.entries.set(key(info.form, info.legalBasis), { ...info, render: this.hb.compile(text, COMPILE) });
    return info;
  }
}
