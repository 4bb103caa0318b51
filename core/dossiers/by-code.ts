import type { EntityManager } from '@mikro-orm/knex';
import { Dossier } from './entities.ts';

/**
 * The dossier an engine event's business key names, looked up once per command.
 *
 * Several in-transaction subscribers (hops, the status the process sets, the hold while the
 * applicant supplements, the step-deadline cap) each need the dossier of the same business key,
 * and most business keys of a busy engine may name none (an analyst's test run, a plugin's own
 * process). Each asking the database would add a query per subscriber to every engine command
 * (ADR 0017: statements per command are measured, `npm run bench -- statements`). So the answer is kept per entity manager,
 * which is one command's transaction: the code's id, or that there is none. A found dossier is
 * then read through the identity map (no query); a dossier created later in the same transaction
 * is announced by `rememberDossier`, so a remembered "none" never hides it.
 */
const known = new WeakMap<EntityManager, Map<string, string | null>>();

function memo(em: EntityManager): Map<string, string | null> {
  let m = known.get(em);
  if (!m) known.set(em, (m = new Map()));
  return m;
}

/** The dossier `code` names, or null: one query per code and transaction at most. */
export async function dossierByCode(em: EntityManager, code: string): Promise<Dossier | null> {
  return (await dossiersByCode(em, [code])).get(code) ?? null;
}

/** The dossiers these codes name, by code (codes that name none are absent). */
export async function dossiersByCode(em: EntityManager, codes: readonly string[]): Promise<Map<string, Dossier>> {
  const m = memo(em);
  const out = new Map<string, Dossier>();
  const ask: string[] = [];
  for (const code of new Set(codes)) {
    if (!m.has(code)) ask.push(code);
    else {
      const id = m.get(code);
      // By primary key: the identity map answers while the entity is managed; a cleared one is read again.
      const d = id ? await em.findOne(Dossier, { id }) : null;
      if (d) out.set(code, d);
      else if (id) ask.push(code);
    }
  }
  if (ask.length) {
    const found = await em.find(Dossier, { code: { $in: ask } });
    for (const code of ask) m.set(code, null);
    for (const d of found) {
      m.set(d.code, d.id);
      out.set(d.code, d);
    }
  }
  return out;
}

/** A dossier created in this transaction: lookups of its code answer it from now on. */
export function rememberDossier(em: EntityManager, dossier: Dossier): void {
  memo(em).set(dossier.code, dossier.id);
}
