import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../errors.ts';
import { Unit } from '../org/entities.ts';
import type { ProcedureCase } from '../catalogue/schema.ts';
import type { ProcedureVersion } from '../catalogue/service.ts';
import type { Routing } from '../engine/types.ts';

/**
 * Where a dossier's steps go (issue 15 point 4, docs/dossiers.md "Routing"). A step whose diagram
 * names a unit (`motcua:unit`) goes there; any other step goes by the routing pinned on the
 * process instance at receipt: its lane's unit when the case maps the lane, the receiving desk for
 * receptionist steps, the competent agency chosen at receipt for every other step.
 */

/** The province of a unit: its nearest ancestor of level `province`, if any. */
async function provinceOf(em: EntityManager, unit: Unit): Promise<Unit | undefined> {
  const ancestors = await em.find(Unit, { id: { $in: unit.path.split('/').filter(Boolean) } });
  return ancestors.filter((u) => u.level === 'province').sort((x, y) => y.path.length - x.path.length)[0];
}

/** A unit the desk may send work to (and receive for): above the desk, or anywhere in its province. */
export async function reachable(em: EntityManager, desk: Unit): Promise<(u: Unit) => boolean> {
  const province = await provinceOf(em, desk);
  return (u) => desk.path.startsWith(u.path) || (province !== undefined && u.path.startsWith(province.path));
}

const byIdOrCode = async (em: EntityManager, ref: string) =>
  (await em.findOne(Unit, { id: ref })) ?? (await em.findOne(Unit, { code: ref }));

/**
 * The agency that decides the dossier: the unit named at receipt (one of the procedure's competent
 * agencies in the desk's province, or a unit inside one), else the competent agency the desk sits
 * in, else the only competent agency of the province. Null when the procedure names none in the
 * province (its steps then stay at the desk, as a diagram without routing does). Several and none
 * named: 422 `dossier.competent_unit_required` with the choices.
 */
export async function competentUnit(em: EntityManager, desk: Unit, version: ProcedureVersion, chosen?: string): Promise<Unit | null> {
  const a = version.document.agencies;
  const codes = [...new Set((a.competent.length ? a.competent : a.implementing).map((x) => x.code))];
  const inReach = await reachable(em, desk);
  const candidates = (codes.length ? await em.find(Unit, { code: { $in: codes } }) : []).filter(inReach);
  if (chosen) {
    const unit = await byIdOrCode(em, chosen);
    if (!unit) throw new AppError('unit.not_found', `No unit "${chosen}"`);
    if (!candidates.some((c) => unit.path.startsWith(c.path))) {
      throw new AppError(
        'dossier.not_competent_unit',
        `Unit ${unit.code} is not a competent agency of procedure ${version.code} in this province`,
        { candidates: candidates.map((c) => c.code) },
      );
    }
    return unit;
  }
  const around = candidates.filter((c) => desk.path.startsWith(c.path)).sort((x, y) => y.path.length - x.path.length)[0];
  if (around) return around;
  if (candidates.length <= 1) return candidates[0] ?? null;
  throw new AppError(
    'dossier.competent_unit_required',
    `Procedure ${version.code} has ${candidates.length} competent agencies in this province: name the one deciding this dossier (competentUnitId)`,
    { candidates: candidates.map((c) => c.code) },
  );
}

/** The routing pinned on the case's process at receipt (engine `Routing`). */
export async function dossierRouting(em: EntityManager, desk: Unit, competent: Unit | null, kase: ProcedureCase): Promise<Routing> {
  const ref = (u: Unit) => ({ id: u.id, path: u.path });
  const routing: Routing = { roles: { receptionist: ref(desk) } };
  if (competent) routing.otherwise = ref(competent);
  const lanes = Object.entries(kase.routing?.lanes ?? {});
  if (lanes.length) {
    const units = await em.find(Unit, { code: { $in: [...new Set(lanes.map(([, code]) => code))] } });
    routing.lanes = {};
    for (const [lane, code] of lanes) {
      const unit = units.find((u) => u.code === code);
      if (!unit) {
        throw new AppError('dossier.procedure_unavailable', `Case "${kase.key}" sends lane ${lane} to unit ${code}, which does not exist`, {
          lane,
          unit: code,
        });
      }
      routing.lanes[lane] = ref(unit);
    }
  }
  return routing;
}
