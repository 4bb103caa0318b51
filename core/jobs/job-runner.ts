import { hostname } from 'node:os';
import { LockMode } from '@mikro-orm/core';
import { raw, type EntityManager } from '@mikro-orm/knex';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { Job as JobRow } from './entities.ts';
import { jobOf, type Job } from './jobs.ts';

/**
 * What a handler did: `done`, or `obsolete` when its target vanished meanwhile (the instance
 * ended, the timer no longer waits). Throwing rolls the job's transaction back and counts an
 * attempt; throwing `JobBusy` (or a stale-instance conflict) just leaves the job for later.
 * `prepared` is what the kind's `prepare` returned, if it has one.
 */
export type JobHandler = (em: EntityManager, job: Job, prepared?: unknown) => Promise<'done' | 'obsolete'>;

/** Someone else is working on the job's target right now: try again on a later pass. */
export class JobBusy extends Error {}

/** A failure that no retry can mend (a business error nothing catches): the job fails at once. */
export class NonRetryableJobError extends Error {}

/** How one kind of job is run, beyond its handler. */
export interface JobKindOptions {
  /**
   * Work outside any database transaction, before the handler: side effects beyond the
   * database (another agency's system, SMS). The job is leased to this runner meanwhile
   * (`locked_by`, `locked_until`); the handler then runs in a transaction that still holds
   * the lease. May run again after a crash or a lost lease: pass an idempotency key on.
   */
  prepare?(job: Job): Promise<unknown>;
  /** Attempts before the job fails (default: the runner's `maxAttempts`). */
  maxAttempts?(job: Job): number;
  /** Delay before the next attempt (default: 30 s · 2^(attempts − 1), at most 1 h). */
  retryDelayMs?(job: Job, attempts: number): number | undefined;
  /** In the transaction that marks the job failed after its last attempt (e.g. opens an incident). */
  onGiveUp?(em: EntityManager, job: Job, error: Error): Promise<void>;
  /** In the job's transaction, after the handler succeeded (e.g. resolves the job's incident). */
  afterDone?(em: EntityManager, job: Job, outcome: 'done' | 'obsolete'): Promise<void>;
}

export interface JobRunnerOptions {
  /** Pause between polling passes when nothing is due (MOTCUA_JOB_POLL_MS). */
  pollMs: number;
  /** Jobs per pass. */
  batch?: number;
  /** Attempts before a job is marked failed. */
  maxAttempts?: number;
  /** How long a job whose kind has `prepare` stays leased to one runner (default 5 min). */
  leaseMs?: number;
}

export interface RunDueResult {
  done: number;
  obsolete: number;
  failed: number;
  busy: number;
}

/**
 * Fires due jobs, each in its own transaction together with the work it triggers, so a job is
 * done exactly when its effects are committed. On PostgreSQL the job row is claimed with
 * `FOR UPDATE SKIP LOCKED` inside that transaction: any number of nodes may run a runner, and
 * no two fire the same job. On SQLite there is one writer anyway: run one runner per database.
 */
export class JobRunner {
  readonly id = `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  private readonly kinds = new Map<string, { handler: JobHandler; options: JobKindOptions }>();
  private readonly chores: { name: string; everyMs: number; lastAt: number; run: () => Promise<void> }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<unknown> | null = null;
  private stopped = true;

  constructor(
    private readonly deps: { db: Database; clock: Clock; log: Logger },
    private readonly options: JobRunnerOptions,
  ) {}

  register(kind: string, handler: JobHandler, options: JobKindOptions = {}): void {
    if (this.kinds.has(kind)) throw new Error(`A handler for job kind "${kind}" is already registered`);
    this.kinds.set(kind, { handler, options });
  }

  /**
   * Housekeeping run between polling passes, at most once per `everyMs` of the clock (the first
   * time on the first pass). It must be idempotent: every node's runner does it. A failure is
   * logged and tried again on the next round.
   */
  every(name: string, everyMs: number, run: () => Promise<void>): void {
    this.chores.push({ name, everyMs, lastAt: -Infinity, run });
  }

  /** Runs the chores that are due (the poll loop calls it; tests call it directly). */
  async runChores(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    for (const chore of this.chores) {
      if (now - chore.lastAt < chore.everyMs) continue;
      chore.lastAt = now;
      try {
        await chore.run();
      } catch (err) {
        this.deps.log.error({ err: (err as Error).message, chore: chore.name }, 'job runner chore failed');
      }
    }
  }

  private kind(job: Job) {
    const kind = this.kinds.get(job.kind);
    if (!kind) throw new Error(`No handler for job kind "${job.kind}"`);
    return kind;
  }

  /** Fires up to `limit` jobs due by the injected clock, oldest first. */
  async runDue(limit = this.options.batch ?? 100): Promise<RunDueResult> {
    const result: RunDueResult = { done: 0, obsolete: 0, failed: 0, busy: 0 };
    const skip = new Set<string>();
    while (result.done + result.obsolete + result.failed < limit) {
      const outcome = await this.runOne(skip);
      if (outcome === 'none') break;
      result[outcome]++;
    }
    return result;
  }

  private async runOne(skip: Set<string>): Promise<keyof RunDueResult | 'none'> {
    const now = this.deps.clock.now();
    const claimed: { job: Job | null } = { job: null };
    try {
      const first = await this.deps.db.em().transactional(async (em) => {
        const job = await this.claim(em, now, skip);
        if (!job) return 'none' as const;
        claimed.job = job;
        if (!this.kind(job).options.prepare) return this.finish(em, job, undefined);
        const until = new Date(now.getTime() + (this.options.leaseMs ?? 300_000));
        await em.nativeUpdate(JobRow, { id: job.id }, { lockedBy: this.id, lockedUntil: until });
        return 'leased' as const;
      });
      if (first !== 'leased') return first;
      const job = claimed.job!;
      // Outside any transaction: the kind's side effects beyond the database.
      const prepared = await this.kind(job).options.prepare!(job);
      return await this.deps.db.em().transactional(async (em) => {
        const pg = this.deps.db.dialect === 'postgresql';
        const held = await em.findOne(
          JobRow,
          { id: job.id, status: 'pending', lockedBy: this.id },
          { fields: ['id'], lockMode: pg ? LockMode.PESSIMISTIC_WRITE : undefined, disableIdentityMap: true },
        );
        if (!held) throw new JobBusy(`job ${job.id} was taken over meanwhile`);
        return this.finish(em, job, prepared);
      });
    } catch (err) {
      const job = claimed.job;
      if (!job) throw err;
      skip.add(job.id);
      if (err instanceof JobBusy || (err instanceof AppError && err.code === 'conflict.stale')) {
        await this.deps.db.em().nativeUpdate(JobRow, { id: job.id, lockedBy: this.id }, { lockedUntil: null });
        return 'busy';
      }
      await this.recordFailure(job, err as Error);
      return 'failed';
    }
  }

  private async finish(em: EntityManager, job: Job, prepared: unknown): Promise<'done' | 'obsolete'> {
    const { handler, options } = this.kind(job);
    const outcome = await handler(em, job, prepared);
    await em.nativeUpdate(
      JobRow,
      { id: job.id },
      { status: outcome, attempts: raw('attempts + 1'), lockedBy: this.id, lockedUntil: null, lastError: null },
    );
    await options.afterDone?.(em, job, outcome);
    return outcome;
  }

  private async claim(em: EntityManager, now: Date, skip: Set<string>): Promise<Job | null> {
    const pg = this.deps.db.dialect === 'postgresql';
    // Outside the identity map: the handler runs in this transaction and may flush; the job row
    // is only ever changed by native updates.
    const [row] = await em.find(
      JobRow,
      {
        status: 'pending',
        dueAt: { $lte: now },
        $or: [{ lockedUntil: null }, { lockedUntil: { $lte: now } }],
        ...(skip.size ? { id: { $nin: [...skip] } } : {}),
      },
      {
        orderBy: { dueAt: 'asc', id: 'asc' },
        limit: 1,
        lockMode: pg ? LockMode.PESSIMISTIC_PARTIAL_WRITE : undefined,
        disableIdentityMap: true,
      },
    );
    return row ? jobOf(row) : null;
  }

  /**
   * Outside the rolled-back transaction: count the attempt, back off, give up after the last
   * (or at once for a NonRetryableJobError), then let the kind react (`onGiveUp`) in the same
   * transaction that marks the job failed.
   */
  private async recordFailure(job: Job, err: Error): Promise<void> {
    const { options } = this.kind(job);
    const attempts = job.attempts + 1;
    const max = options.maxAttempts?.(job) ?? this.options.maxAttempts ?? 5;
    const giveUp = attempts >= max || err instanceof NonRetryableJobError;
    const delay = options.retryDelayMs?.(job, attempts) ?? Math.min(30_000 * 2 ** (attempts - 1), 3_600_000);
    const retryAt = new Date(this.deps.clock.now().getTime() + delay);
    this.deps.log[giveUp ? 'error' : 'warn'](
      { jobId: job.id, kind: job.kind, instanceId: job.instanceId, attempts, err: err.message },
      giveUp ? 'job failed' : 'job attempt failed',
    );
    await this.deps.db.em().transactional(async (em) => {
      const updated = await em.nativeUpdate(
        JobRow,
        { id: job.id, status: 'pending' },
        {
          attempts,
          lastError: err.message.slice(0, 4000),
          status: giveUp ? 'failed' : 'pending',
          dueAt: giveUp ? job.dueAt : retryAt,
          lockedBy: this.id,
          lockedUntil: null,
        },
      );
      if (giveUp && updated === 1) await options.onGiveUp?.(em, { ...job, attempts, lastError: err.message }, err);
    });
  }

  /** Polls in the background: a pass at once (catching up on what fell due while down), then every pollMs. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.tick();
  }

  /** Stops polling and waits for the pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.pass;
  }

  private tick(): void {
    this.timer = null;
    const batch = this.options.batch ?? 100;
    this.pass = this.runDue(batch)
      .then(async (r) => {
        await this.runChores();
        return r;
      })
      .then(
        (r) => r.done + r.obsolete + r.failed >= batch,
        (err: unknown) => {
          this.deps.log.error({ err: (err as Error).message }, 'job runner pass failed');
          return false;
        },
      )
      .then((more) => {
        this.pass = null;
        if (this.stopped) return;
        this.timer = setTimeout(() => this.tick(), more ? 0 : this.options.pollMs);
        this.timer.unref?.();
      });
  }
}
