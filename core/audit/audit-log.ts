import type { EntityManager } from '@mikro-orm/knex';
import type { Clock } from '../clock.ts';
import type { Dialect } from '../config.ts';
import { AuditRecord } from './entities.ts';
import { GENESIS_HASH, recordHash, type ChainedFields } from './chain.ts';

export interface AuditActor {
  id: string | null;
  name: string;
}

export interface AuditEntry {
  actor: AuditActor;
  /** `<module>.<entity>.<past-verb>`-like, e.g. `user.created`, `auth.login_failed`. */
  action: string;
  targetType: string;
  targetId?: string | null;
  /** The unit the target belongs to: decides which auditors see the record. */
  unitId?: string | null;
  /** What changed: for edits `{ field: [before, after] }`; never secrets. */
  summary?: Record<string, unknown>;
  requestId?: string | null;
}

/** One chain today; the column lets a busy installation shard the chain later (ADR 0003). */
const CHAIN = 0;

/**
 * Appends hash-chained audit records inside the caller's transaction, so a record exists
 * exactly when the change it describes was committed.
 */
export class AuditLog {
  constructor(
    private readonly clock: Clock,
    private readonly dialect: Dialect,
  ) {}

  async append(em: EntityManager, entry: AuditEntry): Promise<void> {
    const lock = this.dialect === 'postgresql' ? ' FOR UPDATE' : '';
    await em.execute(
      this.dialect === 'postgresql'
        ? 'INSERT INTO audit_heads (chain, seq, hash) VALUES (?, 0, ?) ON CONFLICT (chain) DO NOTHING'
        : 'INSERT OR IGNORE INTO audit_heads (chain, seq, hash) VALUES (?, 0, ?)',
      [CHAIN, GENESIS_HASH],
    );
    const [head] = await em.execute<{ seq: number; hash: string }[]>(`SELECT seq, hash FROM audit_heads WHERE chain = ?${lock}`, [CHAIN]);
    const fields: ChainedFields = {
      chain: CHAIN,
      seq: Number(head.seq) + 1,
      at: this.clock.now().toISOString(),
      actorId: entry.actor.id,
      actorName: entry.actor.name,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId ?? null,
      unitId: entry.unitId ?? null,
      // Hash exactly what the database will give back: a Date becomes its ISO string, undefined
      // disappears, NaN becomes null. Hashing the live object would fail verification later.
      summary: JSON.parse(JSON.stringify(entry.summary ?? {})) as Record<string, unknown>,
      requestId: entry.requestId ?? null,
    };
    const hash = recordHash(head.hash, fields);
    await em.insert(AuditRecord, { ...fields, prevHash: head.hash, hash });
    await em.execute('UPDATE audit_heads SET seq = ?, hash = ? WHERE chain = ?', [fields.seq, hash, CHAIN]);
  }
}
