import type { EntityManager } from '@mikro-orm/knex';
import { sql } from '../db/sql.ts';

/** The sector and agency catalogues, with how many published procedures each has. */

export interface SectorView {
  code: string;
  name: string;
  procedures: number;
}

export interface AgencyView {
  /** The unit code used in procedure documents. */
  code: string;
  name: string;
  level: string;
  /** Published procedures naming the unit as an agency (implementing, competent, authorised or coordinating). */
  procedures: number;
}

const publishedCount = (facet: string, column: string) =>
  `(SELECT COUNT(*) FROM procedure_facets f JOIN procedure_versions v ON v.id = f.version_id WHERE f.facet = '${facet}' AND f.value = ${column} AND v.status = 'published')`;

export async function listSectors(em: EntityManager): Promise<SectorView[]> {
  const rows = await sql(em).all<{ code: string; name: string; n: number | string }>(
    `SELECT s.code, s.name, ${publishedCount('sector', 's.code')} AS n FROM sectors s ORDER BY s.name, s.code`,
  );
  return rows.map((r) => ({ code: r.code, name: r.name, procedures: Number(r.n) }));
}

/** Agencies are the province's units (not retired on `today`); `used` keeps those with a published procedure. */
export async function listAgencies(em: EntityManager, today: string, used = false): Promise<AgencyView[]> {
  const rows = await sql(em).all<{ code: string; name: string; level: string; n: number | string }>(
    `SELECT u.code, u.name, u.level, ${publishedCount('agency', 'u.code')} AS n FROM units u WHERE (u.valid_to IS NULL OR u.valid_to >= ?) ORDER BY u.path`,
    [today],
  );
  return rows
    .map((r) => ({ code: r.code, name: r.name, level: r.level, procedures: Number(r.n) }))
    .filter((a) => !used || a.procedures > 0);
}
