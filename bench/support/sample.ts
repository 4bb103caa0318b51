// Small helpers of the in-process benchmarks: a seeded generator, percentiles, one timed call.

/** A seeded linear congruential generator: the same data on every run and both databases. */
export function prng(seed: number) {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] };
}

/** The p-th percentile (nearest rank) of `xs`. */
export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Wall-clock milliseconds of one call. */
export async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const r3 = (x: number) => Number(x.toFixed(3));

/** A result row with its ratio to the baseline (value / baseline), rounded to 3 decimals. */
export function row(name: string, value: number, unit: string, baseline: number | null = null) {
  return {
    name,
    value: r3(value),
    unit,
    baseline: baseline === null ? null : r3(baseline),
    ratio: baseline ? r3(value / baseline) : null,
  };
}
