import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import type { Server } from 'node:http';
import { useTestPlatform } from '../support/platform.ts';
import { listen } from '../../core/http/listen.ts';

// A query string of 20,000 characters overflowed Node's header limit and got a bare 431 with an
// empty body from the HTTP parser, which no route sees. The listening server now answers parser
// errors itself: 431 request.header_too_large, or 400 for a request it cannot parse, as
// problem+json, then closes the connection. Tested on a real listening socket.

const ctx = useTestPlatform({ demo: false });
let server: Server | undefined;
let port = 0;

beforeAll(async () => {
  ({ server, port } = await listen(ctx.t.platform.app.fetch, { port: 0, host: '127.0.0.1' }));
});
afterAll(async () => {
  if (server) await new Promise((resolve) => server!.close(resolve));
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection after answering. */
  closed: boolean;
}

/** Sends `raw` bytes on a fresh socket and reads until the server closes it. */
function rawRequest(raw: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the server did not close the connection'));
    }, 10_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n'), closed: true });
    });
    socket.write(raw);
  });
}

describe('a request the HTTP parser refuses', () => {
  it('answers a 20,000-character query string with 431 and a problem body', async () => {
    const res = await rawRequest(`GET /api/packs/export?codes=${'1'.repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers.connection).toBe('close');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
    expect(JSON.parse(res.body)).toMatchObject({ status: 431, code: 'request.header_too_large' });
    expect(res.closed).toBe(true);
  });

  it('answers headers too large in all with 431 too', async () => {
    const res = await rawRequest(`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(JSON.parse(res.body).code).toBe('request.header_too_large');
  });

  it('answers a request it cannot parse with 400 and a problem body', async () => {
    const res = await rawRequest('THIS IS NOT HTTP\r\n\r\n');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(res.body)).toMatchObject({ status: 400, code: 'request.invalid' });
  });

  it('still serves ordinary requests on the same server', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(res.status).toBe(200);
  });
});
