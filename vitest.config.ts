import { readdirSync, readFileSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

const folders = ['core', 'plugins', 'examples', 'tests', 'runtime', 'designer'];
const include = folders.map((f) => `${f}/**/*.test.ts`);

/**
 * A test file opens a database only through the test harness (tests/support/harness.ts,
 * platform.ts or fast-path.ts). A file that imports none of them opens no database: it runs
 * once, in the `unit` project, not again per dialect. (docs/testing.md)
 */
const USES_DATABASE = /\/support\/(harness|platform|fast-path)\.ts['"]/;
const unit = folders
  .flatMap((f) => {
    try {
      return (readdirSync(f, { recursive: true }) as string[]).map((p) => `${f}/${p}`);
    } catch {
      return [];
    }
  })
  .filter((p) => p.endsWith('.test.ts') && !p.includes('node_modules/') && !USES_DATABASE.test(readFileSync(p, 'utf8')))
  .sort();

/**
 * Without TEST_DATABASE_URL the PostgreSQL project still lists its tests, all skipped before any
 * of them or their hooks run (a name pattern nothing matches): tests/support/summary-reporter.ts
 * counts them as skippedNoDatabase and .ci/run refuses such a run.
 */
const postgresql = process.env.TEST_DATABASE_URL ? {} : { testNamePattern: /(?!)/ };

/** Database tests run twice, on SQLite and on PostgreSQL; database-free tests run once (`unit`). */
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: unit } },
      {
        extends: true,
        test: { name: 'sqlite', include, exclude: [...configDefaults.exclude, ...unit], env: { MOTCUA_TEST_DIALECT: 'sqlite' } },
      },
      {
        extends: true,
        test: {
          name: 'postgresql',
          include,
          exclude: [...configDefaults.exclude, ...unit],
          env: { MOTCUA_TEST_DIALECT: 'postgresql' },
          ...postgresql,
        },
      },
    ],
  },
});
