import { createHash } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { TaskPosition, TaskQuery } from './views.ts';

/**
 * The inbox's page cursor (`GET /api/tasks?cursor=`, `X-Next-Cursor`): the last task of a page
 * (due time, creation, id) and the list it belongs to (filter, view, sort), base64url JSON, with
 * a check: the first 16 hex digits of SHA-256 over the user's id and the payload. It is opaque
 * to clients and checked, but not signed (the check has no secret, so it catches edits and
 * mix-ups, not a determined forger): it only says where the caller's own list resumes, so a
 * forged one could do no more than skip within what they may see anyway. A cursor edited
 * by hand, another user's, or one of another list (filter, view or sort) answers 400
 * `request.invalid`.
 */

type ListKey = Pick<TaskQuery, 'filter' | 'view' | 'sort'>;

const listOf = (q: ListKey) => [q.filter, q.view ?? '', q.sort ?? 'due'].join('/');
const checkOf = (userId: string, payload: string) => createHash('sha256').update(`${userId}\n${payload}`).digest('hex').slice(0, 16);

export function encodeCursor(userId: string, q: ListKey, p: TaskPosition): string {
  const payload = Buffer.from(JSON.stringify([1, listOf(q), p.due, p.created, p.id])).toString('base64url');
  return `${payload}.${checkOf(userId, payload)}`;
}

const invalid = (why: string) => new AppError('request.invalid', `cursor: ${why}`);

export function decodeCursor(userId: string, q: ListKey, cursor: string): TaskPosition {
  const m = /^([A-Za-z0-9_-]{1,400})\.([0-9a-f]{16})$/.exec(cursor);
  if (!m || m[2] !== checkOf(userId, m[1]))
    throw invalid('not a cursor this list gave you (pass X-Next-Cursor of the previous page as it came)');
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8'));
  } catch {
    v = null;
  }
  if (!Array.isArray(v) || v.length !== 5 || v[0] !== 1) throw invalid('not a cursor this list gave you');
  const [, list, due, created, id] = v as [number, unknown, unknown, unknown, unknown];
  if (list !== listOf(q)) throw invalid(`it belongs to another list (${String(list)}), not ${listOf(q)}: start again without it`);
  if (!(due === null || Number.isSafeInteger(due)) || !Number.isSafeInteger(created) || typeof id !== 'string' || !id) {
    throw invalid('not a cursor this list gave you');
  }
  return { due: due as number | null, created: created as number, id };
}
