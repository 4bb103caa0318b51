import type { EntityManager } from '@mikro-orm/knex';
import type { Ports } from '../modules/ports.ts';
import type { TaskRow } from '../engine/rows.ts';
import { Dossier } from './entities.ts';
import { FINISHED, statusNames } from './model.ts';
import { timeLeft, type Band } from '../engine/band.ts';

/** What a listed task shows of its dossier (GET /api/tasks, `dossier`). */
export interface TaskDossier {
  code: string;
  status: number;
  statusName: string;
  applicantName: string;
  procedure: { code: string; name: string };
  receivedAt: string | null;
  appointmentAt: string | null;
  /** Working minutes from now to the appointment in the desk's calendar; negative once it has passed. */
  remainingWorkingMinutes: number | null;
  overdue: boolean;
  /** The appointment's band (core/engine/band.ts) from receipt to appointment; null when finished or without one. */
  band: Band | null;
}

/**
 * The dossier of each listed task, found by the task's business key (the dossier's code): one
 * query for the whole page. The caller already may work these tasks, so they may see this much
 * of the dossier (issue 15: whoever may work a task may read its dossier).
 */
export function taskDossiers(svc: Pick<Ports, 'clock' | 'calendar'>) {
  return async (em: EntityManager, tasks: readonly TaskRow[]): Promise<Map<string, TaskDossier>> => {
    const codes = [...new Set(tasks.map((t) => t.business_key).filter((k): k is string => !!k))];
    const out = new Map<string, TaskDossier>();
    if (!codes.length) return out;
    const dossiers = await em.find(
      Dossier,
      { code: { $in: codes } },
      {
        disableIdentityMap: true,
        fields: ['code', 'status', 'applicantName', 'procedureCode', 'procedureName', 'receivedAt', 'appointmentAt', 'unitId'],
      },
    );
    const now = svc.clock.now();
    const byCode = new Map(
      dossiers.map((d) => {
        const due = d.appointmentAt ? new Date(d.appointmentAt) : null;
        const open = !FINISHED.has(d.status);
        const left = timeLeft(svc.calendar, now, d.receivedAt ? new Date(d.receivedAt) : null, due, d.unitId);
        const view: TaskDossier = {
          code: d.code,
          status: d.status,
          statusName: statusNames[d.status],
          applicantName: d.applicantName,
          procedure: { code: d.procedureCode, name: d.procedureName },
          receivedAt: d.receivedAt ? new Date(d.receivedAt).toISOString() : null,
          appointmentAt: due?.toISOString() ?? null,
          remainingWorkingMinutes: left.remainingWorkingMinutes,
          overdue: open && due !== null && due.getTime() < now.getTime(),
          band: open ? left.band : null,
        };
        return [d.code, view];
      }),
    );
    for (const t of tasks) {
      const d = t.business_key ? byCode.get(t.business_key) : undefined;
      if (d) out.set(t.id, d);
    }
    return out;
  };
}
