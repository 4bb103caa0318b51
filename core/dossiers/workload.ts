import type { EntityManager } from '@mikro-orm/knex';
import { sql } from '../db/sql.ts';
import { beforeWorkdayEnd } from '../engine/band.ts';
import type { WorkdayEnds } from '../engine/calendar.ts';
import type { Authz } from '../org/authz.ts';
import { Unit } from '../org/entities.ts';
import { FINISHED } from './model.ts';

/**
 * The leader view (`GET /api/dossiers/workload`, docs/dossiers.md § Workload): per unit the
 * caller may read dossiers in, its open dossiers (received there or in its subunits, not
 * finished), how many are due today and how many overdue, counted as the drill-down
 * `GET /api/dossiers?unitId=…&status=…` / `&dueToday=true` / `&overdue=true` lists them.
 *
 * One statement: the open dossiers of the caller's scopes from the `(status, unit_path)` index,
 * grouped by the desk that received them; the desks' counts are then added up the unit tree,
 * to every unit within the caller's scopes (a commune leader sees the commune and its desks, not
 * the district above it).
 */

export interface WorkloadRow {
  unit: { id: string; code: string; name: string; parentId: string | null };
  /** Not finished (status 1, 2, 4, 5, 6). */
  open: number;
  /** Open, appointment from now to the end of today's working day of the desk's calendar. */
  dueToday: number;
  /** Open, appointment passed. */
  overdue: number;
}

export interface Workload {
  at: string;
  /** Units with at least one open dossier in their subtree, in tree order (a unit before its subunits). */
  units: WorkloadRow[];
}

export async function unitWorkload(em: EntityManager, authz: Authz, now: Date, ends: WorkdayEnds): Promise<Workload> {
  const scopes = authz.scopes('dossier.read');
  if (!scopes.length) return { at: now.toISOString(), units: [] };
  const open = [1, 2, 4, 5, 6].filter((s) => !FINISHED.has(s));
  const today = beforeWorkdayEnd(ends, 'd.appointment_at', 'd.unit_path');
  const rows = await sql(em).all<{
    unit_id: string;
    open: number | string;
    due_today: number | string | null;
    overdue: number | string | null;
  }>(
    `SELECT d.unit_id, COUNT(*) AS open,
       SUM(CASE WHEN d.appointment_at >= ? AND ${today.sql} THEN 1 ELSE 0 END) AS due_today,
       SUM(CASE WHEN d.appointment_at < ? THEN 1 ELSE 0 END) AS overdue
     FROM dossiers d
     WHERE d.status IN (${open.join(', ')}) AND (${scopes.map(() => 'd.unit_path LIKE ?').join(' OR ')})
     GROUP BY d.unit_id`,
    [now, ...today.params, now, ...scopes.map((s) => `${s}%`)],
  );
  if (!rows.length) return { at: now.toISOString(), units: [] };
  const desks = await em.find(Unit, { id: { $in: rows.map((r) => r.unit_id) } }, { fields: ['id', 'path'] });
  const pathOf = new Map(desks.map((u) => [u.id, u.path]));
  const totals = new Map<string, { open: number; dueToday: number; overdue: number }>();
  for (const r of rows) {
    const path = pathOf.get(r.unit_id);
    if (!path) continue;
    // The desk and each unit above it, as far as the caller's scopes reach.
    const ids = path.split('/').filter(Boolean);
    for (let i = ids.length; i > 0; i--) {
      const prefix = `/${ids.slice(0, i).join('/')}/`;
      if (!scopes.some((s) => prefix.startsWith(s))) break;
      const t = totals.get(ids[i - 1]) ?? { open: 0, dueToday: 0, overdue: 0 };
      t.open += Number(r.open);
      t.dueToday += Number(r.due_today ?? 0);
      t.overdue += Number(r.overdue ?? 0);
      totals.set(ids[i - 1], t);
    }
  }
  const units = totals.size ? await em.find(Unit, { id: { $in: [...totals.keys()] } }) : [];
  units.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    at: now.toISOString(),
    units: units.map((u) => ({
      unit: { id: u.id, code: u.code, name: u.name, parentId: parentIdOf(u.path) },
      ...totals.get(u.id)!,
    })),
  };
}

function parentIdOf(path: string): string | null {
  const ids = path.split('/').filter(Boolean);
  return ids.length > 1 ? ids[ids.length - 2] : null;
}
