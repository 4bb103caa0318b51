import type { EntityManager } from '@mikro-orm/knex';
import { User } from '../../auth/entities.ts';
import { AppError } from '../../errors.ts';
import { Unit } from '../../org/entities.ts';
import { Dossier, DossierStatusChange } from '../entities.ts';
import { DossierHop } from '../hop-entities.ts';
import { STATUS, statusNames, type Person } from '../model.ts';
import { date, time } from './helpers.ts';
import type { Form07 } from './view-models.ts';

/**
 * Form 07, the tracking log (sổ theo dõi hồ sơ) of a unit over a period: every dossier the unit
 * (or a unit under it) received in the period, at one of its desks or handed over to it by a
 * hop, once, at the first time it did; with its appointment, its hand-overs between units, the
 * day its result was returned and its status now. Read from the dossiers and their hops, never
 * stored.
 */

/** More rows than a log prints on paper in one go: the caller asks for shorter periods. */
export const MAX_LOG_ROWS = 5000;
const MAX_LOG_HOPS = 4 * MAX_LOG_ROWS;
const MAX_PERIOD_DAYS = 366;
const DAY_MS = 86_400_000;

/** `from` and `to` (YYYY-MM-DD, Vietnam days, both included) as instants [start, end). */
export function logPeriod(from: string, to: string): { start: Date; end: Date } {
  const start = new Date(`${from}T00:00:00+07:00`);
  const last = new Date(`${to}T00:00:00+07:00`);
  const real = (d: Date, text: string) => !Number.isNaN(d.getTime()) && new Date(d.getTime() + 7 * 3600_000).toISOString().startsWith(text);
  if (!real(start, from) || !real(last, to)) throw new AppError('request.invalid', 'from and to are days YYYY-MM-DD');
  if (last < start) throw new AppError('request.invalid', 'The period ends before it starts: to is earlier than from');
  const days = Math.round((last.getTime() - start.getTime()) / DAY_MS) + 1;
  if (days > MAX_PERIOD_DAYS) throw new AppError('request.invalid', `A tracking log covers at most ${MAX_PERIOD_DAYS} days`);
  return { start, end: new Date(last.getTime() + DAY_MS) };
}

export async function logRows(em: EntityManager, unit: Pick<Unit, 'path'>, start: Date, end: Date): Promise<Form07['rows']> {
  const within = { $like: `${unit.path}%` };
  const received = await em.find(
    Dossier,
    { unitPath: within, receivedAt: { $gte: start, $lt: end } },
    { orderBy: { receivedAt: 'asc', id: 'asc' }, limit: MAX_LOG_ROWS + 1, disableIdentityMap: true },
  );
  const handed = await em.find(
    DossierHop,
    { toUnitPath: within, at: { $gte: start, $lt: end } },
    { orderBy: { at: 'asc', seq: 'asc' }, limit: MAX_LOG_HOPS + 1, disableIdentityMap: true },
  );
  /** Each dossier once: when and by whom the unit first had it in the period. */
  const first = new Map<string, { at: Date; by: { id: string | null; name: string } | null }>();
  for (const d of received)
    first.set(d.id, { at: new Date(d.receivedAt!), by: d.receivedByName ? { id: d.receivedById ?? null, name: d.receivedByName } : null });
  for (const h of handed) {
    const seen = first.get(h.dossierId);
    if (!seen || seen.at > new Date(h.at))
      first.set(h.dossierId, { at: new Date(h.at), by: h.receiverName ? { id: h.receiverId ?? null, name: h.receiverName } : null });
  }
  if (first.size > MAX_LOG_ROWS || handed.length > MAX_LOG_HOPS) {
    throw new AppError('request.invalid', `The period holds more than ${MAX_LOG_ROWS} dossiers: print the log for shorter periods`);
  }
  const ids = [...first.keys()];
  if (!ids.length) return [];
  const dossiers = [
    ...received,
    ...(await em.find(Dossier, { id: { $in: ids.filter((id) => !received.some((d) => d.id === id)) } }, { disableIdentityMap: true })),
  ];
  const hops = await em.find(DossierHop, { dossierId: { $in: ids } }, { orderBy: { seq: 'asc' }, disableIdentityMap: true });
  const returned = await em.find(
    DossierStatusChange,
    { dossierId: { $in: ids }, toStatus: STATUS.delivered },
    { disableIdentityMap: true },
  );
  const people = [...new Set([...first.values()].map((f) => f.by?.id).filter((id): id is string => !!id))];
  const users = people.length ? await em.find(User, { id: { $in: people } }, { disableIdentityMap: true }) : [];
  const nameOf = (by: { id: string | null; name: string } | null) =>
    by ? (users.find((u) => u.id === by.id)?.displayName ?? by.name) : '';

  return ids
    .map((id) => ({ id, ...first.get(id)! }))
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.id.localeCompare(b.id))
    .map(({ id, at, by }, i) => {
      const d = dossiers.find((x) => x.id === id)!;
      const owner = d.owner ? (JSON.parse(d.owner) as Person) : null;
      const moves = hops.filter((h) => h.dossierId === id && h.toUnitId && h.toUnitId !== h.fromUnitId);
      const back = returned.filter((r) => r.dossierId === id).at(-1);
      return {
        no: i + 1,
        code: d.code,
        content: d.procedureName,
        sets: 1,
        owner: owner?.name ?? d.applicantName,
        address: owner ? (owner.address ?? null) : (d.applicantAddress ?? null),
        phone: owner ? (owner.phone ?? null) : (d.applicantPhone ?? null),
        area: null,
        receivedAt: at.toISOString(),
        receivedBy: nameOf(by),
        appointmentAt: d.appointmentAt ? new Date(d.appointmentAt).toISOString() : '',
        handovers: moves.map((h) => `${h.toUnitName} ${time(h.at)} ${date(h.at)}`).join('; ') || null,
        returnedAt: back ? new Date(back.at).toISOString() : null,
        status: statusNames[d.status] ?? String(d.status),
        note: null,
      };
    });
}
