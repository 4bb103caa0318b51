// Pack import benchmark: a province imports a large signed pack. The bench builds, in memory, a
// pack of 1,000 generated procedures (the catalogue bench's `generate`) sharing 20 diagrams (one
// process each, with a role placeholder; every procedure's fee is a placeholder too), trusts its
// key, then on SQLite and on PostgreSQL (when reachable) times, through `importPack` (the function
// the API and the CLI call): a dry run, the real import (all new), and a second import of the
// same files under the next sequence (all unchanged).
// Baseline, same run: verify only (open the zip, check the signature and every file's hash, no
// database), the floor any import pays before it writes anything.
// Run alone: `npm run bench -- pack-import`. Knobs: BENCH_PACK_N (procedures, default 1000),
// BENCH_PACK_DIAGRAMS (default 20), BENCH_SKIP_PG=1, BENCH_PG_URL.
import type { BenchResult } from './run.ts';
import { generate } from './catalogue-search.bench.ts';
import { printTable } from './support/table.ts';
import { withEachDialect } from './support/platform.ts';
import type { Platform } from '../core/boot.ts';
import { seedDemo } from '../core/seed.ts';
import type { ProcedureDocumentInput } from '../core/catalogue/schema.ts';
import { importPack, type ImportReport } from '../core/packs/importer.ts';
import type { PlaceholderMapping } from '../core/packs/manifest.ts';
import { buildPack, openPack, verifyPack, type ManifestHeader } from '../core/packs/pack.ts';
import { generatePackKeys, loadPrivateKey, loadPublicKey } from '../core/packs/signing.ts';
import { trustKey } from '../core/packs/store.ts';
import { diagram } from '../tests/support/test-packs.ts';

const N = Number(process.env.BENCH_PACK_N ?? 1000);
const DIAGRAMS = Number(process.env.BENCH_PACK_DIAGRAMS ?? 20);
const system = { actor: { id: null, name: 'bench' }, requestId: null };
const CREATED = new Date('2026-03-01T00:00:00Z'); // fixed, so every run builds the same bytes
const VERIFY_RUNS = 5;

// Placeholders as a publisher writes them; the province maps them onto the demo seed.
const ROLE = '{{role:civil-status}}';
const FEE = '{{fee:copy}}';
const placeholders = [
  { token: ROLE, kind: 'role' as const, description: 'Công chức tư pháp - hộ tịch' },
  { token: FEE, kind: 'fee' as const, description: 'Lệ phí giải quyết thủ tục' },
];
const mapping: PlaceholderMapping = { [ROLE]: 'specialist', [FEE]: 50000 };

const diagramKey = (i: number) => `bench-pack-${String(i + 1).padStart(2, '0')}`;

/** The pack's files: the generated procedures, each case bound to one of the shared diagrams. */
function packFiles(n: number): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const docs: ProcedureDocumentInput[] = generate(n);
  docs.forEach((doc, i) => {
    const key = diagramKey(i % DIAGRAMS);
    doc.cases = doc.cases.map((c) => ({
      ...c,
      process: { definitionKey: key, diagram: `diagrams/${key}.bpmn` },
      channels: c.channels.map((ch) => ({ ...ch, fees: [{ description: 'Lệ phí', amount: FEE }] })),
    }));
    files.set(`procedures/${doc.code}.json`, Buffer.from(JSON.stringify(doc, null, 2)));
  });
  // Only the diagrams some procedure uses (all of them unless n < DIAGRAMS).
  for (let d = 0; d < Math.min(DIAGRAMS, n); d++) {
    const key = diagramKey(d);
    files.set(`diagrams/${key}.bpmn`, Buffer.from(diagram(key, { task: `Thẩm định hồ sơ (quy trình ${d + 1})` })));
  }
  return files;
}

const header = (over: Partial<ManifestHeader>): ManifestHeader => ({
  id: 'vn.bench.pack-import',
  name: 'Gói đo hiệu năng nhập thủ tục',
  version: '1.0.0',
  sequence: 1,
  publisher: { name: 'Tỉnh Đo Hiệu Năng', province: 'BENCH' },
  placeholders,
  ...over,
});

interface Packs {
  first: Buffer;
  /** The same files under the next sequence (and version). */
  next: Buffer;
  /** A small pack of another id, dry-run first on each database to warm the code paths. */
  warmup: Buffer;
  files: number;
}

const r3 = (x: number) => Number(x.toFixed(3));

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

function expectCounts(what: string, report: ImportReport, status: ImportReport['status'], counts: ImportReport['counts']): void {
  const ok =
    report.status === status &&
    report.counts.new === counts.new &&
    report.counts.updated === counts.updated &&
    report.counts.unchanged === counts.unchanged;
  if (!ok) throw new Error(`${what}: expected ${status} ${JSON.stringify(counts)}, got ${report.status} ${JSON.stringify(report.counts)}`);
}

async function measure(label: string, platform: Platform, packs: Packs, keys: ReturnType<typeof generatePackKeys>): Promise<BenchResult[]> {
  const svc = platform.services;
  await seedDemo(svc); // the units the generated procedures name (DEMO.STP…) and the mapped role
  await svc.db
    .em()
    .transactional((em) =>
      trustKey(svc, em, system, { publicKey: keys.publicKeyPem, publisherName: 'Tỉnh Đo Hiệu Năng', province: 'BENCH' }),
    );
  const publicKey = loadPublicKey(keys.publicKeyPem);

  // Warm-up (not timed): verification, and a dry run of the small pack (rolled back).
  verifyPack(await openPack(packs.first), publicKey);
  expectCounts('warm-up dry run', await importPack(svc, system, { zip: packs.warmup, mapping, dryRun: true }), 'dry_run', {
    new: Math.min(N, 20),
    updated: 0,
    unchanged: 0,
  });

  // Baseline: median of a few verify-only runs, measured next to the imports (same machine load).
  const verifies: number[] = [];
  for (let i = 0; i < VERIFY_RUNS; i++) verifies.push((await time(async () => verifyPack(await openPack(packs.first), publicKey))).ms);
  const verifyMs = [...verifies].sort((a, b) => a - b)[Math.floor(VERIFY_RUNS / 2)];

  // The three imports, one run each (each takes seconds), checked against the expected outcome.
  const dry = await time(() => importPack(svc, system, { zip: packs.first, mapping, dryRun: true }));
  expectCounts('dry run', dry.value, 'dry_run', { new: N, updated: 0, unchanged: 0 });
  const real = await time(() => importPack(svc, system, { zip: packs.first, mapping }));
  expectCounts('import', real.value, 'installed', { new: N, updated: 0, unchanged: 0 });
  const again = await time(() => importPack(svc, system, { zip: packs.next, mapping }));
  expectCounts('second import', again.value, 'installed', { new: 0, updated: 0, unchanged: N });
  if (again.value.diagrams.some((d) => d.definitions.some((x) => x.outcome !== 'unchanged')))
    throw new Error('second import: a diagram was deployed again');

  const prefix = `pack import (${label}, ${N} procedures, ${DIAGRAMS} diagrams)`;
  const rows: BenchResult[] = [
    {
      name: `${prefix}: verify only, baseline (open zip + Ed25519 signature + file hashes, no database, median of ${VERIFY_RUNS})`,
      value: r3(verifyMs),
      unit: 'ms',
      baseline: null,
      ratio: null,
    },
  ];
  const steps: [string, number][] = [
    ['dry run (all new, rolled back)', dry.ms],
    ['import (all new, committed)', real.ms],
    ['second import, next sequence, identical content (all unchanged)', again.ms],
  ];
  for (const [step, ms] of steps) {
    rows.push({ name: `${prefix}: ${step}: procedures/s`, value: r3(N / (ms / 1000)), unit: 'procedures/s', baseline: null, ratio: null });
    rows.push({
      name: `${prefix}: ${step}: time (ratio = import time / verify-only time)`,
      value: r3(ms),
      unit: 'ms',
      baseline: r3(verifyMs),
      ratio: r3(ms / verifyMs),
    });
  }
  return rows;
}

export default async function packImportBench(): Promise<BenchResult[]> {
  const started = performance.now();
  const notes: string[] = [];
  // One key pair and the packs, built once in memory (not timed).
  const keys = generatePackKeys();
  const privateKey = loadPrivateKey(keys.privateKeyPem);
  const files = packFiles(N);
  const first = (await buildPack(header({}), files, privateKey, CREATED)).zip;
  const next = (await buildPack(header({ version: '1.0.1', sequence: 2 }), files, privateKey, CREATED)).zip;
  const warmup = (await buildPack(header({ id: 'vn.bench.pack-warmup' }), packFiles(Math.min(N, 20)), privateKey, CREATED)).zip;
  const packs: Packs = { first, next, warmup, files: files.size };

  const about = `pack import (${N} procedures, ${DIAGRAMS} diagrams)`;
  const results: BenchResult[] = [
    { name: `${about}: pack size (zip)`, value: first.length, unit: 'bytes', baseline: null, ratio: null },
    // The manifest and its signature come on top of these.
    {
      name: `${about}: files in the pack (procedures + diagrams, manifest and signature not counted)`,
      value: packs.files,
      unit: 'files',
      baseline: null,
      ratio: null,
    },
  ];

  results.push(...(await withEachDialect('bench_pack_import', notes, (dialect, p) => measure(dialect, p, packs, keys))));
  printTable(results, notes, (performance.now() - started) / 1000);
  return results;
}
