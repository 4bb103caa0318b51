// npm run bench: runs every bench/*.bench.ts and writes bench/results.json.
// Each benchmark reports ratios against a baseline measured in the same run (the machines are
// shared and noisy, so absolute numbers from different runs are not comparable).
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The same measure for the baseline run beside it (raw bpmn-engine, pgbench, …). */
  baseline: number | null;
  /** value / baseline. */
  ratio: number | null;
}

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv[2];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !only || f.includes(only))
  .sort();

const results: BenchResult[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default: () => Promise<BenchResult[]> };
  console.log(`▶ ${file}`);
  for (const r of await mod.default()) {
    results.push(r);
    const ratio = r.ratio === null ? '' : `  ratio ${r.ratio.toFixed(2)} (baseline ${r.baseline} ${r.unit})`;
    console.log(`  ${r.name}: ${r.value} ${r.unit}${ratio}`);
  }
}
if (files.length === 0) console.log('No benchmarks yet: the engine issue adds bench/engine.bench.ts.');
// `npm run bench -- <part>` runs some benchmarks only: their results replace the ones of the
// same name and the others' stay, so a partial run never loses the full run's figures.
const out = join(dir, 'results.json');
const previous: BenchResult[] = only && existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as BenchResult[]) : [];
const fresh = new Set(results.map((r) => r.name));
const merged = [...previous.filter((r) => !fresh.has(r.name)), ...results];
writeFileSync(out, `${JSON.stringify(merged, null, 2)}\n`);
console.log(`bench/results.json: ${results.length} new results${only ? `, ${merged.length} in all` : ''}`);
