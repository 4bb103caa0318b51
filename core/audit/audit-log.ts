import type { EntityManager } from '@mikro-orm/knex';
import type { Clock } from '../clock.ts';
import type { Dialect } from '../config.ts';
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

/** FNV-1a: a cheap, stable spread of targets over chains. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Appends hash-chained audit records inside the caller's transaction, so a record exists
 * exactly when the change it describes was committed.
 */
export class AuditLog {
  /** Chains whose head row this process has already made sure exists (rows are never deleted). */
  private readonly ensured = new Set<number>();
  /**
   * The chain each open transaction appends to. All records of one transaction share a chain,
   * so a transaction locks one head row only: two transactions can never wait on each other's
   * heads in opposite order (a deadlock).
   */
  private readonly txChains = new WeakMap<object, number>();

  /**
   * @param chains how many independent chains records are spread over (ADR 0003). One chain
   * orders every record; several let concurrent commands on different targets append without
   * waiting for each other's head row. A transaction's chain follows its first record's target.
   */
  constructor(
    private readonly clock: Clock,
    private readonly dialect: Dialect,
    private readonly chains = 1,
  ) {}

  chainOf(entry: Pick<AuditEntry, 'targetType' | 'targetId' | 'actor'>): number {
    if (this.chains <= 1) return 0;
    return fnv1a(`${entry.targetType}:${entry.targetId ?? entry.actor.id ?? entry.actor.name}`) % this.chains;
  }

  async append(em: EntityManager, entry: AuditEntry): Promise<void> {
    const tx = em.getTransactionContext() as object | undefined;
    const chain = (tx && this.txChains.get(tx)) ?? this.chainOf(entry);
    if (tx) this.txChains.set(tx, chain);
    const lock = this.dialect === 'postgresql' ? ' FOR UPDATE' : '';
    const selectHead = async () =>
      (await em.execute<{ seq: number; hash: string }[]>(`SELECT seq, hash FROM audit_heads WHERE chain = ?${lock}`, [chain]))[0];
    let head = this.ensured.has(chain) ? await selectHead() : undefined;
    if (!head) {
      // First append to this chain by this process, or the head row this process saw was never
      // committed (its transaction rolled back: a refused import, a dry run). Create it inside
      // this transaction. A head row deleted behind our back is recreated at seq 0 too, which
      // `motcua audit verify` reports as a broken chain: nothing is hidden.
      await em.execute(
        this.dialect === 'postgresql'
          ? 'INSERT INTO audit_heads (chain, seq, hash) VALUES (?, 0, ?) ON CONFLICT (chain) DO NOTHING'
          : 'INSERT OR IGNORE INTO audit_heads (chain, seq, hash) VALUES (?, 0, ?)',
        [chain, GENESIS_HASH],
      );
      head = await selectHead();
      if (!head) throw new Error(`audit chain ${chain} has no head row`);
    }
    this.ensured.add(chain);
    const fields: ChainedFields = {
      chain,
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
    // Plain SQL rather than em.insert: one fewer trip through the ORM on every command.
    await em.execute(
      'INSERT INTO audit_log (chain, seq, at, actor_id, actor_name, action, target_type, target_id, unit_id, summary, request_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        chain,
        fields.seq,
        fields.at,
        fields.actorId,
        fields.actorName,
        fields.action,
        fields.targetType,
        fields.targetId,
        fields.unitId,
        JSON.stringify(fields.summary),
        fields.requestId,
        head.hash,
        hash,
      ],
      'run',
    );
    await em.execute('UPDATE audit_heads SET seq = ?, hash = ? WHERE chain = ?', [fields.seq, hash, chain]);
  }
}
