// One keep-alive HTTP request to a server on 127.0.0.1 (node:http is lighter than fetch), shared
// by the crash test and the benchmark's load generator.
import { request as httpRequest, type Agent } from 'node:http';

export interface LoopbackResponse {
  status: number;
  text: string;
  json: unknown;
  setCookie: string[];
}

export interface LoopbackOptions {
  agent: Agent;
  port: number;
  /** Sent as `Authorization: Bearer …`. */
  token?: string | null;
  /** Send `Origin: http://127.0.0.1:<port>` (cookie sessions need it on state-changing requests). */
  origin?: boolean;
  cookie?: string;
  timeoutMs?: number;
}

/** A string body is sent as BPMN XML, anything else as JSON. */
export function loopbackRequest(method: string, path: string, body: unknown, o: LoopbackOptions): Promise<LoopbackResponse> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = {};
  if (payload !== undefined) {
    headers['content-type'] = typeof body === 'string' ? 'application/xml' : 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.origin) headers.origin = `http://127.0.0.1:${o.port}`;
  if (o.cookie) headers.cookie = o.cookie;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: o.port, method, path, headers, agent: o.agent, timeout: o.timeoutMs ?? 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json: unknown = null;
          if (text && (res.headers['content-type'] ?? '').includes('json')) json = JSON.parse(text);
          resolve({ status: res.statusCode ?? 0, text, json, setCookie: res.headers['set-cookie'] ?? [] });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}
