import type { EntityManager } from '@mikro-orm/knex';
import type { Clock } from '../clock.ts';
import type { Dialect } from '../config.ts';
import { GENESIS_HASH, recordHash, type ChainedFields } from './chain.ts';
import { sql } from '../db/sql.ts';

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

  /**
   * The head this process last wrote per chain. Only a guess: every write checks it against the
   * row (`UPDATE … WHERE seq = ? AND hash = ?`), and a stale guess (another process appended, a
   * transaction rolled back) costs one read of the head, as without it.
   */
  private readonly lastHead = new Map<number, { seq: number; hash: string }>();
  /** Records of a transaction inside `batch`, written together when it ends. */
  private readonly buffers = new WeakMap<object, { entry: AuditEntry; at: string }[]>();

  async append(em: EntityManager, entry: AuditEntry): Promise<void> {
    const tx = em.getTransactionContext() as object | undefined;
    const buffer = tx && this.buffers.get(tx);
    if (buffer) buffer.push({ entry, at: this.clock.now().toISOString() });
    else await this.write(em, [{ entry, at: this.clock.now().toISOString() }]);
  }

  /**
   * Appends several records in order on one chain (the transaction's), with one multi-row
   * INSERT and one update of the chain's head: each record's hash covers the one before it.
   */
  async appendMany(em: EntityManager, entries: AuditEntry[]): Promise<void> {
    const at = this.clock.now().toISOString();
    await this.write(
      em,
      entries.map((entry) => ({ entry, at })),
    );
  }

  /**
   * Runs `fn` (an engine command and its follow-ups, in the caller's transaction) and writes the
   * records it appends at its end, together (`appendMany`); each keeps the time it was appended at.
   * Nothing is written if `fn` throws (its transaction rolls back anyway). Nested: the outer one writes.
   */
  async batch<T>(em: EntityManager, fn: () => Promise<T>): Promise<T> {
    const tx = em.getTransactionContext() as object | undefined;
    if (!tx || this.buffers.has(tx)) return fn();
    const buffer: { entry: AuditEntry; at: string }[] = [];
    this.buffers.set(tx, buffer);
    try {
      const value = await fn();
      this.buffers.delete(tx);
      await this.write(em, buffer);
      return value;
    } finally {
      this.buffers.delete(tx);
    }
  }

  private async write(em: EntityManager, records: { entry: AuditEntry; at: string }[]): Promise<void> {
    if (!records.length) return;
    const tx = em.getTransactionContext() as object | undefined;
    const chain = (tx && this.txChains.get(tx)) ?? this.chainOf(records[0].entry);
    if (tx) this.txChains.set(tx, chain);
    let head = this.lastHead.get(chain) ?? (await this.readHead(em, chain));
    let rows = this.chained(chain, head, records);
    // The head moves only if it is still the one the records were chained to; else read it and chain again.
    if (!(await this.moveHead(em, chain, head, rows.at(-1)!))) {
      head = await this.readHead(em, chain);
      rows = this.chained(chain, head, records);
      if (!(await this.moveHead(em, chain, head, rows.at(-1)!))) throw new Error(`audit chain ${chain}: its head changed under a lock`);
    }
    const one = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
    for (let i = 0; i < rows.length; i += 100) {
      const chunk = rows.slice(i, i + 100);
      // Plain SQL rather than em.insert: one fewer trip through the ORM on every command.
      await sql(em).run(
        `INSERT INTO audit_log (chain, seq, at, actor_id, actor_name, action, target_type, target_id, unit_id, summary, request_id, prev_hash, hash) VALUES ${chunk.map(() => one).join(', ')}`,
        chunk.flatMap((r) => [
          chain,
          r.fields.seq,
          r.fields.at,
          r.fields.actorId,
          r.fields.actorName,
          r.fields.action,
          r.fields.targetType,
          r.fields.targetId,
          r.fields.unitId,
          JSON.stringify(r.fields.summary),
          r.fields.requestId,
          r.prev,
          r.hash,
        ]),
      );
    }
  }

  /** Each record's fields and hash, chained from `head`. */
  private chained(chain: number, head: { seq: number; hash: string }, records: { entry: AuditEntry; at: string }[]) {
    let prev = head.hash;
    return records.map(({ entry, at }, i) => {
      const fields: ChainedFields = {
        chain,
        seq: head.seq + i + 1,
        at,
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
      const row = { fields, prev, hash: recordHash(prev, fields) };
      prev = row.hash;
      return row;
    });
  }

  /** Moves the chain's head from `from` to the last record, if it still is `from` (on PostgreSQL this locks the head row). */
  private async moveHead(
    em: EntityManager,
    chain: number,
    from: { seq: number; hash: string },
    last: { fields: ChainedFields; hash: string },
  ) {
    const res = await sql(em).run('UPDATE audit_heads SET seq = ?, hash = ? WHERE chain = ? AND seq = ? AND hash = ?', [
      last.fields.seq,
      last.hash,
      chain,
      from.seq,
      from.hash,
    ]);
    if (res.affectedRows !== 1) {
      this.lastHead.delete(chain);
      return false;
    }
    this.lastHead.set(chain, { seq: last.fields.seq, hash: last.hash });
    return true;
  }

  /** The chain's head row, locked on PostgreSQL; created at seq 0 if missing. */
  private async readHead(em: EntityManager, chain: number): Promise<{ seq: number; hash: string }> {
    const lock = this.dialect === 'postgresql' ? ' FOR UPDATE' : '';
    const selectHead = async () =>
      (await sql(em).all<{ seq: number; hash: string }>(`SELECT seq, hash FROM audit_heads WHERE chain = ?${lock}`, [chain]))[0];
    let head = this.ensured.has(chain) ? await selectHead() : undefined;
    if (!head) {
      // First append to this chain by this process, or the head row this process saw was never
      // committed (its transaction rolled back: a refused import, a dry run). Create it inside
      // this transaction. A head row deleted behind our back is recreated at seq 0 too, which
      // `motcua audit verify` reports as a broken chain: nothing is hidden.
      await sql(em).all(
        this.dialect === 'postgresql'
          ? 'INSERT INTO audit_heads (chain, seq, hash) VALUES (?, 0, ?) ON CONFLICT (chain) DO NOTHING'
          : 'INSERT OR IGNORE INTO audit_heads (chain, seq, hash) VALUES (?, 0, ?)',
        [chain, GENESIS_HASH],
      );
      head = await selectHead();
      if (!head) throw new Error(`audit chain ${chain} has no head row`);
    }
    this.ensured.add(chain);
    return { seq: Number(head.seq), hash: head.hash };
  }
}
