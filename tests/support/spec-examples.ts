import { readFileSync } from 'node:fs';

/** docs/pack-format.md, the pack specification. */
export const packSpecPath = new URL('../../docs/pack-format.md', import.meta.url);

/**
 * The code block that follows `<!-- example: name -->` in docs/pack-format.md, so tests use the
 * specification's own examples (and fail when they stop working).
 */
export function specExample(name: string): string {
  const text = readFileSync(packSpecPath, 'utf8');
  const marker = `<!-- example: ${name} -->`;
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`docs/pack-format.md has no ${marker}`);
  const block = /```[a-z]*\n([\s\S]*?)\n```/.exec(text.slice(at + marker.length));
  if (!block) throw new Error(`no code block after ${marker}`);
  return `${block[1]}\n`;
}
