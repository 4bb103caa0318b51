// A small keep-alive HTTP client for the load generator (node:http is lighter than fetch), only
// ever to 127.0.0.1. With several ports, requests go round-robin over the servers.
import { Agent, request as httpRequest } from 'node:http';

export interface Response {
  status: number;
  text: string;
  json: unknown;
  setCookie?: string[];
}

export interface RequestOptions {
  /** Send `Origin: http://127.0.0.1:<port>` (cookie sessions need it on state-changing requests). */
  origin?: boolean;
  cookie?: string;
  /** Target this server (index into ports) instead of the next in turn. */
  server?: number;
  timeoutMs?: number;
}

export class HttpClient {
  private readonly agent: Agent;
  private next = 0;
  token: string | null = null;

  constructor(
    readonly ports: number[],
    maxSockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  request(method: string, path: string, body?: unknown, o: RequestOptions = {}): Promise<Response> {
    const server = o.server ?? this.next++ % this.ports.length;
    const port = this.ports[server];
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string> = {};
    if (payload !== undefined) {
      headers['content-type'] = typeof body === 'string' ? 'application/xml' : 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (o.origin) headers.origin = `http://127.0.0.1:${port}`;
    if (o.cookie) headers.cookie = o.cookie;
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: this.agent, timeout: o.timeoutMs ?? 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json: unknown = null;
          if (text && (res.headers['content-type'] ?? '').includes('json')) json = JSON.parse(text);
          resolve({ status: res.statusCode ?? 0, text, json, setCookie: res.headers['set-cookie'] });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * Runs `work(i)` for i in [0, count) with at most `concurrency` in flight; stops early (and
 * throws) when the deadline passes. Returns how many ran.
 */
export async function pool(count: number, concurrency: number, deadline: number, work: (i: number) => Promise<void>): Promise<number> {
  let nextIndex = 0;
  let done = 0;
  const worker = async () => {
    while (nextIndex < count) {
      if (Date.now() > deadline) throw new Error(`deadline passed after ${done} of ${count}`);
      const i = nextIndex++;
      await work(i);
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return done;
}
