import { describe, expect, it } from 'vitest';
import { cruise } from 'dependency-cruiser';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
    // Packages are not cruised, but stay in the graph (no `exclude`): no-non-package-json needs them.
    doNotFollow: { path: 'node_modules' },
    // node_modules may be a symbolic link to a shared install: name packages as node_modules/…
    preserveSymlinks: true,
    // Resolve packages as Node does for ESM (exports maps with `import` conditions).
    enhancedResolveOptions: { conditionNames: ['import', 'require', 'node', 'default'], exportsFields: ['exports'] },
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
      writeFileSync(
        join(dir, 'plugins', 'hr', 'index.ts'),
        "import { b } from '../../core/boot.ts';\nimport { x } from '../../core/plugin-api.ts';\nexport const y = x + b;\n",
      );
      writeFileSync(join(dir, 'plugins', 'hr', 'contract.ts'), 'export type Person = { id: string };\n');
      writeFileSync(
        join(dir, 'plugins', 'reports', 'index.ts'),
        "import type { Person } from '../hr/contract.ts';\nimport { y } from '../hr/index.ts';\nexport const p: Person | number = y;\n",
      );
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

/** Every folder with code of ours: the server, tests, scripts, the CLI entry and the benchmark. */
const SOURCES = ['core', 'plugins', 'examples', 'designer', 'runtime', 'tests', 'scripts', 'bin', 'bench'];

describe('dependencies', () => {
  it('every package the code imports is declared in package.json', async () => {
    const found = await violations(root, SOURCES);
    expect([...found]).toEqual([]);
    expect(found.cruised).toBeGreaterThan(100);
  }, 60_000);

  it('catches an import of a package that is only installed, and of one that is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'motcua-deps-'));
    try {
      mkdirSync(join(dir, 'core'), { recursive: true });
      for (const name of ['declared', 'transitive']) {
        mkdirSync(join(dir, 'node_modules', name), { recursive: true });
        writeFileSync(join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js' }));
        writeFileSync(join(dir, 'node_modules', name, 'index.js'), 'module.exports = 1;\n');
      }
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', private: true, dependencies: { declared: '1.0.0' } }));
      writeFileSync(join(dir, 'core', 'ok.ts'), "import d from 'declared';\nexport const a = d;\n");
      writeFileSync(
        join(dir, 'core', 'bad.ts'),
        "import t from 'transitive';\nimport m from 'missing-package';\nexport const b = [t, m];\n",
      );
      writeFileSync(
        join(dir, 'tsconfig.json'),
        '{"compilerOptions":{"allowImportingTsExtensions":true,"noEmit":true,"esModuleInterop":true}}',
      );
      const found = await violations(dir, ['core']);
      expect([...found].sort()).toEqual([
        'no-non-package-json: core/bad.ts → node_modules/transitive/index.js',
        'not-to-unresolvable: core/bad.ts → missing-package',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** Import circles of core/ (type-only imports included), as `from → to` of the import that closes each. */
async function circles(baseDir: string): Promise<string[]> {
  const result = await cruise(['core'], {
    baseDir,
    validate: true,
    ruleSet: { forbidden: [{ name: 'no-circular', severity: 'error', from: { path: '^core/' }, to: { circular: true } }] },
    tsPreCompilationDeps: true,
    exclude: { path: ['node_modules', '\\.test\\.ts$'] },
    doNotFollow: { path: 'node_modules' },
  });
  const output = result.output as { summary: { violations: { from: string; to: string }[] } };
  return output.summary.violations.map((v) => `${v.from} → ${v.to}`).sort();
}

describe('import circles', () => {
  it('core/ has none, type-only imports included', async () => {
    const found = await circles(root);
    expect(found).toEqual([]);
  }, 60_000);

  it('catches a circle closed by a type-only import', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'motcua-circle-'));
    try {
      mkdirSync(join(dir, 'core', 'engine'), { recursive: true });
      writeFileSync(join(dir, 'core', 'engine', 'a.ts'), "import { b } from './b.ts';\nexport const a = b + 1;\nexport type A = number;\n");
      writeFileSync(join(dir, 'core', 'engine', 'b.ts'), "import type { A } from './a.ts';\nexport const b: A = 1;\n");
      writeFileSync(join(dir, 'tsconfig.json'), '{"compilerOptions":{"allowImportingTsExtensions":true,"noEmit":true}}');
      expect(await circles(dir)).toEqual(['core/engine/a.ts → core/engine/b.ts']);
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

/**
 * Issue 14, point 2: a route validates and calls one application service, which owns the
 * transaction, the SQL and the audit record. So no route file under core/ runs SQL, opens a
 * transaction or appends to the audit trail.
 */
const ROUTE_FILE = /routes[^/]*\.ts$/;
const NOT_IN_ROUTES = ['em.execute', '.execute<', 'audit.append', 'transactional('];

function routeOffences(base: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (ROUTE_FILE.test(name) && !name.endsWith('.test.ts')) {
        const text = readFileSync(full, 'utf8');
        for (const s of NOT_IN_ROUTES) if (text.includes(s)) found.push(`${relative(base, full)}: ${s}`);
      }
    }
  };
  walk(join(base, 'core'));
  return found.sort();
}

/** Route files allowed to break the rule while they move to their services: none any more. */
const ROUTES_NOT_YET_CLEAN: string[] = [];

describe('route files', () => {
  it('run no SQL, open no transaction and append no audit record (application services do)', () => {
    const found = routeOffences(root).filter((f) => !ROUTES_NOT_YET_CLEAN.includes(f.slice(0, f.indexOf(':'))));
    expect(found).toEqual([]);
  });

  it('the engine route files are all checked', () => {
    const engine = readdirSync(join(root, 'core', 'engine')).filter((n) => ROUTE_FILE.test(n) && !n.endsWith('.test.ts'));
    expect(engine.length).toBeGreaterThanOrEqual(6);
    expect(ROUTES_NOT_YET_CLEAN.some((f) => f.startsWith('core/engine/'))).toBe(false);
  });

  it('catches a route file that does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'motcua-routes-'));
    try {
      mkdirSync(join(dir, 'core', 'x'), { recursive: true });
      writeFileSync(
        join(dir, 'core', 'x', 'task-routes.ts'),
        "await db.em().transactional(async (em) => { await em.execute<R[]>('SELECT 1'); await svc.audit.append(em, {}); });\n",
      );
      writeFileSync(join(dir, 'core', 'x', 'routes.test.ts'), "await em.execute('SELECT 1');\n");
      writeFileSync(join(dir, 'core', 'x', 'service.ts'), "await em.execute('SELECT 1');\n");
      expect(routeOffences(dir)).toEqual([
        'core/x/task-routes.ts: .execute<',
        'core/x/task-routes.ts: audit.append',
        'core/x/task-routes.ts: em.execute',
        'core/x/task-routes.ts: transactional(',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Issue 14, points 3 and 6: the engine's raw SQL lives in store.ts (the statements every command
 * runs, measured) and views.ts (its read models); every other engine module goes through the
 * entity manager. A raw statement is one through core/db/sql.ts or `em.execute`.
 */
const RAW_SQL = [/from '\.\.\/db\/sql\.ts'/, /\bem\.execute\b/, /\.getConnection\(\)/];
const ENGINE_RAW_SQL_FILES = ['store.ts', 'views.ts'];

function engineRawSql(base: string): string[] {
  const dir = join(base, 'core', 'engine');
  return readdirSync(dir)
    .filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts') && !ENGINE_RAW_SQL_FILES.includes(n))
    .filter((n) => RAW_SQL.some((re) => re.test(readFileSync(join(dir, n), 'utf8'))))
    .map((n) => `core/engine/${n}`)
    .sort();
}

describe('engine SQL', () => {
  it('is raw only in store.ts and views.ts; every other engine module uses the entity manager', () => {
    expect(engineRawSql(root)).toEqual([]);
  });

  it('catches an engine module with raw SQL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'motcua-engine-sql-'));
    try {
      mkdirSync(join(dir, 'core', 'engine'), { recursive: true });
      writeFileSync(join(dir, 'core', 'engine', 'store.ts'), "import { sql } from '../db/sql.ts';\n");
      writeFileSync(join(dir, 'core', 'engine', 'incidents.ts'), "import { sql } from '../db/sql.ts';\n");
      writeFileSync(join(dir, 'core', 'engine', 'messages.ts'), "await em.execute('SELECT 1');\n");
      writeFileSync(join(dir, 'core', 'engine', 'timers.ts'), 'await em.find(Job, {});\n');
      writeFileSync(join(dir, 'core', 'engine', 'timers.test.ts'), "await em.execute('SELECT 1');\n");
      expect(engineRawSql(dir)).toEqual(['core/engine/incidents.ts', 'core/engine/messages.ts']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
