import type { Services } from '../context.ts';
import type { Authz } from '../org/authz.ts';
import type { User } from '../auth/entities.ts';

export interface Principal {
  user: User;
  via: 'session' | 'token';
  sessionId?: string;
  tokenId?: string;
}

/** What every request carries through hono's context. */
export interface AppEnv {
  Variables: {
    requestId: string;
    services: Services;
    principal: Principal | null;
    authz: Authz;
    /** A session cookie came with the request but its session has ended. */
    sessionExpired: boolean;
  };
}
