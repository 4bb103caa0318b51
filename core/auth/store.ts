import type { EntityManager } from '@mikro-orm/knex';
import { sql } from '../db/sql.ts';

/**
 * The raw SQL of authentication: only statements every request runs, each kept raw because the
 * engine benchmark (`BENCH_SCALE=small BENCH_PARTS=sqlite npm run bench -- engine`, every task
 * completion is an API-token request) showed the ORM's query building on that path (ADR 0012).
 * Everything else in auth goes through the entity manager.
 */

/** A session with its user's columns (`u.*`, raw); `undefined` when there is no such session. */
export async function sessionWithUser(em: EntityManager, id: string): Promise<Record<string, unknown> | undefined> {
  // Raw: every cookie request resolves its session and user in one statement (engine benchmark).
  return sql(em).get(
    'SELECT s.user_id AS session_user_id, s.last_seen_at AS session_last_seen_at, s.expires_at AS session_expires_at, u.* ' +
      'FROM sessions s LEFT JOIN users u ON u.id = s.user_id WHERE s.id = ?',
    [id],
  );
}

/** An API token with its user's columns (`u.*`, raw); `undefined` when no token has this hash. */
export async function tokenWithUser(em: EntityManager, tokenHash: string): Promise<Record<string, unknown> | undefined> {
  // Raw: every API call resolves its token and user in one statement (engine benchmark's completions).
  return sql(em).get(
    'SELECT t.id AS token_id, t.last_used_at AS token_last_used_at, t.expires_at AS token_expires_at, t.revoked_at AS token_revoked_at, u.* ' +
      'FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?',
    [tokenHash],
  );
}

/** The user's role assignments with the path of each unit. */
export async function grantRows(em: EntityManager, userId: string): Promise<{ role: string; unit_id: string; path: string }[]> {
  // Raw: every request loads its caller's grants; the query builder here cost the engine benchmark's server 0.25 s.
  return sql(em).all('SELECT ra.role, ra.unit_id, u.path FROM role_assignments ra JOIN units u ON u.id = ra.unit_id WHERE ra.user_id = ?', [
    userId,
  ]);
}

/** A unit's materialised path, or `null`. */
export async function unitPath(em: EntityManager, id: string): Promise<string | null> {
  // Raw: every command checks the scope of the unit it acts in (the engine benchmark's completions).
  const row = await sql(em).get<{ path: string }>('SELECT path FROM units WHERE id = ?', [id]);
  return row?.path ?? null;
}
