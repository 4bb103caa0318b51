import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isAbsolute, join, resolve } from 'node:path';
import { AppError } from '../errors.ts';
import type { PluginDefinition } from './define-plugin.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Finds an enabled plugin's module: `plugins/<id>/index.ts`, then `examples/<id>/index.ts`
 * (`index.js` in the compiled server, scripts/build.mjs), else a path or an installed package
 * name. Core never imports a plugin statically.
 */
export function resolvePluginModule(entry: string, cwd = process.cwd()): string {
  if (/^[a-z][a-z0-9]*$/.test(entry)) {
    for (const dir of ['plugins', 'examples']) {
      for (const index of ['index.ts', 'index.js']) {
        const file = join(repoRoot, dir, entry, index);
        if (existsSync(file)) return pathToFileURL(file).href;
      }
    }
  }
  if (entry.startsWith('.') || isAbsolute(entry)) {
    const file = resolve(cwd, entry);
    if (!existsSync(file)) throw new AppError('plugin.missing_dependency', `Plugin module ${entry} does not exist`);
    return pathToFileURL(file).href;
  }
  return entry;
}

let tsLoader: Promise<unknown> | null = null;
/** True in the compiled server (this very module is JavaScript): no TypeScript loader runs. */
const compiled = import.meta.url.endsWith('.js');

/**
 * Imports a plugin module. The compiled server runs without a TypeScript loader: a plugin given
 * as a .ts file gets tsx registered before its first import (a development install has it; a
 * failed import would be remembered, so it is not tried first).
 */
async function importModule(url: string): Promise<unknown> {
  if (compiled && /\.[cm]?ts$/.test(url)) {
    tsLoader ??= import('tsx/esm/api').then((tsx) => tsx.register());
    await tsLoader;
  }
  return import(url);
}

export async function loadPlugins(entries: string[]): Promise<PluginDefinition[]> {
  const out: PluginDefinition[] = [];
  for (const entry of entries) {
    let mod: { default?: PluginDefinition };
    try {
      mod = (await importModule(resolvePluginModule(entry))) as { default?: PluginDefinition };
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('plugin.missing_dependency', `Plugin "${entry}" could not be loaded: ${(err as Error).message}`);
    }
    if (!mod.default) throw new AppError('plugin.invalid', `Plugin "${entry}" has no default export (export default definePlugin({...}))`);
    out.push(mod.default);
  }
  return out;
}
