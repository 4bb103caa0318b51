import type { Hono } from 'hono';
import type { AppEnv } from './env.ts';

/**
 * Serves a page's stylesheet at `path`. The HTML pages carry no inline <style>: their
 * Content-Security-Policy (security-headers.ts) allows styles only from this origin.
 */
export function serveStylesheet(app: Hono<AppEnv>, path: string, css: string): void {
  app.get(path, (c) => c.body(css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }));
}
