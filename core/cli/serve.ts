import type { Server } from 'node:http';
import { createPlatform } from '../boot.ts';
import type { AppConfig } from '../config.ts';
import { listen } from '../http/listen.ts';
import { seedingLines, startBanner } from './banner.ts';
import { cliSetup } from './context.ts';
import { demoPackOnStart } from '../packs/demo.ts';
import { PinnableClock } from '../clock.ts';
import { isDemoMode } from '../config.ts';
import { demoDossiersOnStart, demoWeek } from '../demo/dossiers.ts';
import { EXIT, err, out } from './output.ts';

export interface ServeOptions {
  demo?: boolean;
  port?: number;
  host?: string;
}

/** How long in-flight requests may take to finish after SIGINT/SIGTERM. */
const DRAIN_MS = 10_000;

/**
 * Starts the HTTP server and resolves with the exit code once it has been stopped by
 * SIGINT/SIGTERM: the server stops accepting, in-flight requests finish, then the database closes.
 */
export async function serveCommand(options: ServeOptions): Promise<number> {
  const overrides: Partial<AppConfig> = { demo: !!options.demo };
  if (options.port !== undefined) overrides.port = options.port;
  if (options.host) overrides.host = options.host;
  const { config, plugins } = await cliSetup(overrides);
  // A new demo database gets a past: the clock is pinned to a week ago while the demo province,
  // its procedures and its dossiers are seeded, and released before anything is served.
  const clock = new PinnableClock();
  const until = clock.now();
  const week = isDemoMode(config) ? demoWeek(until) : null;
  let pinned = false;
  const platform = await createPlatform({
    config,
    plugins,
    clock,
    onNewDatabase: () => {
      if (week) clock.set(week.start);
      pinned = !!week;
    },
  });
  const demoPack = await demoPackOnStart(platform.services);
  const demoDossiers =
    pinned && platform.seeded.demo ? await demoDossiersOnStart(platform.services, week, (to) => clock.set(to), until) : null;
  clock.release();
  let listening: { server: Server; port: number };
  try {
    listening = await listen(platform.app.fetch, { port: config.port, host: config.host });
  } catch (e) {
    // The database was set up all the same: a generated first-admin password must not be lost.
    for (const line of seedingLines(config, platform)) err(line);
    await platform.close();
    throw e;
  }
  // With --port 0 the port is known only now; the default public origin (the listen address) needs it.
  config.port = listening.port;
  for (const line of startBanner(config, platform, listening.port)) out(line);
  if (demoPack) out(demoPack);
  if (demoDossiers) out(demoDossiers);
  // Timers and other jobs: a pass at once (catching up on what fell due while down), then polling.
  platform.services.jobs.start();

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        err(`${signal} again: exiting without waiting`);
        resolve(EXIT.failed);
        return;
      }
      stopping = true;
      out(`${signal}: shutting down`);
      void platform.services.jobs.stop();
      const force = setTimeout(() => listening.server.closeAllConnections(), DRAIN_MS);
      force.unref();
      listening.server.close(() => {
        clearTimeout(force);
        platform.close().then(
          () => resolve(EXIT.ok),
          (e: unknown) => {
            err(`error closing the database: ${(e as Error).message}`);
            resolve(EXIT.failed);
          },
        );
      });
      listening.server.closeIdleConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
