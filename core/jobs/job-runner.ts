import { hostname } from 'node:os';
import type { EntityManager } from '@mikro-orm/knex';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { toJob, type Job, type JobRecord } from './jobs.ts';

/**
 * What a handler did: `done`, or `obsolete` when its target vanished meanwhile (the instance
 * ended, the timer no longer waits). Throwing rolls the job's transaction back and counts an
 * attempt; throwing `JobBusy` (or a stale-instance conflict) just leaves the job for later.
 */
export type JobHandler = (em: EntityManager, job: Job) => Promise<'done' | 'obsolete'>;

/** Someone else is working on the job's target right now: try again on a later pass. */
export class JobBusy extends Error {}

export interface JobRunnerOptions {
  /** Pause between polling passes when nothing is due (MOTCUA_JOB_POLL_MS). */
  pollMs: number;
  /** Jobs per pass. */
  batch?: number;
  /** Attempts before a job is marked failed. */
  maxAttempts?: number;
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
  private readonly handlers = new Map<string, JobHandler>();
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<unknown> | null = null;
  private stopped = true;

  constructor(
    private readonly deps: { db: Database; clock: Clock; log: Logger },
    private readonly options: JobRunnerOptions,
  ) {}

  register(kind: string, handler: JobHandler): void {
    if (this.handlers.has(kind)) throw new Error(`A handler for job kind "${kind}" is already registered`);
    this.handlers.set(kind, handler);
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
      return await this.deps.db.em().transactional(async (em) => {
        const job = await this.claim(em, now, skip);
        if (!job) return 'none' as const;
        claimed.job = job;
        const handler = this.handlers.get(job.kind);
        if (!handler) throw new Error(`No handler for job kind "${job.kind}"`);
        const outcome = await handler(em, job);
        await em.execute('UPDATE jobs SET status = ?, attempts = attempts + 1, locked_by = ?, locked_until = NULL, last_error = NULL WHERE id = ?', [outcome, this.id, job.id]);
        return outcome;
      });
    } catch (err) {
      const job = claimed.job;
      if (!job) throw err;
      skip.add(job.id);
      if (err instanceof JobBusy || (err instanceof AppError && err.code === 'conflict.stale')) return 'busy';
      await this.recordFailure(job, err as Error);
      return 'failed';
    }
  }

  private async claim(em: EntityManager, now: Date, skip: Set<string>): Promise<Job | null> {
    const pg = this.deps.db.dialect === 'postgresql';
    const ids = [...skip];
    const [row] = await em.execute<JobRecord[]>(
      `SELECT * FROM jobs WHERE status = 'pending' AND due_at <= ?${ids.length ? ` AND id NOT IN (${ids.map(() => '?').join(', ')})` : ''}
       ORDER BY due_at, id LIMIT 1${pg ? ' FOR UPDATE SKIP LOCKED' : ''}`,
      [now, ...ids],
    );
    return row ? toJob(row) : null;
  }

  /** Outside the rolled-back transaction: count the attempt, back off, give up after the last. */
  private async recordFailure(job: Job, err: Error): Promise<void> {
    const attempts = job.attempts + 1;
    const max = this.options.maxAttempts ?? 5;
    const giveUp = attempts >= max;
    const retryAt = new Date(this.deps.clock.now().getTime() + Math.min(30_000 * 2 ** (attempts - 1), 3_600_000));
    this.deps.log[giveUp ? 'error' : 'warn']({ jobId: job.id, kind: job.kind, instanceId: job.instanceId, attempts, err: err.message }, giveUp ? 'job failed' : 'job attempt failed');
    await this.deps.db.em().execute(
      `UPDATE jobs SET attempts = ?, last_error = ?, status = ?, due_at = ?, locked_by = ? WHERE id = ? AND status = 'pending'`,
      [attempts, err.message.slice(0, 4000), giveUp ? 'failed' : 'pending', giveUp ? job.dueAt : retryAt, this.id, job.id],
    );
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
