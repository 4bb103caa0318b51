// A small keep-alive HTTP client for the load generator (node:http is lighter than fetch), only
// ever to 127.0.0.1. With several ports, requests go round-robin over the servers.
import { Agent } from 'node:http';
import { loopbackRequest, type LoopbackResponse } from '../../tests/support/loopback-http.ts';

export type Response = LoopbackResponse;

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
    return loopbackRequest(method, path, body, { ...o, agent: this.agent, port: this.ports[server], token: this.token });
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
