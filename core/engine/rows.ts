/** Rows of the engine's tables as the runtime reads them (core/engine/migrations/0002, 0006). */
import type { RowOf } from '../db/row-of.ts';
import type { ProcessInstance, Task } from './entities.ts';

export type InstanceStatus = 'running' | 'completed' | 'cancelled' | 'incident';

export type InstanceRow = Omit<RowOf<ProcessInstance>, 'status'> & { status: InstanceStatus };
export type TaskRow = Omit<RowOf<Task>, 'status'> & { status: 'open' | 'completed' | 'cancelled' | 'sent_back' };

/** Statuses in which an instance takes commands (an incident blocks only its own path). */
export const ACTIVE = new Set<InstanceStatus>(['running', 'incident']);

/** `,a,b,` so that `LIKE '%,a,%'` finds one member exactly. */
export const csv = (values: string[]) => (values.length ? `,${values.join(',')},` : '');
