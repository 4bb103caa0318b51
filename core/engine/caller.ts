import type { Context } from 'hono';
import type { User } from '../auth/entities.ts';
import type { AppEnv } from '../http/env.ts';
import { acting } from '../http/acting.ts';
import type { Acting } from '../org/actor.ts';
import type { Authz } from '../org/authz.ts';

/**
 * Who calls an engine application service (task-service.ts, instance-service.ts,
 * incident-service.ts): the audit identity, what they may do where, and their account. The
 * services take this, never the request context.
 */
export interface Caller {
  acting: Acting;
  authz: Authz;
  user: User;
}

/** The caller of a request that passed authentication (every engine route needs a session or token). */
export function callerOf(c: Context<AppEnv>): Caller {
  return { acting: acting(c), authz: c.var.authz, user: c.var.principal!.user };
}
