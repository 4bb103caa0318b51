import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a plugin's UI folder may serve: browser-ready files only (no TypeScript, no HTML pages). */
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
};

/**
 * The file `relative` under `root`, or null: refused when any segment is empty, `.` or `..`,
 * hidden, holds a backslash or a NUL, when its real path (links followed) leaves the root, or
 * when its type is not in the list above.
 */
export async function readUiAsset(root: URL, relative: string): Promise<{ body: Uint8Array; type: string } | null> {
  const segments = relative.split('/');
  if (!segments.length || segments.some((s) => !s || s.startsWith('.') || /[\\\0:]/.test(s))) return null;
  const type = TYPES[extname(relative).toLowerCase()];
  if (!type) return null;
  try {
    const base = await realpath(fileURLToPath(root));
    const file = await realpath(resolve(base, ...segments));
    if (!file.startsWith(base + sep) || !(await stat(file)).isFile()) return null;
    return { body: await readFile(file), type };
  } catch {
    return null;
  }
}
