// The HTTP measurements: one database, one or two servers, N instances × five completions;
// and the RSS of one server holding many waiting instances.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchConfig } from './config.ts';
import { createPgDatabase, dropPgDatabase, pgStats, samplePgActivity, sqliteStats, type InstanceStats, type PgActivity } from './db.ts';
import { HttpClient } from './http.ts';
import { completeAll, deploy, measured, startInstances, TASKS, type CompletionRun, type Usage } from './load.ts';
import { rssMb } from './proc.ts';
import { BenchServer, type FullGc } from './server.ts';

export interface HttpPhase {
  label: string;
  servers: number;
  startsPerSecond: number;
  run: CompletionRun;
  usage: Usage;
  stats: InstanceStats;
  /** PostgreSQL only: what the backends were doing during the completions. */
  activity: PgActivity | null;
}

type Target = { kind: 'sqlite' } | { kind: 'postgresql'; database: string };

const log = (msg: string) => console.log(`    ${msg}`);

/** Fresh database, `servers` server processes, start N instances, complete all 5N tasks. */
export async function httpPhase(cfg: BenchConfig, label: string, target: Target, servers: number): Promise<HttpPhase> {
  const dir = target.kind === 'sqlite' ? mkdtempSync(join(tmpdir(), 'motcua-bench-')) : null;
  const url = target.kind === 'postgresql' ? await createPgDatabase(cfg.pgUrl, target.database) : null;
  const started: BenchServer[] = [];
  let http: HttpClient | null = null;
  try {
    // One at a time: the first migrates the new database and creates the admin.
    for (let i = 0; i < servers; i++) {
      started.push(
        await BenchServer.start({
          dataDir: dir ?? undefined,
          databaseUrl: url ?? undefined,
          timeoutMs: 60_000,
          cpuProfDir: cfg.cpuProfDir,
          label: `${label}-${i + 1}`,
        }),
      );
    }
    http = new HttpClient(
      started.map((s) => s.port),
      cfg.concurrency,
    );
    http.token = await started[0].adminToken();
    await deploy(http);
    if (cfg.serverWarmup > 0) {
      log(`${label}: warm-up, ${cfg.serverWarmup} instances × ${TASKS} tasks (untimed)…`);
      const warm = await startInstances(http, cfg.serverWarmup, cfg.concurrency, Date.now() + cfg.phaseTimeoutMs);
      await completeAll(http, warm, cfg.serverWarmup * TASKS, cfg.concurrency, Date.now() + cfg.phaseTimeoutMs);
    }
    const n = cfg.instances;
    log(`${label}: starting ${n} instances on ${servers} server(s)…`);
    const t0 = performance.now();
    const firstTasks = await startInstances(http, n, cfg.concurrency, Date.now() + cfg.phaseTimeoutMs);
    const startsPerSecond = n / ((performance.now() - t0) / 1000);
    log(`${label}: completing ${n * TASKS} tasks, ${cfg.concurrency} in flight…`);
    const pids = started.map((s) => s.pid);
    const sampler = target.kind === 'postgresql' ? await samplePgActivity(cfg.pgUrl, target.database) : null;
    let activity: PgActivity | null = null;
    let m: Awaited<ReturnType<typeof measured<CompletionRun>>>;
    try {
      m = await measured(pids, target.kind === 'postgresql' ? target.database : null, () =>
        completeAll(http!, firstTasks, n * TASKS, cfg.concurrency, Date.now() + cfg.phaseTimeoutMs),
      );
    } finally {
      activity = sampler ? await sampler() : null;
    }
    const { result: run, usage } = m;
    if (cfg.cpuProfDir) {
      const since = (t: number) => ((t - started[0].spawnedAt) / 1000).toFixed(1);
      log(
        `${label}: completions ran ${since(performance.now() - usage.wallSeconds * 1000)}–${since(performance.now())} s after spawn (profile window)`,
      );
    }
    const stats = dir ? sqliteStats(join(dir, 'motcua.sqlite')) : await pgStats(url!);
    if ((stats.byStatus.completed ?? 0) !== n + cfg.serverWarmup)
      throw new Error(`${label}: expected ${n + cfg.serverWarmup} completed instances, found ${JSON.stringify(stats.byStatus)}`);
    return { label, servers, startsPerSecond, run, usage, stats, activity };
  } finally {
    http?.close();
    for (const s of started) await s.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (target.kind === 'postgresql') await dropPgDatabase(cfg.pgUrl, target.database);
  }
}

export interface RssPhase {
  first: number;
  total: number;
  rssIdleMb: number;
  rssFirstMb: number;
  rssTotalMb: number;
  /** Main-thread heap after the last full GC before each reading (--trace-gc). */
  gcFirst: FullGc | null;
  gcTotal: FullGc | null;
  startsPerSecond: number;
  stats: InstanceStats;
}

const settle = () => new Promise((r) => setTimeout(r, 1_500));

/** One SQLite server; RSS after `rssFirst` and after `rssInstances` waiting instances. */
export async function rssPhase(cfg: BenchConfig): Promise<RssPhase> {
  const dir = mkdtempSync(join(tmpdir(), 'motcua-bench-rss-'));
  let server: BenchServer | null = null;
  let http: HttpClient | null = null;
  try {
    server = await BenchServer.start({ dataDir: dir, timeoutMs: 60_000, cpuProfDir: null, label: 'rss', traceGc: true });
    http = new HttpClient([server.port], cfg.concurrency);
    http.token = await server.adminToken();
    await deploy(http);
    await settle();
    const rssIdleMb = rssMb(server.pid);
    const deadline = Date.now() + 2 * cfg.phaseTimeoutMs;
    log(`rss: starting ${cfg.rssFirst} instances…`);
    await startInstances(http, cfg.rssFirst, cfg.concurrency, deadline);
    await settle();
    const rssFirstMb = rssMb(server.pid);
    const gcFirst = server.lastFullGc();
    const rest = cfg.rssInstances - cfg.rssFirst;
    log(`rss: ${rssFirstMb.toFixed(1)} MB; starting ${rest} more…`);
    const t0 = performance.now();
    let next = 0;
    await startInstances(http, rest, cfg.concurrency, deadline, (k) => {
      if (k >= next) {
        next += 5_000;
        if (k > 0) log(`rss: ${cfg.rssFirst + k} waiting, ${rssMb(server!.pid).toFixed(1)} MB`);
      }
    });
    const startsPerSecond = rest / ((performance.now() - t0) / 1000);
    await settle();
    const rssTotalMb = rssMb(server.pid);
    const gcTotal = server.lastFullGc();
    const stats = sqliteStats(join(dir, 'motcua.sqlite'));
    if ((stats.byStatus.running ?? 0) !== cfg.rssInstances)
      throw new Error(`rss: expected ${cfg.rssInstances} running instances, found ${JSON.stringify(stats.byStatus)}`);
    return { first: cfg.rssFirst, total: cfg.rssInstances, rssIdleMb, rssFirstMb, gcFirst, gcTotal, rssTotalMb, startsPerSecond, stats };
  } finally {
    http?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
