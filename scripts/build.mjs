#!/usr/bin/env node
// `npm run build`: the server as plain JavaScript in build/ (or the directory given), so
// `npm start` / `npm run serve` run without a TypeScript loader. The tree is mirrored file by
// file (core/engine/run.ts → build/core/engine/run.js) and every other file of those folders is
// copied beside it, so paths relative to a module (import.meta.url) hold in both trees.
// Each file is transformed by esbuild, the same transform tsx applies in memory when the sources
// run directly (tests, `node bin/motcua.js`); relative `.ts` imports become `.js`, packages stay
// imports. Decision record: docs/adr/0013-compiled-server.md. The clerk UI is built first
// (scripts/build-app.mjs, when stale) and its runtime/dist copied in as it is (docs/ui.md).
//
// Nothing changed since the last build (the same files, sizes and times): it is kept as is, so
// servers started together do not rebuild under each other. A new build is written beside the
// old one and renamed into place.
//
//   node scripts/build.mjs [outDir]
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_DIST, buildApp, stampOf } from './build-app.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = resolve(root, process.argv[2] ?? 'build');
// It is replaced: never the checkout itself or a folder above it.
if (root === target || root.startsWith(target + '/')) throw new Error(`refusing to build into ${target}: it holds the sources`);

/**
 * What the server loads at run time: its code, the demo procedures, plugins and examples. Tests
 * and their fixtures (diagrams and scenario helpers beside the tests, which may lean on tests/)
 * are not part of it.
 */
const FOLDERS = ['core', 'plugins', 'examples', 'procedures'];
const SKIP = /(^|\/)(node_modules|\.git|fixtures)(\/|$)|\.test\.ts$|\.d\.ts$/;

function walk(dir, files = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (SKIP.test(relative(root, path))) continue;
    if (entry.isDirectory()) walk(path, files);
    else files.push(path);
  }
  return files;
}

const started = performance.now();
// The clerk UI first (runtime/dist, its own stale check): the server serves it from build/runtime/dist.
await buildApp({ quiet: true });
const all = FOLDERS.filter((f) => existsSync(join(root, f))).flatMap((f) => walk(join(root, f)));
const appFiles = existsSync(APP_DIST) ? walk(APP_DIST) : [];
const inputs = [...all, ...appFiles, join(root, 'package.json'), join(root, 'tsconfig.json'), fileURLToPath(import.meta.url)];
const stamp = stampOf(inputs);
const stampFile = join(target, '.build-stamp');
if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
  console.log(`build is up to date (${relative(root, target) || target})`);
  process.exit(0);
}
const out = `${target}.tmp-${process.pid}`;
rmSync(out, { recursive: true, force: true });
const sources = all.filter((f) => f.endsWith('.ts'));
for (const file of [...all.filter((f) => !f.endsWith('.ts')), ...appFiles]) {
  const dest = join(out, relative(root, file));
  mkdirSync(dirname(dest), { recursive: true });
  cpSync(file, dest);
}

// Relative imports of sources are rewritten to the emitted .js and kept as imports; everything
// else (node:, packages) stays as written. Nothing is bundled: one output file per source.
const keepImports = {
  name: 'keep-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const relativeTs = /^\.{1,2}\//.test(args.path) && args.path.endsWith('.ts');
      return { path: relativeTs ? args.path.slice(0, -3) + '.js' : args.path, external: true };
    });
  },
};
const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));
// A source that does not compile: esbuild has printed where; the previous build stays in place.
const failed = () => {
  rmSync(out, { recursive: true, force: true });
  console.error(`build failed: ${relative(root, target) || target} is left as it was`);
  process.exit(1);
};
const result = await build({
  entryPoints: sources,
  outdir: out,
  outbase: root,
  bundle: true,
  plugins: [keepImports],
  format: 'esm',
  platform: 'node',
  target: 'node20',
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: tsconfig.compilerOptions.verbatimModuleSyntax } },
  logLevel: 'warning',
}).catch(failed);
if (result.errors.length) failed();

// package.json (the version, "type": "module") and an entry point that needs no loader.
cpSync(join(root, 'package.json'), join(out, 'package.json'));
mkdirSync(join(out, 'bin'), { recursive: true });
writeFileSync(
  join(out, 'bin', 'motcua.js'),
  `#!/usr/bin/env node
// The \`motcua\` command, compiled (scripts/build.mjs). Generated: edit bin/motcua.js and core/.
const { main } = await import('../core/cli/main.js');
process.exit(await main(process.argv));
`,
);
// Built outside the checkout (tests do), packages resolve through a link to its node_modules.
if (!target.startsWith(root + '/')) symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'), 'dir');
writeFileSync(join(out, '.build-stamp'), stamp);

// Into place: the old build aside, the new one in, the old one removed. Another build that got
// there first left the same files: this one is dropped.
const old = `${target}.old-${process.pid}`;
if (existsSync(target)) renameSync(target, old);
try {
  renameSync(out, target);
} catch (err) {
  if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
  rmSync(out, { recursive: true, force: true });
}
rmSync(old, { recursive: true, force: true });
console.log(`built ${sources.length} modules into ${relative(root, target) || target} in ${Math.round(performance.now() - started)} ms`);
