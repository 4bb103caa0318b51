import type { Authz } from '../org/authz.ts';
import type { Ports } from '../modules/ports.ts';
import { rowSummary, type AuditRow } from './rows.ts';
import { sql } from '../db/sql.ts';

/** The filters of `GET /api/audit` (validated by its route). */
export interface AuditQuery {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  unitId?: string;
  from?: string;
  to?: string;
  before?: number;
  limit: number;
}

/**
 * One page of the audit trail the caller may read (records of its units' subtrees, and those of
 * no unit for a province-wide reader), newest first. Raw SQL: the trail is the largest table and
 * this is its one listing, kept to one indexed statement.
 */
export async function listAuditRecords(db: Pick<Ports, 'db'>['db'], authz: Authz, q: AuditQuery) {
  const where: string[] = [];
  const params: unknown[] = [];
  const scope = authz.scopes('audit.read').map((s) => {
    params.push(`${s}%`);
    return 'un.path LIKE ?';
  });
  if (authz.isGlobal('audit.read')) scope.push('a.unit_id IS NULL');
  where.push(`(${scope.join(' OR ')})`);
  if (q.actor) {
    where.push('(a.actor_id = ? OR a.actor_name = ?)');
    params.push(q.actor, q.actor);
  }
  if (q.action) {
    if (q.action.endsWith('*')) {
      where.push('a.action LIKE ?');
      params.push(`${q.action.slice(0, -1)}%`);
    } else {
      where.push('a.action = ?');
      params.push(q.action);
    }
  }
  for (const [key, col] of [
    ['targetType', 'target_type'],
    ['targetId', 'target_id'],
    ['unitId', 'unit_id'],
  ] as const) {
    if (q[key]) {
      where.push(`a.${col} = ?`);
      params.push(q[key]);
    }
  }
  if (q.unitId) await authz.assert('audit.read', q.unitId);
  if (q.from) {
    where.push('a.at >= ?');
    params.push(new Date(q.from).toISOString());
  }
  if (q.to) {
    where.push('a.at < ?');
    params.push(new Date(q.to).toISOString());
  }
  if (q.before) {
    where.push('a.id < ?');
    params.push(q.before);
  }
  params.push(q.limit + 1);
  const rows = await sql(db.em()).all<AuditRow>(
    `SELECT a.* FROM audit_log a LEFT JOIN units un ON un.id = a.unit_id WHERE ${where.join(' AND ')} ORDER BY a.id DESC LIMIT ?`,
    params,
  );
  const page = rows.slice(0, q.limit);
  return {
    records: page.map((r) => ({
      id: Number(r.id),
      seq: Number(r.seq),
      at: r.at,
      actorId: r.actor_id,
      actorName: r.actor_name,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      unitId: r.unit_id,
      summary: rowSummary(r),
      requestId: r.request_id,
      hash: r.hash,
    })),
    nextBefore: rows.length > q.limit ? Number(page[page.length - 1].id) : null,
  };
}
