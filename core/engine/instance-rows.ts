import type { EntityManager } from '@mikro-orm/knex';
import { sql } from '../db/sql.ts';

/** A row that ties something to one execution of the instance (a task, a job, a subscription). */
export interface ExecutionRow {
  id: string;
  execution_id: string;
  status: string | null;
}

/**
 * What a command reconciles after the engine ran: the open user tasks, the timer and service
 * jobs, the open incidents whose job failed (the instance is `incident` while there is one), and
 * the message subscriptions of the instance.
 */
/** An open task as the command reads it. */
export interface OpenTaskRow extends ExecutionRow {
  activity_id: string;
  name: string | null;
  unit_id: string | null;
}

export interface InstanceRows {
  openTasks: OpenTaskRow[];
  timerJobs: ExecutionRow[];
  serviceJobs: ExecutionRow[];
  failedIncidents: { job_id: string; execution_id: string | null }[];
  subscriptions: ExecutionRow[];
}

// One statement instead of five: every command on an instance reads all of these, and on
// PostgreSQL each statement is a round trip (bench: `npm run bench -- engine`).
// Open tasks bring what their events carry (activity, name, unit): no second read when one closes.
const SQL = `SELECT 'task' AS kind, id, execution_id, status, activity_id, name, unit_id FROM tasks WHERE instance_id = ? AND status = 'open'
UNION ALL SELECT kind, id, execution_id, status, NULL, NULL, NULL FROM jobs WHERE instance_id = ? AND kind IN ('timer', 'service')
UNION ALL SELECT 'incident', i.job_id, j.execution_id, j.status, NULL, NULL, NULL FROM incidents i JOIN jobs j ON j.id = i.job_id WHERE i.instance_id = ? AND i.resolved_at IS NULL AND j.status = 'failed'
UNION ALL SELECT 'subscription', id, execution_id, NULL, NULL, NULL, NULL FROM message_subscriptions WHERE instance_id = ?`;

/** Reads them in the command's transaction, before anything is written. */
export async function loadInstanceRows(em: EntityManager, instanceId: string): Promise<InstanceRows> {
  const rows = await sql(em).all<OpenTaskRow & { kind: string }>(SQL, [instanceId, instanceId, instanceId, instanceId]);
  const out: InstanceRows = { openTasks: [], timerJobs: [], serviceJobs: [], failedIncidents: [], subscriptions: [] };
  const incidentJobs = new Set<string>();
  for (const { kind, activity_id, name, unit_id, ...r } of rows) {
    if (kind === 'task') out.openTasks.push({ ...r, activity_id, name, unit_id });
    else if (kind === 'timer') out.timerJobs.push(r);
    else if (kind === 'service') out.serviceJobs.push(r);
    else if (kind === 'subscription') out.subscriptions.push(r);
    else if (kind === 'incident' && !incidentJobs.has(r.id)) {
      incidentJobs.add(r.id);
      out.failedIncidents.push({ job_id: r.id, execution_id: r.execution_id });
    }
  }
  return out;
}
