import type { EntityManager } from '@mikro-orm/knex';
import { GENESIS_HASH, recordHash } from './chain.ts';

export interface AuditProblem {
  seq: number;
  id?: number;
  problem: 'altered' | 'missing' | 'reordered' | 'truncated';
  detail: string;
}

export interface AuditVerification {
  ok: boolean;
  records: number;
  headSeq: number;
  headHash: string;
  problems: AuditProblem[];
}

interface Row {
  id: number;
  chain: number;
  seq: number;
  at: string;
  actor_id: string | null;
  actor_name: string;
  action: string;
  target_type: string;
  target_id: string | null;
  unit_id: string | null;
  summary: string | Record<string, unknown>;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

const PAGE = 5000;

/**
 * Walks every chain in order and recomputes each hash. An edited record fails its own hash;
 * a deleted one leaves a gap in `seq` and a broken `prevHash`; deleting the newest records
 * is caught by the head row. Reads in pages so a large trail needs little memory.
 */
export async function verifyAuditChain(em: EntityManager): Promise<AuditVerification> {
  const problems: AuditProblem[] = [];
  const heads = await em.execute<{ chain: number; seq: number; hash: string }[]>('SELECT chain, seq, hash FROM audit_heads ORDER BY chain');
  const chains = new Set<number>(heads.map((h) => Number(h.chain)));
  for (const r of await em.execute<{ chain: number }[]>('SELECT DISTINCT chain FROM audit_log')) chains.add(Number(r.chain));
  let records = 0;
  let headSeq = 0;
  let headHash = GENESIS_HASH;
  for (const chain of [...chains].sort((a, b) => a - b)) {
    let expectedSeq = 1;
    let prev = GENESIS_HASH;
    let afterSeq = 0;
    for (;;) {
      const rows = await em.execute<Row[]>('SELECT * FROM audit_log WHERE chain = ? AND seq > ? ORDER BY seq LIMIT ?', [chain, afterSeq, PAGE]);
      if (rows.length === 0) break;
      for (const row of rows) {
        records++;
        const seq = Number(row.seq);
        if (seq !== expectedSeq) {
          problems.push({ seq: expectedSeq, problem: 'missing', detail: `records ${expectedSeq}–${seq - 1} of chain ${chain} are missing (deleted)` });
        }
        if (row.prev_hash !== prev && seq === expectedSeq) {
          problems.push({ seq, id: row.id, problem: 'reordered', detail: `record ${seq} does not follow the record before it` });
        }
        const summary = typeof row.summary === 'string' ? (JSON.parse(row.summary) as Record<string, unknown>) : row.summary;
        const expected = recordHash(row.prev_hash, {
          chain: Number(row.chain),
          seq,
          at: row.at,
          actorId: row.actor_id,
          actorName: row.actor_name,
          action: row.action,
          targetType: row.target_type,
          targetId: row.target_id,
          unitId: row.unit_id,
          summary,
          requestId: row.request_id,
        });
        if (expected !== row.hash) {
          problems.push({ seq, id: row.id, problem: 'altered', detail: `record ${seq} (id ${row.id}, ${row.action}) was changed after it was written` });
        }
        prev = row.hash;
        expectedSeq = seq + 1;
        afterSeq = seq;
      }
    }
    const head = heads.find((h) => Number(h.chain) === chain);
    const lastSeq = expectedSeq - 1;
    if (!head) {
      if (lastSeq > 0) problems.push({ seq: lastSeq, problem: 'truncated', detail: `chain ${chain} has no head row` });
    } else if (Number(head.seq) !== lastSeq || head.hash !== prev) {
      problems.push({
        seq: Number(head.seq),
        problem: 'truncated',
        detail: `chain ${chain} ends at record ${lastSeq} but its head says ${head.seq}: the newest records were deleted or the head was edited`,
      });
    }
    if (chain === 0) {
      headSeq = lastSeq;
      headHash = prev;
    }
  }
  return { ok: problems.length === 0, records, headSeq, headHash, problems };
}
