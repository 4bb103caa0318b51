// Dossier search benchmark (issue 15, Benchmark): N generated dossiers over 200 desks, then
// search by code, by applicant name, by status + unit, and overdue, on SQLite and PostgreSQL.
// Baseline, same run and database: a primary-key lookup of one dossier row. Then the inbox
// (N/10 open tasks, GET /api/tasks's service) and receipts per second (see the last section).
// `npm run bench -- dossiers`. BENCH_SCALE=small: 20,000 dossiers; else 1,000,000 (the issue's
// target: search p95 ≤ 50 ms). Knobs: BENCH_DOSSIERS_N, BENCH_DOSSIERS_QUERIES (timed queries per
// kind, default 200), BENCH_DOSSIERS_EXPLAIN=1 (print each kind's plan), BENCH_SKIP_PG=1, BENCH_PG_URL,
// BENCH_SKIP_SQLITE=1, BENCH_DOSSIERS_TASKS (open tasks, default N/10), BENCH_DOSSIERS_RECEIPTS
// (default 50 small, else 200).
import type { BenchResult } from './run.ts';
import { printTable } from './support/table.ts';
import { withEachDialect } from './support/platform.ts';
import type { Platform } from '../core/boot.ts';
import { sql } from '../core/db/sql.ts';
import { searchFields } from '../core/dossiers/search-fields.ts';
import { searchDossiers, searchStatement, type DossierQuery } from '../core/dossiers/search.ts';
import { Authz } from '../core/org/authz.ts';
import { Unit } from '../core/org/entities.ts';
import { createUnit } from '../core/org/units-service.ts';
import { seedDemo } from '../core/seed.ts';
import { bulkLoad, type BulkReport } from './support/bulk.ts';
import { measureInbox } from './support/inbox.ts';
import { installProcedures, measureReceipts } from './support/receipts.ts';

const N = Number(process.env.BENCH_DOSSIERS_N ?? (process.env.BENCH_SCALE === 'small' ? 20_000 : 1_000_000));
const QUERIES = Number(process.env.BENCH_DOSSIERS_QUERIES ?? 200);
const EXPLAIN = process.env.BENCH_DOSSIERS_EXPLAIN === '1';
const UNITS = 200;
const system = { actor: { id: null, name: 'bench' }, requestId: null };

function prng(seed: number) {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] };
}

/** Surnames weighted roughly as in Vietnam (Nguyễn about 38 %): common words must not be rare here. */
const surnames = [
  ...Array<string>(38).fill('Nguyễn'),
  ...Array<string>(11).fill('Trần'),
  ...Array<string>(10).fill('Lê'),
  ...Array<string>(7).fill('Phạm'),
  ...Array<string>(5).fill('Hoàng'),
  ...Array<string>(4).fill('Phan'),
  ...Array<string>(4).fill('Vũ'),
  ...Array<string>(3).fill('Đặng'),
  ...Array<string>(3).fill('Bùi'),
  ...Array<string>(3).fill('Đỗ'),
  ...['Hồ', 'Ngô', 'Dương', 'Lý', 'Huỳnh', 'Võ', 'Trịnh', 'Đinh', 'Lâm', 'Mai', 'Tô', 'Hà'],
];
const middles = ['Văn', 'Văn', 'Thị', 'Thị', 'Minh', 'Hữu', 'Đức', 'Thanh', 'Ngọc', 'Quang', 'Xuân', 'Thu', 'Hoài', 'Gia', 'Bảo'];
const givens = (
  'An Anh Bình Chi Cường Dũng Duy Giang Hà Hải Hạnh Hiền Hiếu Hoa Hòa Hùng Hương Huy Khánh Khoa Lan Linh Loan Long ' +
  'Mai Minh Nam Ngân Nga Nghĩa Ngọc Nhung Phong Phúc Phương Quân Quang Quỳnh Sơn Tâm Thảo Thắng Thủy Trang Trung Tuấn ' +
  'Tú Tùng Uyên Vân Việt Vinh Xuân Yến Đạt Điệp Đông'
).split(' ');

/** Statuses of old dossiers (mostly finished) and of the last 30 days (mostly open). */
const oldStatuses = [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 9, 3, 7, 8, 4, 2];
const newStatuses = [2, 2, 4, 4, 4, 4, 5, 6, 9, 10, 10, 1, 3];

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const DOSSIER_COLUMNS = [
  'id',
  'code',
  'status',
  'payment_status',
  'result_status',
  'sync_status',
  'channel',
  'applicant_kind',
  'applicant_name',
  'applicant_id_number',
  'applicant_phone',
  'procedure_code',
  'procedure_name',
  'procedure_version',
  'case_key',
  'instance_ids',
  'fees_due',
  'fees_paid',
  'received_at',
  'appointment_at',
  'unit_id',
  'unit_path',
  'agency_code',
  'created_at',
  'updated_at',
  'lock_version',
  'listed_at',
  'code_key',
  'names_folded',
  'phone_key',
];

interface Generated {
  ids: string[];
  codes: string[];
  names: string[];
  desks: Unit[];
}

/** 200 desks under 20 centres of the demo province. */
async function makeUnits(p: Platform): Promise<Unit[]> {
  const svc = p.services;
  return svc.db.em().transactional(async (em) => {
    const province = await em.findOneOrFail(Unit, { code: 'DEMO' });
    const desks: Unit[] = [];
    for (let c = 0; c < UNITS / 10; c++) {
      const centre = await createUnit(svc, em, system, {
        code: `B.C${c}`,
        name: `Trung tâm ${c}`,
        level: 'department',
        parentId: province.id,
      });
      for (let k = 0; k < 10; k++) {
        desks.push(await createUnit(svc, em, system, { code: `B.C${c}.Q${k}`, name: `Quầy ${k}`, level: 'desk', parentId: centre.id }));
      }
    }
    return desks;
  });
}

/** Bulk rows as receipt would have written them (search-fields.ts), 5,000 dossiers per batch (support/bulk.ts). */
async function generate(p: Platform, desks: Unit[], now: Date): Promise<Generated & { report: BulkReport }> {
  const r = prng(20260315);
  const out: Generated = { ids: [], codes: [], names: [], desks };
  const perDay = new Map<string, number>();
  const BATCH = 5000;
  const report = await bulkLoad(p, ['dossiers', 'dossier_words', 'dossier_name_pairs'], async (load) => {
    for (let start = 0; start < N; start += BATCH) {
      const rows: unknown[][] = [];
      const words: [string, string][] = [];
      const pairs: [string, string, Date][] = [];
      for (let i = start; i < Math.min(N, start + BATCH); i++) {
        const desk = r.pick(desks);
        const agency = desk.code.split('.').slice(0, 2).join('.');
        // Two years of dossiers, the most recent densest.
        const ageDays = 730 * r.next() ** 2;
        const listed = new Date(now.getTime() - Math.floor(ageDays * 86_400_000));
        const day = listed.toISOString().slice(2, 10).replace(/-/g, '');
        const n = (perDay.get(`${agency}${day}`) ?? 0) + 1;
        perDay.set(`${agency}${day}`, n);
        const code = `${agency}-${day}-${String(n).padStart(4, '0')}`;
        const status = ageDays > 30 ? r.pick(oldStatuses) : r.pick(newStatuses);
        const name = `${r.pick(surnames)} ${r.pick(middles)} ${r.pick(givens)}`;
        const phone = `09${String(Math.floor(r.next() * 1e8)).padStart(8, '0')}`;
        const idNumber = `0${String(Math.floor(r.next() * 1e11)).padStart(11, '0')}`;
        const received = status === 1 || status === 3 ? null : listed;
        const appointment = received ? new Date(listed.getTime() + (3 + Math.floor(r.next() * 12)) * 86_400_000) : null;
        const id = crypto.randomUUID();
        const f = searchFields({ code, applicantName: name, phone });
        rows.push([
          id,
          code,
          status,
          'none',
          'none',
          'pending',
          1,
          'citizen',
          name,
          idNumber,
          phone,
          `1.${String(100 + (i % 300)).padStart(6, '0')}`,
          'Thủ tục sinh ra cho đo hiệu năng',
          1,
          'standard',
          '[]',
          0,
          0,
          received,
          appointment,
          desk.id,
          desk.path,
          agency,
          listed,
          listed,
          1,
          listed,
          f.codeKey,
          f.namesFolded,
          f.phoneKey,
        ]);
        for (const w of f.words) words.push([id, w]);
        for (const pair of f.pairs) pairs.push([id, pair, listed]);
        if (i % Math.max(1, Math.floor(N / 2000)) === 0) {
          out.ids.push(id);
          out.codes.push(code);
          out.names.push(name);
        }
      }
      await load.insert('dossiers', DOSSIER_COLUMNS, rows);
      await load.insert('dossier_words', ['dossier_id', 'word'], words);
      await load.insert('dossier_name_pairs', ['dossier_id', 'pair', 'listed_at'], pairs);
    }
  });
  return { ...out, report };
}

type Kind = 'code' | 'code prefix (agency and day)' | 'applicant name' | 'status + unit' | 'overdue' | 'overdue at one desk';

async function measure(label: 'SQLite' | 'PostgreSQL', p: Platform): Promise<BenchResult[]> {
  const svc = p.services;
  await seedDemo(svc);
  const desks = await makeUnits(p);
  const now = svc.clock.now();
  const t0 = performance.now();
  const g = await generate(p, desks, now);
  const loadSeconds = (performance.now() - t0) / 1000;
  const { insertSeconds, indexSeconds, analyzeSeconds, rebuilt } = g.report;
  console.log(
    `  ${label}: ${N} dossiers loaded in ${loadSeconds.toFixed(1)} s (${Math.round(N / loadSeconds)}/s): rows ${insertSeconds.toFixed(1)} s, ` +
      `${rebuilt} indexes and constraints ${indexSeconds.toFixed(1)} s, ANALYZE ${analyzeSeconds.toFixed(1)} s`,
  );
  const province = await svc.db.em().findOneOrFail(Unit, { code: 'DEMO' });
  // A province-wide reader: every search runs over all N dossiers.
  const reader = new Authz([{ role: 'admin', unitId: province.id, unitPath: province.path }], svc.permissions, async () => null);
  const r = prng(11);
  const fold = (s: string) => searchFields({ code: '', applicantName: s }).namesFolded.trim();
  const make: Record<Kind, () => DossierQuery> = {
    code: () => ({ q: r.pick(g.codes) }),
    'code prefix (agency and day)': () => ({ q: r.pick(g.codes).slice(0, -5) }),
    'applicant name': () => {
      const [s, m, given] = fold(r.pick(g.names)).split(' ');
      return { q: r.pick([`${s} ${m} ${given}`, `${s} ${given}`, `${m} ${given}`, `${s} ${m} ${given.slice(0, 2)}`]) };
    },
    'status + unit': () => ({ status: [r.pick([2, 4, 9, 10])], unitId: r.pick(desks).id }),
    overdue: () => ({ overdue: true }),
    'overdue at one desk': () => ({ overdue: true, unitId: r.pick(desks).id }),
  };
  const kinds = Object.keys(make) as Kind[];
  // The whole search as the API runs it: a name query may take several statements (search.ts).
  const run = async (q: DossierQuery) => (await searchDossiers(svc.db.em(), reader, q, now)).items;
  const lookup = (id: string) => sql(svc.db.em()).get('SELECT * FROM dossiers WHERE id = ?', [id]);
  if (EXPLAIN) {
    for (const kind of kinds) {
      const em = svc.db.em();
      const st = await searchStatement(em, reader, make[kind](), now);
      if (!st) continue;
      const plan = await sql(em).all<Record<string, unknown>>(`EXPLAIN ${label === 'SQLite' ? 'QUERY PLAN ' : ''}${st.sql}`, st.params);
      console.log(`  ${label} ${kind}:\n${plan.map((x) => `    ${String(x.detail ?? x['QUERY PLAN'])}`).join('\n')}`);
    }
  }
  for (let i = 0; i < 20; i++) {
    await run(make[kinds[i % kinds.length]]());
    await lookup(g.ids[i % g.ids.length]);
  }
  const base: number[] = [];
  const byKind = new Map<Kind, number[]>(kinds.map((k) => [k, []]));
  for (let i = 0; i < QUERIES * kinds.length; i++) {
    const kind = kinds[i % kinds.length];
    base.push(await time(() => lookup(r.pick(g.ids))));
    const q = make[kind]();
    byKind.get(kind)!.push(await time(() => run(q)));
  }
  const [hit] = await run({ q: g.codes[7] });
  if ((hit as { code?: string } | undefined)?.code !== g.codes[7]) throw new Error('search by code did not find the dossier');
  const r3 = (x: number) => Number(x.toFixed(3));
  const res = (name: string, value: number, unit: string, baseline: number | null): BenchResult => ({
    name: `dossier search (${label}, ${N} dossiers, ${UNITS} desks): ${name}`,
    value: r3(value),
    unit,
    baseline: baseline === null ? null : r3(baseline),
    ratio: baseline ? r3(value / baseline) : null,
  });
  const b50 = pct(base, 50);
  const b95 = pct(base, 95);
  return [
    ...[...byKind].flatMap(([kind, xs]) => [
      res(`${kind} p50 (ratio to primary-key lookup p50)`, pct(xs, 50), 'ms', b50),
      res(`${kind} p95 (ratio to primary-key lookup p95)`, pct(xs, 95), 'ms', b95),
    ]),
    res('bulk load (rows, words and pairs; indexes rebuilt after, ANALYZE included)', N / loadSeconds, 'dossiers/s', null),
  ];
}

export default async function dossiersBench(): Promise<BenchResult[]> {
  const started = performance.now();
  const notes: string[] = [];
  const results = await withEachDialect(`bench_dossiers_${process.pid}`, notes, async (dialect, p) => [
    ...(await measure(dialect, p)),
    ...(await measureWork(dialect, p)),
  ]);
  printTable(results, notes, (performance.now() - started) / 1000);
  return results;
}

// ── Inbox and receipts (issue 15, Benchmark) ─────────────────────────────────────────────
// On the dossiers generated above: open tasks and GET /api/tasks's service (support/inbox.ts),
// then receipts through the receipt service vs raw bpmn-engine starts (support/receipts.ts).

const TASKS = Number(process.env.BENCH_DOSSIERS_TASKS ?? Math.round(N / 10));
const RECEIPTS = Number(process.env.BENCH_DOSSIERS_RECEIPTS ?? (process.env.BENCH_SCALE === 'small' ? 50 : 200));

async function measureWork(label: 'SQLite' | 'PostgreSQL', p: Platform): Promise<BenchResult[]> {
  const def = await installProcedures(p);
  return [
    ...(await measureInbox(label, p, def, { tasks: TASKS, queries: QUERIES, explain: EXPLAIN, users: 8, limit: 100 })),
    ...(await measureReceipts(label, p, def, RECEIPTS)),
  ];
}
