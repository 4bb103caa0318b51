import type { EntityManager } from '@mikro-orm/knex';

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
export interface InstanceRows {
  openTasks: ExecutionRow[];
  timerJobs: ExecutionRow[];
  serviceJobs: ExecutionRow[];
  failedIncidents: { job_id: string; execution_id: string | null }[];
  subscriptions: ExecutionRow[];
}

// One statement instead of five: every command on an instance reads all of these, and on
// PostgreSQL each statement is a round trip (bench: `npm run bench -- engine`).
const SQL = `SELECT 'task' AS kind, id, execution_id, status FROM tasks WHERE instance_id = ? AND status = 'open'
UNION ALL SELECT kind, id, execution_id, status FROM jobs WHERE instance_id = ? AND kind IN ('timer', 'service')
UNION ALL SELECT 'incident', i.job_id, j.execution_id, j.status FROM incidents i JOIN jobs j ON j.id = i.job_id WHERE i.instance_id = ? AND i.resolved_at IS NULL AND j.status = 'failed'
UNION ALL SELECT 'subscription', id, execution_id, NULL FROM message_subscriptions WHERE instance_id = ?`;

/** Reads them in the command's transaction, before anything is written. */
export async function loadInstanceRows(em: EntityManager, instanceId: string): Promise<InstanceRows> {
  const rows = await em.execute<(ExecutionRow & { kind: string })[]>(SQL, [instanceId, instanceId, instanceId, instanceId]);
  const out: InstanceRows = { openTasks: [], timerJobs: [], serviceJobs: [], failedIncidents: [], subscriptions: [] };
  const incidentJobs = new Set<string>();
  for (const { kind, ...r } of rows) {
    if (kind === 'task') out.openTasks.push(r);
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
