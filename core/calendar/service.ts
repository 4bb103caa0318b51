import type { EntityManager } from '@mikro-orm/knex';
import type { Ports } from '../modules/ports.ts';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import { unitNotFound } from '../org/units-service.ts';
import { Unit } from '../org/entities.ts';
import { calendarYear, unitOverride, type CalendarYear, type UnitOverride } from './model.ts';
import { proposeYear } from './propose.ts';
import { deleteOverride, readOverride, readYear, writeOverride, writeYear } from './store.ts';
import { shippedYears, type YearOrigin } from './working-calendar.ts';

/**
 * What admins do with the calendar, shared by the API and the CLI. Each function runs in the
 * caller's transaction (audited there); the caller tells `svc.calendar.changed()` after the commit.
 */

export interface YearView extends CalendarYear {
  origin: YearOrigin;
}

/** The table of a year: stored, else shipped, else proposed by the lunar converter (not stored). */
export async function getYear(em: EntityManager, year: number): Promise<YearView> {
  checkYear(year);
  const stored = await readYear(em, year);
  if (stored) return { ...stored, origin: 'stored' };
  const shipped = shippedYears.get(year);
  if (shipped) return { ...shipped, origin: 'shipped' };
  return { ...proposeYear(year), origin: 'computed' };
}

function checkYear(year: number): void {
  if (!(Number.isInteger(year) && year >= 1990 && year <= 2200))
    throw new AppError('request.invalid', `Not a calendar year: ${year} (1990–2200)`);
}

/** zod issues as one readable sentence. */
function explain(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${i.path.map(String).join('.') || '(document)'}: ${i.message}`).join('; ');
}

/** Parses a calendar year document (API body, imported file). */
export function parseYear(doc: unknown, code: 'request.invalid' | 'calendar.invalid_file' = 'request.invalid'): CalendarYear {
  const parsed = calendarYear.safeParse(doc);
  if (!parsed.success) throw new AppError(code, explain(parsed.error.issues));
  return parsed.data;
}

/** Imports a whole year as given (status `confirmed` unless the document says `proposed`). */
export async function importYear(
  em: EntityManager,
  svc: Pick<Ports, 'audit' | 'calendar' | 'clock'>,
  acting: Acting,
  doc: unknown,
  code?: 'request.invalid' | 'calendar.invalid_file',
): Promise<CalendarYear> {
  const year = parseYear(doc, code);
  await writeYear(em, svc, acting, year, 'calendar.year_imported');
  return year;
}

/** Changes some fields of a year (holidays, make-up days, hours, cut-off, weekly pattern, source); its status stays. */
export async function editYear(
  em: EntityManager,
  svc: Pick<Ports, 'audit' | 'calendar' | 'clock'>,
  acting: Acting,
  year: number,
  patch: Record<string, unknown>,
): Promise<CalendarYear> {
  const current = await getYear(em, year);
  if ('year' in patch && patch.year !== year)
    throw new AppError('calendar.year_mismatch', `The document is for ${String(patch.year)}, not ${year}`);
  if ('status' in patch) throw new AppError('request.invalid', 'status: confirm a proposed year with its confirm action');
  const { origin: _origin, ...base } = current;
  const doc = parseYear({ ...base, ...patch, year, status: current.origin === 'computed' ? 'proposed' : current.status });
  await writeYear(em, svc, acting, doc, 'calendar.year_updated');
  return doc;
}

/** Stores the lunar converter's proposal for a year that has no confirmed table. */
export async function proposeStored(
  em: EntityManager,
  svc: Pick<Ports, 'audit' | 'calendar' | 'clock'>,
  acting: Acting,
  year: number,
): Promise<CalendarYear> {
  checkYear(year);
  const stored = await readYear(em, year);
  if (stored?.status === 'confirmed' || (!stored && shippedYears.has(year))) {
    throw new AppError('calendar.year_confirmed', `${year} already has a confirmed calendar: edit it instead`);
  }
  const doc = proposeYear(year);
  await writeYear(em, svc, acting, doc, 'calendar.year_proposed');
  return doc;
}

/** Confirms a proposed year (stored or computed), as it stands. */
export async function confirmYear(
  em: EntityManager,
  svc: Pick<Ports, 'audit' | 'calendar' | 'clock'>,
  acting: Acting,
  year: number,
): Promise<CalendarYear> {
  const current = await getYear(em, year);
  if (current.status === 'confirmed') throw new AppError('calendar.year_confirmed', `${year} is already confirmed`);
  const { origin: _origin, ...base } = current;
  const doc: CalendarYear = { ...base, status: 'confirmed' };
  await writeYear(em, svc, acting, doc, 'calendar.year_confirmed');
  return doc;
}

async function unitExists(em: EntityManager, unitId: string): Promise<void> {
  if ((await em.count(Unit, { id: unitId })) === 0) throw unitNotFound(unitId);
}

export async function getOverride(em: EntityManager, unitId: string): Promise<UnitOverride | null> {
  await unitExists(em, unitId);
  return readOverride(em, unitId);
}

export async function setOverride(
  em: EntityManager,
  svc: Pick<Ports, 'audit' | 'calendar' | 'clock'>,
  acting: Acting,
  unitId: string,
  body: unknown,
): Promise<UnitOverride> {
  await unitExists(em, unitId);
  const parsed = unitOverride.safeParse(body);
  if (!parsed.success) throw new AppError('request.invalid', explain(parsed.error.issues));
  await writeOverride(em, svc, acting, unitId, parsed.data);
  return parsed.data;
}

export async function removeOverride(
  em: EntityManager,
  svc: Pick<Ports, 'audit' | 'calendar' | 'clock'>,
  acting: Acting,
  unitId: string,
): Promise<void> {
  await unitExists(em, unitId);
  if (!(await deleteOverride(em, svc, acting, unitId))) throw new AppError('request.not_found', `Unit ${unitId} has no calendar override`);
}

// Application services of the calendar routes: one audited transaction each, then this node's
// calendar reloads (other nodes follow calendar_revision).

async function change<T>(svc: Pick<Ports, 'audit' | 'calendar' | 'clock' | 'db'>, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  const result = await svc.db.em().transactional(fn);
  await svc.calendar.changed?.();
  return result;
}

export const importCalendarYear = (svc: Pick<Ports, 'audit' | 'calendar' | 'clock' | 'db'>, acting: Acting, doc: unknown) =>
  change(svc, (em) => importYear(em, svc, acting, doc));
export const editCalendarYear = (
  svc: Pick<Ports, 'audit' | 'calendar' | 'clock' | 'db'>,
  acting: Acting,
  year: number,
  patch: Record<string, unknown>,
) => change(svc, (em) => editYear(em, svc, acting, year, patch));
export const proposeCalendarYear = (svc: Pick<Ports, 'audit' | 'calendar' | 'clock' | 'db'>, acting: Acting, year: number) =>
  change(svc, (em) => proposeStored(em, svc, acting, year));
export const confirmCalendarYear = (svc: Pick<Ports, 'audit' | 'calendar' | 'clock' | 'db'>, acting: Acting, year: number) =>
  change(svc, (em) => confirmYear(em, svc, acting, year));
export const saveUnitOverride = (svc: Pick<Ports, 'audit' | 'calendar' | 'clock' | 'db'>, acting: Acting, unitId: string, body: unknown) =>
  change(svc, (em) => setOverride(em, svc, acting, unitId, body));
export const deleteUnitOverride = (svc: Pick<Ports, 'audit' | 'calendar' | 'clock' | 'db'>, acting: Acting, unitId: string) =>
  change(svc, (em) => removeOverride(em, svc, acting, unitId));
