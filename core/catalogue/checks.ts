import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../errors.ts';
import { placeholdersIn, type ProcedureDocument } from './schema.ts';
import { latestDefinitionVersion, unitsByCode, type Binding } from './store.ts';

/** What must hold before a document is stored or published. Each refusal names the field. */

/** The catalogue stores resolved documents only: pack placeholders must be mapped first. */
export function assertResolved(doc: ProcedureDocument): void {
  const left = placeholdersIn(doc);
  if (left.length) {
    throw new AppError(
      'catalogue.unresolved_placeholder',
      `Procedure ${doc.code} still contains ${left.join(', ')}: map them to this province's agencies, roles and fees`,
      { placeholders: left },
    );
  }
}

/** Every agency code of the document is a unit of this province that is not retired on `today`. */
export async function assertAgencies(em: EntityManager, doc: ProcedureDocument, today: string): Promise<void> {
  const refs: { field: string; code: string }[] = [];
  for (const role of ['implementing', 'competent', 'authorised', 'coordinating'] as const) {
    doc.agencies[role].forEach((a, i) => refs.push({ field: `agencies.${role}.${i}.code`, code: a.code }));
  }
  const codes = [...new Set(refs.map((r) => r.code))];
  const rows = await unitsByCode(em, codes);
  const active = new Set(rows.filter((r) => !r.validTo || r.validTo >= today).map((r) => r.code));
  const bad = refs.filter((r) => !active.has(r.code));
  if (bad.length) {
    throw new AppError('catalogue.unknown_agency', bad.map((b) => `${b.field}: "${b.code}" is not an active unit code`).join('; '), {
      issues: bad.map((b) => ({ path: b.field, message: `"${b.code}" is not an active unit code` })),
    });
  }
}

/** Pins each case to the latest deployed version of its definition; refuses when one is not deployed. */
export async function resolveBindings(em: EntityManager, doc: ProcedureDocument): Promise<Binding[]> {
  const out: Binding[] = [];
  const missing: { path: string; message: string }[] = [];
  for (const [i, c] of doc.cases.entries()) {
    const latest = await latestDefinitionVersion(em, c.process.definitionKey);
    if (latest === null) {
      missing.push({
        path: `cases.${i}.process.definitionKey`,
        message: `process "${c.process.definitionKey}" of case "${c.key}" is not deployed`,
      });
    } else out.push({ caseKey: c.key, definitionKey: c.process.definitionKey, definitionVersion: latest });
  }
  if (missing.length) {
    throw new AppError(
      'catalogue.definition_not_deployed',
      `${missing.map((m) => `${m.path}: ${m.message}`).join('; ')}. Deploy the diagram first`,
      { issues: missing },
    );
  }
  return out.sort((a, b) => (a.caseKey < b.caseKey ? -1 : a.caseKey > b.caseKey ? 1 : 0));
}

/** Effective dates are calendar dates (YYYY-MM-DD, Vietnam); `to` is the first day no longer covered. */
export function assertDateOrder(from: string | null, to: string, what: string): void {
  if (from && to < from)
    throw new AppError('catalogue.invalid_dates', `${what}: ${to} is before the effective date ${from}`, {
      issues: [{ path: 'effectiveTo', message: `before ${from}` }],
    });
}
