import type { EntityManager } from '@mikro-orm/knex';
import type { TaskDueRule } from '../engine/task-due.ts';
import type { Retimed } from '../engine/task-retime.ts';
import type { Ports } from '../modules/ports.ts';
import { dossiersByCode } from './by-code.ts';
import { Dossier } from './entities.ts';

/**
 * A step's due time is capped by its dossier's appointment (docs/dossiers.md § Hops, "Step
 * deadlines"). The rule, for each task of a dossier's process:
 *
 * - opened **before** the appointment: due at the earlier of its own due time (its budget or
 *   `camunda:dueDate`) and the appointment; a step without a time of its own is due at the
 *   appointment. Steps whose budgets chain past the appointment (a same-day procedure's 8 hours
 *   received at 14:00) so share what is left of it, and the step that holds the dossier when the
 *   appointment passes is the late one;
 * - opened **at or after** the appointment: its own due time only. The dossier was already late,
 *   and that lateness belongs to the step that overran; capping the next steps too (the desk's
 *   return step, at least) would make each of them late whatever they did.
 *
 * The engine applies it as a due-time rule (core/engine/task-due.ts), before the task's row is
 * written, rather than from a `task.created` subscriber that rewrites the row: the event's
 * payload (and its outbox copy for after-commit consumers) is built with the row's time, so only
 * a rule applied before it makes `task.created` and the inbox agree on the capped time.
 */
export function capAtAppointment(): TaskDueRule {
  return async (em, tasks) => {
    const out = new Map<string, Date | null>();
    const codes = [...new Set(tasks.map((t) => t.businessKey).filter((k): k is string => !!k))];
    if (!codes.length) return out;
    const dossiers = await dossiersByCode(em, codes);
    const appointments = new Map([...dossiers.values()].map((d) => [d.code, d.appointmentAt ? new Date(d.appointmentAt) : null]));
    for (const t of tasks) {
      const appointment = t.businessKey ? appointments.get(t.businessKey) : null;
      if (!appointment || t.createdAt.getTime() >= appointment.getTime()) continue;
      if (!t.dueAt || t.dueAt.getTime() > appointment.getTime()) out.set(t.taskId, appointment);
    }
    return out;
  };
}

/**
 * The dossier's appointment moved (an extension, a supplement): the open steps of its processes
 * take their caps from the new one, in the caller's transaction. Flushes the dossier first, so
 * the rule reads the appointment as the caller set it. Answers the tasks whose due time changed.
 */
export async function recapOpenTasks(svc: Pick<Ports, 'engine'>, em: EntityManager, dossier: Dossier): Promise<Retimed[]> {
  await em.flush();
  return svc.engine.retimeOpenTasks(em, dossier.code);
}
