import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors.ts';
import { PACK_FILE, packSource, parseJsonFile, type PackSource } from './manifest.ts';
import { tokensIn } from './placeholders.ts';

const FOLDERS = ['procedures', 'diagrams', 'forms', 'templates', 'calendars', 'statutory-forms'] as const;

/**
 * Reads a pack source directory: `pack.json` (the descriptor, docs/pack-format.md §3) and the
 * files of the pack layout. Other top-level files (README…) are not part of the pack; a file
 * in a pack folder that breaks the layout is refused rather than silently left out.
 */
export function readPackSource(dir: string): { source: PackSource; files: Map<string, Buffer> } {
  let descriptor: Buffer;
  try {
    descriptor = readFileSync(join(dir, 'pack.json'));
  } catch {
    throw new AppError('pack.malformed', `${dir} has no pack.json (the pack source descriptor)`);
  }
  const source = parseJsonFile(packSource, descriptor, 'pack.json');
  const files = new Map<string, Buffer>();
  for (const folder of FOLDERS) {
    const full = join(dir, folder);
    let names: string[];
    try {
      names = readdirSync(full).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const path = `${folder}/${name}`;
      if (!statSync(join(full, name)).isFile()) throw new AppError('pack.unsafe_path', `${path} is not a regular file`, { file: path });
      if (!PACK_FILE.test(path))
        throw new AppError('pack.unsafe_path', `${path} does not fit the pack layout (see docs/pack-format.md)`, { file: path });
      files.set(path, readFileSync(join(full, name)));
    }
  }
  const declared = new Set(source.placeholders.map((p) => p.token));
  for (const [path, data] of files) {
    if (!path.startsWith('procedures/') && !path.startsWith('diagrams/')) continue;
    const undeclared = tokensIn(data.toString('utf8')).filter((t) => !declared.has(t));
    if (undeclared.length)
      throw new AppError('pack.invalid_content', `${path} uses placeholders pack.json does not declare: ${undeclared.join(', ')}`, {
        file: path,
      });
  }
  return { source, files };
}
