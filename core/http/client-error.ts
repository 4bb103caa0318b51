import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { describeError } from '../errors.ts';

/**
 * Answers the requests Node's HTTP parser refuses before any route sees them: a request line or
 * headers beyond the header limit (431 `request.header_too_large`, e.g. a 20,000-character query
 * string), or bytes that are not HTTP (400 `request.invalid`). Node's own answer has an empty
 * body; this one is problem+json like every other error, then the connection is closed.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A reset connection, or one on which a response has begun, can take no answer.
    const responding = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (err.code === 'ECONNRESET' || !socket.writable || responding) {
      socket.destroy();
      return;
    }
    socket.end(rawProblem(err.code === 'HPE_HEADER_OVERFLOW' ? 'request.header_too_large' : 'request.invalid', err.code));
  });
}

/** A whole HTTP/1.1 response: status line, headers, problem+json body (Vietnamese title: no Accept-Language was read). */
function rawProblem(code: 'request.header_too_large' | 'request.invalid', parserCode: string | undefined): string {
  const def = describeError(code);
  const detail =
    code === 'request.header_too_large'
      ? 'The request line and headers exceed the server limit; send long lists in a body'
      : `The request is not valid HTTP (${parserCode ?? 'parse error'})`;
  const body = JSON.stringify({ type: `https://motcua.dev/errors/${code}`, title: def.vi ?? def.title, status: def.status, code, detail });
  const reason = def.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
  return [
    `HTTP/1.1 ${def.status} ${reason}`,
    'Content-Type: application/problem+json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}
