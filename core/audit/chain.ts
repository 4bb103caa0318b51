import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields a record's hash covers; everything but the storage id and the hash itself. */
export interface ChainedFields {
  chain: number;
  seq: number;
  at: string;
  actorId: string | null;
  actorName: string;
  action: string;
  targetType: string;
  targetId: string | null;
  unitId: string | null;
  summary: Record<string, unknown>;
  requestId: string | null;
}

/** JSON with object keys sorted at every depth, so the hash does not depend on storage order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function recordHash(prevHash: string, fields: ChainedFields): string {
  const body = canonicalJson({
    chain: fields.chain,
    seq: fields.seq,
    at: fields.at,
    actorId: fields.actorId,
    actorName: fields.actorName,
    action: fields.action,
    targetType: fields.targetType,
    targetId: fields.targetId,
    unitId: fields.unitId,
    summary: fields.summary,
    requestId: fields.requestId,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}
