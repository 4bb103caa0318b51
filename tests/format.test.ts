import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { check, getFileInfo, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';

/**
 * The code keeps one layout (Prettier, `.prettierrc.json`): `npm run format` fixes what this
 * test finds. Documents, pack data and fixtures are left as their authors wrote them
 * (`.prettierignore`).
 */
describe('formatting', () => {
  it('every tracked TypeScript and JavaScript file is formatted as Prettier would', async () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.mjs', '*.js'], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    expect(files.length).toBeGreaterThan(100);
    const unformatted: string[] = [];
    for (const file of files) {
      const info = await getFileInfo(file, { ignorePath: '.prettierignore' });
      if (info.ignored) continue;
      const source = await readFile(file, 'utf8').catch(() => null);
      if (source === null) continue; // deleted in the work tree
      const options = await resolveConfig(file);
      if (!(await check(source, { ...options, filepath: file }))) unformatted.push(file);
    }
    expect(unformatted, 'run `npm run format`').toEqual([]);
  }, 180_000); // ~400 files: seconds alone, much longer on a loaded machine
});
