import type { Hono } from 'hono';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppEnv } from './env.ts';
import { APP_CSP } from './security-headers.ts';

/**
 * The clerk UI (runtime/app, built by scripts/build-app.mjs into runtime/dist) under /app/,
 * from the same origin as the API (docs/ui.md, ADR 0021). Found beside the code that serves it,
 * so it holds in the sources and in the compiled tree (build/runtime/dist).
 *
 * - /app/assets/…: Vite's content-hashed files, cached for a year (a new build has new names).
 * - /app/shoelace/…: Shoelace's icons, cached for a day.
 * - any other path under /app/: index.html, never cached, so the browser's router takes the
 *   address (a reload on /app/tra-cuu-ho-so works). A missing asset is a 404, not the page.
 * - no build: a 503 page that says how to make one.
 *
 * The page's CSP is the strict one of HTML pages (security-headers.ts, APP_CSP): scripts and
 * styles from this origin only, nothing inline; fetches may also read data: URLs (Shoelace's icons).
 */
export const APP_DIST = fileURLToPath(new URL('../../runtime/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};
const YEAR = 'public, max-age=31536000, immutable';
const DAY = 'public, max-age=86400';

const NOT_BUILT = `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>motcua — chưa dựng giao diện</title></head>
<body><h1>Giao diện cán bộ chưa được dựng</h1><p>Chạy <code>npm run build</code> (hoặc <code>npm start</code>) rồi tải lại trang.</p>
<p lang="en">The clerk UI is not built: run <code>npm run build</code> (or <code>npm start</code>) and reload.</p></body></html>`;

/** A file under `dir`, or null for a path that leaves it or does not exist. */
async function fileUnder(dir: string, relative: string): Promise<Buffer | null> {
  const path = normalize(join(dir, relative));
  if (!path.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return null;
  return readFile(path).catch(() => null);
}

export function registerAppUi(app: Hono<AppEnv>, dist: string = APP_DIST): void {
  app.get('/app', (c) => c.redirect('/app/', 301));
  app.get('/app/*', async (c) => {
    let relative: string;
    try {
      relative = decodeURIComponent(c.req.path.slice('/app/'.length));
    } catch {
      relative = '';
    }
    const asset = relative.startsWith('assets/') || relative.startsWith('shoelace/');
    if (asset || extname(relative)) {
      const body = relative.includes('\0') ? null : await fileUnder(dist, relative);
      if (!body) return c.text(`No file /app/${relative}`, 404, { 'cache-control': 'no-cache' });
      const type = TYPES[extname(relative)] ?? 'application/octet-stream';
      return c.body(new Uint8Array(body), 200, { 'content-type': type, 'cache-control': relative.startsWith('assets/') ? YEAR : DAY });
    }
    const page = await fileUnder(dist, 'index.html');
    c.header('cache-control', 'no-cache');
    c.header('content-security-policy', APP_CSP);
    return page ? c.html(page.toString('utf8')) : c.html(NOT_BUILT, 503);
  });
}
