// Sizes of the engine benchmark, from the environment. BENCH_SCALE=small is a quick run
// (a few hundred completions, 2,000 waiting instances, ≈1 min); the default (full) takes 6–10
// min on the shared 2-core machine (the 20,000 starts dominate). Knobs: BENCH_INSTANCES,
// BENCH_CONCURRENCY, BENCH_SERVER_WARMUP, BENCH_BASELINE_INSTANCES, BENCH_BASELINE_WARMUP,
// BENCH_RSS_INSTANCES, BENCH_RSS_FIRST, BENCH_PHASE_TIMEOUT_S, BENCH_PARTS=layers,sqlite,pg,rss,
// BENCH_PG_URL, BENCH_SKIP_PG=1, BENCH_CPU_PROF=<dir> (server CPU profiles, see
// support/cpuprofile.ts), BENCH_SERVER_NODE_ARGS (extra node flags for the servers),
// BENCH_SERVER_LOG=<dir> (keep each server's output there), BENCH_APP_DIR (run the servers
// from another checkout).
const int = (name: string, fallback: number, min = 1, max = 1_000_000): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer in [${min}, ${max}] (got "${raw}")`);
  return n;
};

const PARTS = ['layers', 'sqlite', 'pg', 'rss'] as const;
type Part = (typeof PARTS)[number];

export interface BenchConfig {
  scale: 'small' | 'full';
  /** Raw bpmn-engine instances driven through all five tasks (5 completions each). */
  baselineInstances: number;
  /** Instances per variant run through untimed first (JIT warm-up). */
  baselineWarmup: number;
  /** Instances per HTTP measurement (SQLite, PostgreSQL ×1, PostgreSQL ×2): 5 completions each. */
  instances: number;
  /** Instances started and completed on each server setup before the timed run (JIT warm-up). */
  serverWarmup: number;
  /** Requests in flight from the load generator. */
  concurrency: number;
  /** Waiting instances for the RSS measurement, and the first RSS reading. */
  rssInstances: number;
  rssFirst: number;
  /** Upper bound for any single phase (instance creation, completions, server start). */
  phaseTimeoutMs: number;
  /** Which measurements run (BENCH_PARTS=layers,sqlite,pg,rss; the baseline always runs). */
  parts: Set<Part>;
  pgUrl: string;
  skipPg: boolean;
  /** Directory for `node --cpu-prof` profiles of the servers (unset: no profiling). */
  cpuProfDir: string | null;
}

export function benchConfig(): BenchConfig {
  const scale = process.env.BENCH_SCALE === 'small' ? 'small' : 'full';
  const small = scale === 'small';
  const rssInstances = int('BENCH_RSS_INSTANCES', small ? 2_000 : 20_000, 2, 200_000);
  return {
    scale,
    baselineInstances: int('BENCH_BASELINE_INSTANCES', small ? 60 : 150),
    baselineWarmup: int('BENCH_BASELINE_WARMUP', small ? 40 : 100),
    instances: int('BENCH_INSTANCES', small ? 80 : 300, 1, 100_000),
    serverWarmup: int('BENCH_SERVER_WARMUP', small ? 30 : 60, 0),
    concurrency: int('BENCH_CONCURRENCY', 12, 1, 256),
    rssInstances,
    rssFirst: Math.min(int('BENCH_RSS_FIRST', small ? 200 : 1_000), rssInstances - 1),
    phaseTimeoutMs: int('BENCH_PHASE_TIMEOUT_S', small ? 120 : 300, 5, 3_600) * 1000,
    parts: new Set(
      (process.env.BENCH_PARTS ?? PARTS.join(','))
        .split(',')
        .map((x) => x.trim())
        .filter((x): x is Part => (PARTS as readonly string[]).includes(x)),
    ),
    pgUrl: process.env.BENCH_PG_URL ?? 'postgres://root@127.0.0.1:5432/test',
    skipPg: process.env.BENCH_SKIP_PG === '1',
    cpuProfDir: process.env.BENCH_CPU_PROF || null,
  };
}
