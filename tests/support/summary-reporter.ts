import { mkdirSync, writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';
import { NO_DATABASE } from './setup-postgres.ts';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  /** Skipped because no database server was given (tests/support/setup-postgres.ts). */
  skippedNoDatabase?: number;
}

/**
 * Ends the run with the one plain line CI logs read (`N passed, N failed, N skipped`),
 * and writes per-project counts to test-results/summary.json so .ci/run can tell
 * whether the PostgreSQL suite really ran.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const total: Counts = { passed: 0, failed: 0, skipped: 0 };
    const projects: Record<string, Counts> = {};
    for (const mod of modules) {
      const name = mod.project.name || 'default';
      const counts = (projects[name] ??= { passed: 0, failed: 0, skipped: 0 });
      let tests = 0;
      for (const test of mod.children.allTests()) {
        tests++;
        const state = test.result().state;
        const key = state === 'passed' ? 'passed' : state === 'failed' ? 'failed' : 'skipped';
        counts[key]++;
        total[key]++;
        const result = test.result();
        if (result.state === 'skipped' && result.note?.includes(NO_DATABASE)) counts.skippedNoDatabase = (counts.skippedNoDatabase ?? 0) + 1;
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
