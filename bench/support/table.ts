// A readable table of the results on stdout.
import type { BenchResult } from '../run.ts';

const fmt = (x: number | null) => (x === null ? '' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2));

export function printTable(results: BenchResult[], notes: string[], seconds: number): void {
  const rows = results.map((r) => [r.name, fmt(r.value), r.unit, fmt(r.baseline), r.ratio === null ? '' : r.ratio.toFixed(2)]);
  const head = ['measure', 'value', 'unit', 'baseline', 'ratio'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log('');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  for (const n of notes) console.log(`  note: ${n}`);
  console.log(`  (${seconds.toFixed(0)} s)`);
  console.log('');
}
