import type { Context } from 'hono';
import type { Acting } from '../org/actor.ts';
import type { AppEnv } from './env.ts';

/** The audit identity of the current request. */
export function acting(c: Context<AppEnv>): Acting {
  const user = c.var.principal?.user;
  return { actor: { id: user?.id ?? null, name: user?.username ?? 'anonymous' }, requestId: c.var.requestId };
}
