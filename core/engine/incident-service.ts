import type { Caller } from './caller.ts';
import type { EngineDeps } from './deps.ts';
import { incidentNotFound, loadIncident, retryIncident as requeueIncidentJob } from './incidents.ts';
import type { EnginePorts } from './ports.ts';
import { incidentById, instanceUnitId, visibleIncidents, type IncidentQuery, type IncidentView } from './views.ts';

/**
 * The application service of incidents (GET /api/incidents, retry): the caller sees only the
 * incidents of instances `process.read` reaches in their units, and retries with `process.operate`.
 */
export type IncidentPorts = Pick<EnginePorts, keyof EngineDeps>;

/** Incidents of the instances of the caller's units, newest first. */
export function listIncidents(ports: Pick<IncidentPorts, 'db'>, caller: Caller, query: IncidentQuery): Promise<IncidentView[]> {
  return visibleIncidents(ports.db.em(), caller.authz, query);
}

/**
 * Queues the incident's job again with fresh attempts (incidents.ts). One the caller may not see
 * answers as missing (404, ADR 0004); one they see but may not operate, 403. The incident as it now is.
 */
export async function retryIncident(ports: IncidentPorts, caller: Caller, id: string): Promise<IncidentView> {
  await ports.db.em().transactional(async (em) => {
    const incident = await loadIncident(em, id);
    const unitId = await instanceUnitId(em, incident.instanceId);
    await caller.authz.assertVisible('process.read', unitId, () => incidentNotFound(id));
    await caller.authz.assert('process.operate', unitId);
    await requeueIncidentJob(em, ports, caller.acting, incident);
  });
  return incidentById(ports.db.em(), id);
}
