import { mkdirSync, writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  /** Skipped because no database server was given (the PostgreSQL project without TEST_DATABASE_URL, vitest.config.ts). */
  skippedNoDatabase?: number;
}

/**
 * Ends the run with the one plain line CI logs read (`N passed, N failed, N skipped`, all
 * projects counted: unit, sqlite, postgresql), and writes per-project counts to
 * test-results/summary.json so .ci/run can tell whether each suite, PostgreSQL above all, really ran.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const total: Counts = { passed: 0, failed: 0, skipped: 0 };
    const projects: Record<string, Counts> = {};
    for (const mod of modules) {
      const name = mod.project.name || 'default';
      const counts = (projects[name] ??= { passed: 0, failed: 0, skipped: 0 });
      // vitest.config.ts skips the whole PostgreSQL project when no server is given.
      const noDatabase = name === 'postgresql' && !process.env.TEST_DATABASE_URL;
      let tests = 0;
      for (const test of mod.children.allTests()) {
        tests++;
        const state = test.result().state;
        const key = state === 'passed' ? 'passed' : state === 'failed' ? 'failed' : 'skipped';
        counts[key]++;
        total[key]++;
        if (key === 'skipped' && noDatabase) counts.skippedNoDatabase = (counts.skippedNoDatabase ?? 0) + 1;
      }
      // A file that failed to load (syntax error, failing beforeAll) counts as a failure.
      if (mod.state() === 'failed' && (tests === 0 || !mod.ok())) {
        const failedTests = [...mod.children.allTests('failed')].length;
        if (failedTests === 0) {
          counts.failed++;
          total.failed++;
        }
      }
    }
    total.failed += unhandledErrors.length;
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/summary.json', JSON.stringify({ total, projects }, null, 2));
    for (const [name, c] of Object.entries(projects)) {
      process.stdout.write(`${name}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped\n`);
    }
    process.stdout.write(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
  }
}
