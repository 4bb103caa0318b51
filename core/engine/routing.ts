import { z } from 'zod';
import type { ActivityModel } from './model.ts';
import type { Routing, UnitRef } from './types.ts';

const unitRef = z.object({ id: z.string().min(1), path: z.string().min(1) }).strict();

/** A routing as stored and as a start accepts it (types.ts `Routing`). */
export const routingSchema = z
  .object({
    lanes: z.record(z.string(), unitRef).optional(),
    roles: z.record(z.string(), unitRef).optional(),
    otherwise: unitRef.optional(),
  })
  .strict();

/** The routing stored on an instance row, or null (none, or a row written before migration 0015). */
export function parseRouting(json: string | null | undefined): Routing | null {
  if (!json) return null;
  return routingSchema.parse(JSON.parse(json));
}

/**
 * Where `routing` sends a step that names no unit: its lane's entry, else the entry of its first
 * candidate role that has one, else `otherwise`; null when the routing says nothing (the caller
 * then keeps the instance's unit). Pure: the decision is tested without a database.
 */
export function routeStep(routing: Routing | null, activity: ActivityModel | undefined): UnitRef | null {
  if (!routing) return null;
  const lane = activity?.lane?.id;
  if (lane && routing.lanes?.[lane]) return routing.lanes[lane];
  for (const role of activity?.userTask?.candidateGroups ?? []) {
    const unit = routing.roles?.[role];
    if (unit) return unit;
  }
  return routing.otherwise ?? null;
}
