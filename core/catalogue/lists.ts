import { raw, type EntityManager } from '@mikro-orm/knex';
import { Unit } from '../org/entities.ts';
import { ProcedureFacet, Sector } from './entities.ts';

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

/** Published versions per value of a facet: a facet row is unique per (version, facet, value). */
async function publishedCounts(em: EntityManager, facet: 'sector' | 'agency'): Promise<Map<string, number>> {
  const rows = await em
    .createQueryBuilder(ProcedureFacet, 'f')
    .select(['f.value', raw('count(*) as n')])
    .join('f.versionId', 'v')
    .where({ 'f.facet': facet, 'v.status': 'published' })
    .groupBy('f.value')
    .execute<{ value: string; n: number | string }[]>('all', false);
  return new Map(rows.map((r) => [r.value, Number(r.n)]));
}

export async function listSectors(em: EntityManager): Promise<SectorView[]> {
  const sectors = await em.find(Sector, {}, { disableIdentityMap: true, orderBy: { name: 'asc', code: 'asc' } });
  const counts = await publishedCounts(em, 'sector');
  return sectors.map((s) => ({ code: s.code, name: s.name, procedures: counts.get(s.code) ?? 0 }));
}

/** Agencies are the province's units (not retired on `today`); `used` keeps those with a published procedure. */
export async function listAgencies(em: EntityManager, today: string, used = false): Promise<AgencyView[]> {
  const units = await em.find(
    Unit,
    { $or: [{ validTo: null }, { validTo: { $gte: today } }] },
    { disableIdentityMap: true, fields: ['code', 'name', 'level'], orderBy: { path: 'asc' } },
  );
  const counts = await publishedCounts(em, 'agency');
  return units
    .map((u) => ({ code: u.code, name: u.name, level: u.level, procedures: counts.get(u.code) ?? 0 }))
    .filter((a) => !used || a.procedures > 0);
}
