#!/usr/bin/env node
// The browser code of runtime/app (lit, Shoelace) bundled by Vite into runtime/dist, which the
// server serves under /app/ (core/http/app-ui.ts). Not committed. docs/ui.md, ADR 0021.
//
// Stale check as in scripts/build.mjs: the sources' names, sizes and times, the lock file and
// this script make a stamp; an unchanged stamp keeps the build. A new build is written beside
// the old one and renamed into place, so servers and tests building together never see half.
//
//   node scripts/build-app.mjs            (also run by scripts/build.mjs, so by npm start)
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const APP_SOURCES = join(root, 'runtime', 'app');
export const APP_DIST = join(root, 'runtime', 'dist');
const SKIP = /\.test\.ts$/;

function walk(dir, files = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, files);
    else if (!SKIP.test(entry.name)) files.push(path);
  }
  return files;
}

/** The stale check's stamp of these files: their names, sizes and modification times. */
export function stampOf(inputs) {
  return createHash('sha256')
    .update(
      inputs
        .map((f) => {
          const st = statSync(f);
          return `${relative(root, f)}\t${st.size}\t${st.mtimeMs}`;
        })
        .join('\n'),
    )
    .digest('hex');
}

/** Builds runtime/dist unless it is up to date (or there is no runtime/app); returns whether it built. */
export async function buildApp({ quiet = false } = {}) {
  if (!existsSync(APP_SOURCES)) return false;
  const stamp = stampOf([...walk(APP_SOURCES), join(root, 'package-lock.json'), fileURLToPath(import.meta.url)]);
  const stampFile = join(APP_DIST, '.build-stamp');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    if (!quiet) console.log('app build is up to date (runtime/dist)');
    return false;
  }
  const started = performance.now();
  const out = `${APP_DIST}.tmp-${process.pid}`;
  rmSync(out, { recursive: true, force: true });
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: APP_SOURCES,
    base: '/app/',
    logLevel: quiet ? 'error' : 'warn',
    build: {
      outDir: out,
      emptyOutDir: true,
      assetsDir: 'assets',
      target: 'es2022',
      // No inline script anywhere: the page's CSP allows scripts from this origin only.
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
      chunkSizeWarningLimit: 1024,
    },
  });
  // Shoelace loads its icons at run time from its base path (setBasePath('/app/shoelace')).
  cpSync(join(root, 'node_modules', '@shoelace-style', 'shoelace', 'dist', 'assets'), join(out, 'shoelace', 'assets'), {
    recursive: true,
  });
  writeFileSync(join(out, '.build-stamp'), stamp);
  // Another build of the same sources got there first (tests start servers side by side): keep
  // it, so a server already reading runtime/dist never sees it moved away.
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    rmSync(out, { recursive: true, force: true });
    return false;
  }
  const old = `${APP_DIST}.old-${process.pid}`;
  if (existsSync(APP_DIST)) renameSync(APP_DIST, old);
  try {
    renameSync(out, APP_DIST);
  } catch (err) {
    if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    rmSync(out, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
  if (!quiet) console.log(`built the app into runtime/dist in ${Math.round(performance.now() - started)} ms`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildApp();
