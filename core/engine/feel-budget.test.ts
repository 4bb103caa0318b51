import { describe, expect, it } from 'vitest';
import { withBudget } from './feel.ts';

/** Blocks the thread for `ms` without using CPU, as a starved thread waits for a core. */
const waitWithoutCpu = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * The thread's CPU clock as a starved attempt sees it: 5 ms of CPU in the first attempt, whatever
 * the machine does. Measured for real, a loaded machine (CI) let the loop spin past half the
 * budget before the watchdog's interrupt landed, and the starved attempt counted as computing.
 */
const starvedCpu = () => {
  let reads = 0;
  return () => (reads++ === 0 ? 0 : 5);
};

describe('the FEEL budget', () => {
  it('Given a thread that waited for a core rather than computing, then the evaluation runs once more with a larger budget', () => {
    let attempts = 0;
    const job = () => {
      attempts++;
      if (attempts === 1) {
        waitWithoutCpu(60);
        for (;;); // reaches an interrupt point, where the watchdog's timeout lands
      }
      return 'done';
    };
    expect(withBudget(job, 20, starvedCpu())).toBe('done');
    expect(attempts).toBe(2);
  });

  it('Given an evaluation that spent its budget computing, then it fails at once, without a second attempt', () => {
    let attempts = 0;
    let cpu = 0;
    const job = () => {
      attempts++;
      for (;;);
    };
    // The injected CPU clock says the whole budget went on computing.
    const cpuNow = () => (cpu += 20);
    expect(() => withBudget(job, 20, cpuNow)).toThrow('FEEL expression exceeded its 20 ms budget');
    expect(attempts).toBe(1);
  });

  it('Given a runaway evaluation that was also starved, then the second attempt fails with the same message', () => {
    let attempts = 0;
    const job = () => {
      attempts++;
      if (attempts === 1) waitWithoutCpu(60);
      for (;;);
    };
    expect(() => withBudget(job, 20, starvedCpu())).toThrow('FEEL expression exceeded its 20 ms budget');
    expect(attempts).toBe(2);
  });
});
