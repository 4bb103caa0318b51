import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { AppError } from '../errors.ts';
import { answerClientErrors } from './client-error.ts';

export interface ListenOptions {
  port: number;
  host: string;
}

/** Starts the node HTTP server for the app's fetch handler, answering parser errors as problems; resolves once it listens. */
export function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  o: ListenOptions,
): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port: o.port, hostname: o.host }, (info: AddressInfo) => resolve({ server, port: info.port })) as Server;
    answerClientErrors(server);
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE')
        reject(new AppError('service.unavailable', `${o.host}:${o.port} is already in use (set --port or PORT)`));
      else if (e.code === 'EACCES') reject(new AppError('service.unavailable', `not allowed to listen on ${o.host}:${o.port}`));
      else reject(e);
    });
  });
}
