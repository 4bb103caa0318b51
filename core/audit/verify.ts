import type { EntityManager } from '@mikro-orm/knex';
import { GENESIS_HASH, recordHash } from './chain.ts';
import { rowSummary, type AuditRow } from './rows.ts';
import { sql } from '../db/sql.ts';

export interface AuditProblem {
  chain: number;
  seq: number;
  id?: number;
  problem: 'altered' | 'missing' | 'reordered' | 'truncated';
  detail: string;
}

export interface AuditVerification {
  ok: boolean;
  records: number;
  /** Chain 0's newest record: what to anchor elsewhere when there is one chain. */
  headSeq: number;
  headHash: string;
  /** Every chain's newest record as verified (anchor them all when there are several). */
  heads: { chain: number; seq: number; hash: string }[];
  problems: AuditProblem[];
}

const PAGE = 5000;
/** seq is an `integer` column: a bound above this would not even bind on PostgreSQL. */
const INT4_MAX = 2_147_483_647;

/**
 * Walks every chain in order and recomputes each hash. An edited record fails its own hash;
 * a deleted one leaves a gap in `seq` and a broken `prevHash`; deleting the newest records
 * is caught by the head row. Reads in pages so a large trail needs little memory.
 *
 * The trail keeps growing while it is verified. An append writes its record and the head in
 * one transaction, so the head and the newest record are read together in one statement, and
 * the walk stops there: records appended meanwhile are left to the next verification.
 */
export async function verifyAuditChain(em: EntityManager): Promise<AuditVerification> {
  const problems: AuditProblem[] = [];
  const heads = await sql(em).all<{ chain: number; seq: number; hash: string; max_seq: number | null }>(
    'SELECT h.chain, h.seq, h.hash, (SELECT MAX(a.seq) FROM audit_log a WHERE a.chain = h.chain) AS max_seq FROM audit_heads h ORDER BY h.chain',
  );
  const chains = new Set<number>(heads.map((h) => Number(h.chain)));
  for (const r of await sql(em).all<{ chain: number }>('SELECT DISTINCT chain FROM audit_log')) chains.add(Number(r.chain));
  let records = 0;
  let headSeq = 0;
  let headHash = GENESIS_HASH;
  const verifiedHeads: AuditVerification['heads'] = [];
  for (const chain of [...chains].sort((a, b) => a - b)) {
    const head = heads.find((h) => Number(h.chain) === chain);
    // As of the heads statement: the head's record, or a newer one written around the audit log.
    const upTo = head ? Math.max(Number(head.seq), Number(head.max_seq ?? 0)) : INT4_MAX;
    let expectedSeq = 1;
    let prev = GENESIS_HASH;
    let afterSeq = 0;
    for (;;) {
      const rows = await sql(em).all<AuditRow>('SELECT * FROM audit_log WHERE chain = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?', [
        chain,
        afterSeq,
        upTo,
        PAGE,
      ]);
      if (rows.length === 0) break;
      for (const row of rows) {
        records++;
        const seq = Number(row.seq);
        if (seq !== expectedSeq) {
          const range = seq - 1 === expectedSeq ? `record ${expectedSeq}` : `records ${expectedSeq}–${seq - 1}`;
          problems.push({
            chain,
            seq: expectedSeq,
            problem: 'missing',
            detail: `${range} of chain ${chain} ${seq - 1 === expectedSeq ? 'is' : 'are'} missing (deleted)`,
          });
        } else if (row.prev_hash !== prev) {
          problems.push({
            chain,
            seq,
            id: Number(row.id),
            problem: 'reordered',
            detail: `record ${seq} (id ${row.id}) does not link to record ${seq - 1}: records were swapped or moved, or record ${seq - 1} was rewritten`,
          });
        }
        const summary = rowSummary(row);
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
          problems.push({
            chain,
            seq,
            id: Number(row.id),
            problem: 'altered',
            detail: `record ${seq} (id ${row.id}, ${row.action}) was changed after it was written`,
          });
        }
        prev = row.hash;
        expectedSeq = seq + 1;
        afterSeq = seq;
      }
    }
    const lastSeq = expectedSeq - 1;
    if (!head) {
      if (lastSeq > 0) problems.push({ chain, seq: lastSeq, problem: 'truncated', detail: `chain ${chain} has no head row` });
    } else if (Number(head.seq) > lastSeq) {
      problems.push({
        chain,
        seq: Number(head.seq),
        problem: 'truncated',
        detail: `chain ${chain} ends at record ${lastSeq} but its head says ${head.seq}: the newest records were deleted or the head was edited`,
      });
    } else if (Number(head.seq) < lastSeq) {
      problems.push({
        chain,
        seq: Number(head.seq) + 1,
        problem: 'altered',
        detail: `chain ${chain} has records up to ${lastSeq} but its head says ${head.seq}: records ${Number(head.seq) + 1}–${lastSeq} were added behind the audit log's back, or the head was edited`,
      });
    } else if (head.hash !== prev) {
      problems.push({
        chain,
        seq: lastSeq,
        problem: 'altered',
        detail: `the newest record ${lastSeq} of chain ${chain} does not match its head: it was rewritten, or the head was edited`,
      });
    }
    if (chain === 0) {
      headSeq = lastSeq;
      headHash = prev;
    }
    verifiedHeads.push({ chain, seq: lastSeq, hash: prev });
  }
  return { ok: problems.length === 0, records, headSeq, headHash, heads: verifiedHeads, problems };
}
