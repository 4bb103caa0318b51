// A motcua server as a child process (`node bin/motcua.js serve --port 0`), for tests that need
// a real process: crash and restart, the compiled server. The node pid is the server itself
// (bin/motcua.js registers tsx in-process), so SIGKILL on it leaves no orphan.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'node:http';
import { loopbackRequest, type LoopbackResponse } from './loopback-http.ts';
import type { TestDatabase } from './platform.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/motcua.js', import.meta.url));
export const SERVER_ADMIN_PASSWORD = 'Thu-Nghiem-Su-Co-4826!';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export type HttpResponse = LoopbackResponse;

export class ServerProcess {
  private readonly agent: Agent;
  token: string | null = null;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    maxSockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** Spawns the server on the test database and resolves once it listens. */
  static async start(
    db: TestDatabase,
    o: { timeoutMs?: number; maxSockets?: number; entry?: string; env?: NodeJS.ProcessEnv } = {},
  ): Promise<ServerProcess> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      USER: 'tester',
      MOTCUA_LOG_LEVEL: 'error',
      MOTCUA_ADMIN_PASSWORD: SERVER_ADMIN_PASSWORD,
      NODE_ENV: 'production',
    };
    for (const key of ['DATABASE_URL', 'MOTCUA_DATA_DIR', 'MOTCUA_PLUGINS', 'PORT', 'HOST']) delete env[key];
    if (db.dialect === 'postgresql') env.DATABASE_URL = db.database;
    else env.MOTCUA_DATA_DIR = dirname(db.database);
    Object.assign(env, o.env);
    const child = spawn(process.execPath, [o.entry ?? bin, 'serve', '--port', '0', '--host', '127.0.0.1'], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    child.once('exit', () => live.delete(child));
    let output = '';
    const timeoutMs = o.timeoutMs ?? 30_000;
    const port = await new Promise<number>((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`server ${why}:\n${output.slice(-2000)}`));
      };
      const timer = setTimeout(() => fail(`did not start within ${timeoutMs} ms`), timeoutMs);
      const onExit = (code: number | null) => fail(`exited with code ${code}`);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          child.off('exit', onExit);
          resolve(Number(m[1]));
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', onExit);
    });
    // Keep draining the pipes so a chatty server never blocks on a full pipe.
    child.stdout!.removeAllListeners('data');
    child.stderr!.removeAllListeners('data');
    child.stdout!.resume();
    child.stderr!.on('data', (c: Buffer) => process.stderr.write(`[motcua serve] ${c.toString()}`));
    return new ServerProcess(child, port, o.maxSockets ?? 32);
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  request(
    method: string,
    path: string,
    body?: unknown,
    o: { origin?: boolean; cookie?: string; timeoutMs?: number } = {},
  ): Promise<HttpResponse> {
    return loopbackRequest(method, path, body, { ...o, agent: this.agent, port: this.port, token: this.token });
  }

  /** Signs in as the first admin and keeps an API token for later requests. */
  async signInAdmin(): Promise<void> {
    const login = await this.request('POST', '/api/auth/login', { username: 'admin', password: SERVER_ADMIN_PASSWORD }, { origin: true });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
    const cookie = login.setCookie.map((c) => c.split(';')[0]).join('; ');
    const res = await this.request('POST', '/api/me/tokens', { name: `test-${Date.now()}` }, { origin: true, cookie });
    if (res.status !== 201) throw new Error(`token failed: ${res.status} ${res.text}`);
    this.token = (res.json as { token: string }).token;
  }

  /** SIGKILL, no drain: what a crash or `kill -9` does. Resolves once the process is gone. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** SIGTERM (the server drains and exits), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    const force = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    try {
      await this.signal('SIGTERM');
    } finally {
      clearTimeout(force);
    }
  }

  private signal(sig: NodeJS.Signals): Promise<void> {
    const exited = this.exited ? Promise.resolve() : new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (!this.exited) this.child.kill(sig);
    return exited.finally(() => this.agent.destroy());
  }
}
