import { describe, expect, it } from 'vitest';
import { cruise } from 'dependency-cruiser';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importRules } from './support/import-rules.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

async function violations(baseDir: string, dirs: string[]) {
  const present = dirs.filter((d) => {
    try {
      return statSync(join(baseDir, d)).isDirectory();
    } catch {
      return false;
    }
  });
  const result = await cruise(present, {
    baseDir,
    validate: true,
    ruleSet: importRules,
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  });
  const output = result.output as { summary: { totalCruised: number; violations: { from: string; to: string; rule: { name: string } }[] } };
  return Object.assign(
    output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`),
    { cruised: output.summary.totalCruised },
  );
}

describe('import direction', () => {
  it('core never imports plugins, designer, runtime or examples; plugins import only the plugin API', async () => {
    const found = await violations(root, ['core', 'plugins', 'examples', 'designer', 'runtime']);
    expect([...found]).toEqual([]);
    expect(found.cruised).toBeGreaterThan(30);
  }, 60_000);

  it('catches a violation when there is one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'motcua-arch-'));
    try {
      mkdirSync(join(dir, 'core'), { recursive: true });
      mkdirSync(join(dir, 'plugins', 'hr'), { recursive: true });
      mkdirSync(join(dir, 'plugins', 'reports'), { recursive: true });
      writeFileSync(join(dir, 'core', 'plugin-api.ts'), 'export const x = 1;\n');
      writeFileSync(join(dir, 'core', 'boot.ts'), "import { y } from '../plugins/hr/index.ts';\nexport const b = y;\n");
      writeFileSync(join(dir, 'plugins', 'hr', 'index.ts'), "import { b } from '../../core/boot.ts';\nimport { x } from '../../core/plugin-api.ts';\nexport const y = x + b;\n");
      writeFileSync(join(dir, 'plugins', 'hr', 'contract.ts'), 'export type Person = { id: string };\n');
      writeFileSync(join(dir, 'plugins', 'reports', 'index.ts'), "import type { Person } from '../hr/contract.ts';\nimport { y } from '../hr/index.ts';\nexport const p: Person | number = y;\n");
      writeFileSync(join(dir, 'tsconfig.json'), '{"compilerOptions":{"allowImportingTsExtensions":true,"noEmit":true}}');
      const found = await violations(dir, ['core', 'plugins']);
      expect(found).toContain('core-not-to-outer: core/boot.ts → plugins/hr/index.ts');
      expect(found).toContain('plugins-only-plugin-api: plugins/hr/index.ts → core/boot.ts');
      expect(found).toContain('plugins-only-contracts: plugins/reports/index.ts → plugins/hr/index.ts');
      expect(found.some((v) => v.includes('contract.ts'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('procedures/', () => {
  it('holds data only: no code of any kind', () => {
    const code = /\.(c|m)?(j|t)sx?$|\.(py|sh|rb|php|pl|exe|dll|so|wasm|node)$/i;
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (code.test(name)) offenders.push(relative(root, full));
      }
    };
    walk(join(root, 'procedures'));
    expect(offenders).toEqual([]);
  });
});
