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
    /** Origins a state-changing request may come from (the configured public origin, http/public-origin.ts). */
    trustedOrigins: string[];
    principal: Principal | null;
    authz: Authz;
    /** A session cookie came with the request but its session has ended. */
    sessionExpired: boolean;
  };
}
