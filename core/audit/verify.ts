import { raw, type EntityManager } from '@mikro-orm/knex';
import { GENESIS_HASH, recordHash } from './chain.ts';
import { AuditHead, AuditRecord } from './entities.ts';

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
  const newest = em
    .createQueryBuilder(AuditRecord, 'a')
    .select(raw('max(a.seq)'))
    .where({ chain: raw('h.chain') });
  const heads = await em
    .createQueryBuilder(AuditHead, 'h')
    .select(['h.chain', 'h.seq', 'h.hash', newest.as('max_seq')])
    .orderBy({ chain: 'asc' })
    .execute<{ chain: number; seq: number; hash: string; max_seq: number | string | null }[]>('all', false);
  const chains = new Set<number>(heads.map((h) => Number(h.chain)));
  const logged = await em.createQueryBuilder(AuditRecord).select('chain', true).execute<{ chain: number }[]>('all', false);
  for (const r of logged) chains.add(Number(r.chain));
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
      // Outside the identity map: a large trail is read page by page and never kept.
      const rows = await em.find(
        AuditRecord,
        { chain, seq: { $gt: afterSeq, $lte: upTo } },
        { orderBy: { seq: 'asc' }, limit: PAGE, disableIdentityMap: true },
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        records++;
        const seq = row.seq;
        if (seq !== expectedSeq) {
          const range = seq - 1 === expectedSeq ? `record ${expectedSeq}` : `records ${expectedSeq}–${seq - 1}`;
          problems.push({
            chain,
            seq: expectedSeq,
            problem: 'missing',
            detail: `${range} of chain ${chain} ${seq - 1 === expectedSeq ? 'is' : 'are'} missing (deleted)`,
          });
        } else if (row.prevHash !== prev) {
          problems.push({
            chain,
            seq,
            id: row.id,
            problem: 'reordered',
            detail: `record ${seq} (id ${row.id}) does not link to record ${seq - 1}: records were swapped or moved, or record ${seq - 1} was rewritten`,
          });
        }
        const expected = recordHash(row.prevHash, {
          chain: row.chain,
          seq,
          at: row.at,
          actorId: row.actorId ?? null,
          actorName: row.actorName,
          action: row.action,
          targetType: row.targetType,
          targetId: row.targetId ?? null,
          unitId: row.unitId ?? null,
          summary: row.summary,
          requestId: row.requestId ?? null,
        });
        if (expected !== row.hash) {
          problems.push({
            chain,
            seq,
            id: row.id,
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
