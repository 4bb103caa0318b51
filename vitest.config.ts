import { defineConfig } from 'vitest/config';

const include = ['core/**/*.test.ts', 'plugins/**/*.test.ts', 'examples/**/*.test.ts', 'tests/**/*.test.ts', 'runtime/**/*.test.ts', 'designer/**/*.test.ts'];

/** The whole suite runs twice: on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set. */
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'sqlite', include, env: { MOTCUA_TEST_DIALECT: 'sqlite' } } },
      { extends: true, test: { name: 'postgresql', include, env: { MOTCUA_TEST_DIALECT: 'postgresql' }, setupFiles: ['tests/support/setup-postgres.ts'] } },
    ],
  },
});
