import { beforeEach } from 'vitest';

// The PostgreSQL project runs the whole suite again on a real server, when one is given.
// Without TEST_DATABASE_URL every test of this project is reported as skipped.
if (!process.env.TEST_DATABASE_URL) {
  beforeEach((ctx) => {
    ctx.skip('PostgreSQL suite: set TEST_DATABASE_URL to run it');
  });
}
