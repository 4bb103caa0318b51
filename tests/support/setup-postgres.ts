import { beforeEach } from 'vitest';

export const NO_DATABASE = 'PostgreSQL suite: set TEST_DATABASE_URL to run it';

// The PostgreSQL project runs the whole suite again on a real server, when one is given.
// Without TEST_DATABASE_URL every test of this project is reported as skipped.
if (!process.env.TEST_DATABASE_URL && process.env.MOTCUA_TEST_DIALECT === 'postgresql') {
  beforeEach((ctx) => {
    ctx.skip(NO_DATABASE);
  });
}
