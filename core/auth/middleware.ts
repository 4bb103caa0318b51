import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { TransactionContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../errors.ts';
import type { AppEnv, Principal } from '../http/env.ts';
import { Authz, type Grant } from '../org/authz.ts';
import { resolveApiToken, resolveSession, SESSION_COOKIE } from './sessions.ts';
import { assertSameOrigin, bearerToken } from './csrf.ts';
import type { Ports } from '../modules/ports.ts';
import { grantRows, unitPath } from './store.ts';

/**
 * CSRF defence for requests that carry a session cookie: runs after `authenticate`, so it knows
 * whether the cookie names a live session. Only then does the request hold an ambient credential
 * a foreign site could use; without one it goes on, and a non-public route answers 401
 * (`requirePermission`), while public routes such as login check the origin themselves.
 */
export function csrfGuard(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.var.principal?.via === 'session') assertSameOrigin(c);
    await next();
  };
}

export async function loadGrants(em: EntityManager, userId: string): Promise<Grant[]> {
  return (await grantRows(em, userId)).map((r) => ({ role: r.role, unitId: r.unit_id, unitPath: r.path }));
}

export function unitPathLookup(em: EntityManager): (id: string) => Promise<string | null> {
  const cache = new Map<string, string | null>();
  return async (id) => {
    if (!cache.has(id)) {
      // Handlers check scope inside their transaction, after loading the row they change: ask
      // through that transaction. Outside it, SQLite's single pooled connection is held by the
      // transaction, so the lookup would wait for it forever (and on PostgreSQL it would not
      // see the transaction's own writes).
      const current = (TransactionContext.getEntityManager(em.name) as EntityManager | undefined) ?? em;
      cache.set(id, await unitPath(current, id));
    }
    return cache.get(id)!;
  };
}

/** Identifies the caller (API token or session cookie) and builds its role-and-unit authorisation. */
export function authenticate(svc: Pick<Ports, 'config' | 'db' | 'clock' | 'permissions'>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const em = svc.db.em();
    const now = svc.clock.now();
    let principal: Principal | null = null;
    let sessionExpired = false;
    const bearer = bearerToken(c.req.header('authorization'));
    if (bearer) {
      const found = await resolveApiToken(em, bearer, now);
      if (!found) throw new AppError('auth.token_invalid');
      principal = { user: found.user, via: 'token', tokenId: found.token.id };
    } else {
      const cookie = getCookie(c, SESSION_COOKIE);
      if (cookie) {
        const found = await resolveSession(em, cookie, now, svc.config);
        if (found.kind === 'ok') principal = { user: found.user, via: 'session', sessionId: found.session.id };
        else sessionExpired = true;
      }
    }
    const grants = principal ? await loadGrants(em, principal.user.id) : [];
    c.set('principal', principal);
    c.set('authz', new Authz(grants, svc.permissions, unitPathLookup(em)));
    c.set('sessionExpired', !principal && sessionExpired);
    await next();
  };
}
