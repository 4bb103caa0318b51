// One motcua server as a child process, started as `npm run serve` starts it: the compiled server
// (build/bin/motcua.js, scripts/build.mjs) with the script's node flags. The node pid is the
// server itself, so killing that pid leaves no orphan.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { HttpClient } from './http.ts';

// BENCH_APP_DIR: run the servers from another checkout (e.g. a patched copy), same bench code.
const ROOT = process.env.BENCH_APP_DIR ?? fileURLToPath(new URL('../..', import.meta.url));
export const ADMIN_PASSWORD = 'Kiem-Tra-Hieu-Nang-7391!';

/**
 * `npm run serve` (package.json) as node flags and entry point, so the benchmark measures the
 * server as operators run it (the heap settings of docs/adr/0011-server-heap-ceiling.md, the
 * compiled server of docs/adr/0013-compiled-server.md).
 */
export function serveCommand(): { flags: string[]; entry: string } {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const words = (pkg.scripts?.serve ?? '').split(/\s+/).filter(Boolean);
  const at = words.findIndex((w) => /(^|\/)bin\/motcua\.js$/.test(w));
  if (words[0] !== 'node' || at < 0)
    throw new Error(`package.json "serve" is not "node <flags> <…>bin/motcua.js serve": ${pkg.scripts?.serve}`);
  return { flags: words.slice(1, at), entry: words[at] };
}

export function serveNodeFlags(): string[] {
  return serveCommand().flags;
}

let built = false;
/** Builds the compiled server once per bench run (what `npm run serve` does first). */
function buildOnce(): void {
  if (built) return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  built = true;
}

export interface ServerOptions {
  /** MOTCUA_DATA_DIR (SQLite) or DATABASE_URL (PostgreSQL). */
  dataDir?: string;
  databaseUrl?: string;
  timeoutMs: number;
  cpuProfDir?: string | null;
  label: string;
  /** Run with --trace-gc and keep the heap size after each full GC (see lastFullGc). */
  traceGc?: boolean;
}

export interface FullGc {
  /** Live heap after the mark-compact, and the heap V8 keeps committed, in MB. */
  liveMb: number;
  committedMb: number;
  count: number;
}

const MARK_COMPACT = /\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: Mark-Compact.*? [\d.]+ \([\d.]+\) -> ([\d.]+) \(([\d.]+)\) MB/;

export class BenchServer {
  /** Per V8 isolate (the main thread; a loader thread when the server runs from sources): the last full GC seen. */
  private readonly gcs = new Map<string, FullGc>();

  /** The main isolate's (the one with the largest heap) last full GC; null without traceGc. */
  lastFullGc(): FullGc | null {
    return [...this.gcs.values()].sort((a, b) => b.committedMb - a.committedMb)[0] ?? null;
  }

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly label: string,
    /** performance.now() at spawn: CPU profiles count their time from about then. */
    readonly spawnedAt: number,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(o: ServerOptions): Promise<BenchServer> {
    const env: Record<string, string | undefined> = {
      ...process.env,
      MOTCUA_LOG_LEVEL: 'error',
      MOTCUA_ADMIN_PASSWORD: ADMIN_PASSWORD,
      NODE_ENV: 'production',
    };
    delete env.DATABASE_URL;
    delete env.MOTCUA_DATA_DIR;
    if (o.databaseUrl) env.DATABASE_URL = o.databaseUrl;
    if (o.dataDir) env.MOTCUA_DATA_DIR = o.dataDir;
    // One directory per server: each isolate (main thread, any loader thread) writes a profile.
    const { flags, entry } = serveCommand();
    if (entry.startsWith('build/')) buildOnce();
    const nodeArgs = [...flags];
    if (o.cpuProfDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${join(o.cpuProfDir, o.label.replace(/[^A-Za-z0-9-]+/g, '_'))}`);
    if (o.traceGc) nodeArgs.push('--trace-gc');
    // Extra V8/node flags for experiments, e.g. BENCH_SERVER_NODE_ARGS="--max-semi-space-size=32".
    nodeArgs.push(...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean));
    const spawnedAt = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, entry, 'serve', '--port', '0', '--host', '127.0.0.1'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    child.once('exit', () => live.delete(child));
    let output = '';
    let onExit = (_code: number | null) => {};
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => fail(`did not start within ${o.timeoutMs} ms`), o.timeoutMs);
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`server ${o.label} ${why}:\n${output.slice(-2000)}`));
      };
      onExit = (code) => fail(`exited with code ${code}`);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', onExit);
    }).finally(() => child.off('exit', onExit));
    // Keep draining the pipes so a chatty server never blocks on a full pipe.
    child.stdout!.removeAllListeners('data');
    child.stderr!.removeAllListeners('data');
    child.stderr!.on('data', (c: Buffer) => process.stderr.write(`[${o.label}] ${c.toString()}`));
    const server = new BenchServer(child, port, o.label, spawnedAt);
    // BENCH_SERVER_LOG=<dir>: keep each server's output, e.g. with BENCH_SERVER_NODE_ARGS=--trace-gc.
    const logDir = process.env.BENCH_SERVER_LOG;
    if (logDir) {
      mkdirSync(logDir, { recursive: true });
      const file = join(logDir, `${o.label.replace(/[^A-Za-z0-9-]+/g, '_')}-${child.pid}.log`);
      appendFileSync(file, output);
      child.stdout!.on('data', (c: Buffer) => appendFileSync(file, c));
      child.stderr!.on('data', (c: Buffer) => appendFileSync(file, c));
    }
    let partial = output.slice(output.lastIndexOf('\n') + 1);
    child.stdout!.on('data', (c: Buffer) => {
      if (!o.traceGc) return;
      const lines = (partial + c.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const m = MARK_COMPACT.exec(line);
        if (!m) continue;
        const prev = server.gcs.get(m[1]);
        server.gcs.set(m[1], { liveMb: Number(m[2]), committedMb: Number(m[3]), count: (prev?.count ?? 0) + 1 });
      }
    });
    return server;
  }

  /** Signs in as the admin and mints an API token (bearer tokens need no Origin header). */
  async adminToken(): Promise<string> {
    const http = new HttpClient([this.port], 1);
    try {
      const login = await http.request('POST', '/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD }, { origin: true });
      if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
      const cookie = (login.setCookie ?? []).map((c) => c.split(';')[0]).join('; ');
      const res = await http.request('POST', '/api/me/tokens', { name: `bench-${Date.now()}` }, { origin: true, cookie });
      if (res.status !== 201) throw new Error(`token failed: ${res.status} ${res.text}`);
      return (res.json as { token: string }).token;
    } finally {
      http.close();
    }
  }

  /** SIGTERM (the server drains and exits, writing its CPU profile), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});
