/** Rows of the engine's tables as the runtime reads them (core/engine/migrations/0002, 0006). */

export type InstanceStatus = 'running' | 'completed' | 'cancelled' | 'incident';

export interface InstanceRow {
  id: string;
  definition_id: string;
  definition_key: string;
  definition_version: number;
  business_key: string | null;
  status: InstanceStatus;
  unit_id: string | null;
  unit_path: string | null;
  state: string | null;
  variables: string;
  lock_version: number;
  /** A called instance: its parent, the parent's call activity and its execution (0006). */
  parent_id?: string | null;
  parent_activity_id?: string | null;
  parent_execution_id?: string | null;
  root_id?: string | null;
  /** JSON of `Routing` (types.ts), pinned at start (0015). */
  routing?: string | null;
}

export interface TaskRow {
  id: string;
  instance_id: string;
  definition_key: string;
  activity_id: string;
  execution_id: string;
  name: string | null;
  form_key: string | null;
  assignee: string | null;
  candidate_groups: string;
  candidate_users: string;
  unit_id: string | null;
  unit_path: string | null;
  due_at: unknown;
  status: 'open' | 'completed' | 'cancelled';
  claimed_by: string | null;
  created_at: unknown;
  /** The task's input parameters (camunda:inputOutput), JSON; null without any (0006). */
  variables?: string | null;
  /** The instance's business key, a dossier's code (0019); null before it or without one. */
  business_key?: string | null;
}

/** Statuses in which an instance takes commands (an incident blocks only its own path). */
export const ACTIVE = new Set<InstanceStatus>(['running', 'incident']);

/** `,a,b,` so that `LIKE '%,a,%'` finds one member exactly. */
export const csv = (values: string[]) => (values.length ? `,${values.join(',')},` : '');
