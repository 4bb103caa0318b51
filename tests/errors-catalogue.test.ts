import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { renderErrorsDoc } from '../core/errors-doc.ts';
import { errorCatalogue } from '../core/errors.ts';

describe('error catalogue', () => {
  it('docs/errors.md is generated from core/errors.ts and current', () => {
    const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    expect(doc).toBe(renderErrorsDoc());
  });

  it('every code has a Vietnamese title and a 4xx/5xx status', () => {
    for (const [code, def] of Object.entries(errorCatalogue)) {
      expect(def.vi, code).toBeTruthy();
      expect(def.status, code).toBeGreaterThanOrEqual(400);
    }
  });

  it('every code used in core is catalogued', () => {
    const used = execSync('grep -rhoE "new AppError\\(\'[a-z_.]+\'" core --include=*.ts', { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((l) => l.replace(/^new AppError\('/, '').replace(/'$/, ''));
    const missing = [...new Set(used)].filter((code) => !(code in errorCatalogue));
    expect(missing).toEqual([]);
  });
});
