// Catalogue search benchmark (issue 4, point 2): 5,000 generated Vietnamese procedures are
// imported, then a mix of queries is timed on SQLite and on PostgreSQL (when reachable).
// Baseline, same run and database: a plain indexed lookup of one procedure by code.
// Run alone: `npm run bench -- catalogue`. Knobs: BENCH_CATALOGUE_N (procedures, default 5000),
// BENCH_CATALOGUE_QUERIES (timed queries per part, default 600), BENCH_SKIP_PG=1, BENCH_PG_URL.
import type { BenchResult } from './run.ts';
import { FIVE_TASKS_XML, PROCESS_KEY } from './support/diagram.ts';
import { printTable } from './support/table.ts';
import { withEachDialect } from './support/platform.ts';
import type { Platform } from '../core/boot.ts';
import { seedDemo, DEMO_PASSWORD } from '../core/seed.ts';
import type { ProcedureDocumentInput } from '../core/catalogue/schema.ts';
import type { SearchParams } from '../core/catalogue/search.ts';

const N = Number(process.env.BENCH_CATALOGUE_N ?? 5000);
const QUERIES = Number(process.env.BENCH_CATALOGUE_QUERIES ?? 600);
const system = { actor: { id: null, name: 'bench' }, requestId: null };

/** A seeded generator, so every run searches the same catalogue. */
function prng(seed: number) {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] };
}

const sectors = [
  ['HT', 'Hộ tịch'],
  ['CT', 'Chứng thực'],
  ['DD', 'Đất đai'],
  ['XD', 'Hoạt động xây dựng'],
  ['HKD', 'Thành lập và hoạt động của hộ kinh doanh'],
  ['DN', 'Thành lập và hoạt động doanh nghiệp'],
  ['GT', 'Đường bộ'],
  ['YT', 'Khám bệnh, chữa bệnh'],
  ['GD', 'Giáo dục và đào tạo'],
  ['LD', 'Việc làm'],
  ['BTXH', 'Bảo trợ xã hội'],
  ['NCC', 'Người có công'],
  ['MT', 'Môi trường'],
  ['TN', 'Tài nguyên nước'],
  ['NN', 'Trồng trọt'],
  ['TS', 'Thủy sản'],
  ['VH', 'Văn hóa'],
  ['DL', 'Du lịch'],
  ['TM', 'Lưu thông hàng hóa trong nước'],
  ['TP', 'An toàn thực phẩm'],
  ['CA', 'Đăng ký, quản lý cư trú'],
  ['TT', 'Thuế'],
  ['NV', 'Thi đua, khen thưởng'],
  ['TG', 'Tín ngưỡng, tôn giáo'],
  ['TTTT', 'Báo chí'],
] as const;
const verbs = [
  'Cấp',
  'Cấp lại',
  'Cấp đổi',
  'Điều chỉnh',
  'Gia hạn',
  'Đăng ký',
  'Đăng ký lại',
  'Thu hồi',
  'Công nhận',
  'Xác nhận',
  'Thẩm định',
  'Phê duyệt',
  'Chứng thực',
  'Thông báo',
  'Hỗ trợ',
];
const objects = [
  'giấy phép xây dựng',
  'giấy chứng nhận quyền sử dụng đất',
  'hộ kinh doanh',
  'giấy phép lái xe',
  'chứng chỉ hành nghề khám bệnh, chữa bệnh',
  'giấy phép kinh doanh vận tải bằng xe ô tô',
  'khai sinh',
  'kết hôn',
  'khai tử',
  'thường trú',
  'bản sao từ sổ gốc',
  'chữ ký trong giấy tờ',
  'giấy chứng nhận đủ điều kiện an toàn thực phẩm',
  'giấy phép khai thác nước dưới đất',
  'trợ cấp xã hội hằng tháng',
  'chế độ người có công',
  'giấy phép tổ chức lễ hội',
  'văn bằng, chứng chỉ',
  'giấy phép hoạt động cơ sở giáo dục',
  'giấy phép môi trường',
  'quyền sở hữu nhà ở',
  'chuyển mục đích sử dụng đất',
  'tách thửa, hợp thửa đất',
  'giấy phép bán lẻ rượu',
  'danh hiệu thi đua',
  'hoạt động tín ngưỡng',
];
const qualifiers = [
  '',
  '',
  'nhà ở riêng lẻ',
  'cho doanh nghiệp',
  'đối với tổ chức',
  'đối với cá nhân',
  'có yếu tố nước ngoài',
  'cấp xã',
  'cấp tỉnh',
  'trong trường hợp bị mất, hỏng',
  'lần đầu',
];
const levels = ['central', 'province', 'district', 'commune'] as const;
const agencies = ['DEMO.STP', 'DEMO.SXD', 'DEMO.XA.AN-BINH', 'DEMO.XA.HOA-LAC', 'DEMO.TTPVHCC'];

export function generate(n: number): ProcedureDocumentInput[] {
  const r = prng(20260301);
  const out: ProcedureDocumentInput[] = [];
  for (let i = 0; i < n; i++) {
    const [sc, sn] = r.pick(sectors);
    const name = [r.pick(verbs), r.pick(objects), r.pick(qualifiers)].filter(Boolean).join(' ');
    const code = `${1 + (i % 2)}.${String(100 + i * 7).padStart(6, '0')}`;
    out.push({
      code,
      name,
      description: `Thủ tục ${name.toLowerCase()} thuộc lĩnh vực ${sn.toLowerCase()}. Hồ sơ nộp trực tiếp, qua bưu chính hoặc trực tuyến; ${r.pick(objects)} được trả tại bộ phận một cửa.`,
      keywords: [r.pick(objects), sn],
      levels: [r.pick(levels)],
      sectors: [{ code: sc, name: sn }],
      agencies: { implementing: [{ code: r.pick(agencies), name: 'Cơ quan thực hiện' }] },
      onlineLevel: r.pick(['full', 'partial', 'none'] as const),
      results: [{ name: `Kết quả: ${r.pick(objects)}` }],
      cases: [
        {
          key: 'standard',
          name: 'Trường hợp thông thường',
          process: { definitionKey: PROCESS_KEY, diagram: 'diagrams/bench-five.bpmn' },
          channels: [{ channel: 'in_person', time: { value: 1 + Math.floor(r.next() * 30), unit: 'working_days' }, fees: [] }],
          documents: [{ name: 'Tờ khai theo mẫu', originals: 1, copies: 0 }],
          supplement: { policy: 'restart' },
        },
      ],
    });
  }
  return out;
}

type Kind = 'exact code' | 'code prefix' | 'one word' | 'phrase' | 'words + sector' | 'filters only' | 'no match';
function queryMix(docs: ProcedureDocumentInput[], count: number): { kind: Kind; params: SearchParams }[] {
  const r = prng(7);
  const make: Record<Kind, () => SearchParams> = {
    'exact code': () => ({ q: r.pick(docs).code }),
    'code prefix': () => ({ q: r.pick(docs).code.slice(0, 5) }),
    'one word': () => ({ q: r.pick(['khai', 'đất', 'xây', 'giấy', 'hộ', 'thuế', 'kết hôn']) }),
    phrase: () => ({
      q: r.pick(['giấy phép xây dựng', 'ho kinh doanh', 'dang ky ket hon', 'cấp lại giấy chứng nhận', 'quyền sử dụng đất']),
    }),
    'words + sector': () => ({ q: r.pick(['cấp giấy', 'đăng ký', 'xac nhan']), sector: r.pick(sectors)[0] }),
    'filters only': () => ({ sector: r.pick(sectors)[0], level: r.pick(levels), agency: r.pick(agencies) }),
    'no match': () => ({ q: r.pick(['zzqx', 'không có thủ tục này', '9.999999']) }),
  };
  const kinds = Object.keys(make) as Kind[];
  return Array.from({ length: count }, (_, i) => ({ kind: kinds[i % kinds.length], params: make[kinds[i % kinds.length]]() }));
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function measure(label: string, platform: Platform): Promise<BenchResult[]> {
  const svc = platform.services;
  await seedDemo(svc);
  await svc.db.em().transactional((em) => svc.engine.definitions.deploy(em, system, FIVE_TASKS_XML, 'bench-five.bpmn'));
  const docs = generate(N);
  const t0 = performance.now();
  for (let i = 0; i < docs.length; i += 250) {
    await svc.db.em().transactional(async (em) => {
      for (const d of docs.slice(i, i + 250)) await svc.catalogue.importPublished(em, system, d as never);
    });
  }
  const importRate = docs.length / ((performance.now() - t0) / 1000);
  // A live database has planner statistics (autovacuum); a freshly filled one has none yet.
  await svc.catalogue.analyze(svc.db.em());
  const mix = queryMix(docs, QUERIES);
  const codes = Array.from({ length: QUERIES }, (_, i) => docs[(i * 37) % docs.length].code);
  const lookup = (code: string) =>
    svc.db
      .em()
      .execute(
        "SELECT d.document FROM procedure_versions v JOIN procedure_documents d ON d.version_id = v.id WHERE v.procedure_code = ? AND v.status = 'published'",
        [code],
      );
  for (const m of mix.slice(0, 50)) await svc.catalogue.search(svc.db.em(), m.params); // warm-up
  for (const c of codes.slice(0, 50)) await lookup(c);
  const base: number[] = [];
  const all: number[] = [];
  const byKind = new Map<Kind, number[]>();
  // Alternate lookup and search so both see the same machine load.
  for (let i = 0; i < mix.length; i++) {
    base.push(await time(() => lookup(codes[i])));
    const ms = await time(() => svc.catalogue.search(svc.db.em(), mix[i].params));
    all.push(ms);
    byKind.set(mix[i].kind, [...(byKind.get(mix[i].kind) ?? []), ms]);
  }
  // The same mix through the HTTP stack in-process (session, permission, validation, JSON).
  const login = await platform.app.request('http://localhost/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'http://localhost' },
    body: JSON.stringify({ username: 'clerk', password: DEMO_PASSWORD }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  const http: number[] = [];
  for (const m of mix) {
    const qs = new URLSearchParams(Object.entries(m.params).map(([k, v]) => [k, String(v)])).toString();
    http.push(
      await time(async () => {
        const res = await platform.app.request(`http://localhost/api/procedures?${qs}`, { headers: { cookie } });
        if (res.status !== 200) throw new Error(`search answered ${res.status}: ${await res.text()}`);
        await res.json();
      }),
    );
  }
  const [hit] = (await svc.catalogue.search(svc.db.em(), { q: docs[123].code })).items;
  if (hit?.code !== docs[123].code) throw new Error('exact code is not the first hit');
  const r2 = (x: number) => Number(x.toFixed(3));
  const res = (name: string, value: number, unit: string, baseline: number | null): BenchResult => ({
    name: `catalogue search (${label}, ${N} procedures): ${name}`,
    value: r2(value),
    unit,
    baseline: baseline === null ? null : r2(baseline),
    ratio: baseline ? r2(value / baseline) : null,
  });
  const b50 = pct(base, 50);
  const b95 = pct(base, 95);
  return [
    res('query mix p50 (ratio to indexed lookup by code p50)', pct(all, 50), 'ms', b50),
    res('query mix p95 (ratio to indexed lookup by code p95)', pct(all, 95), 'ms', b95),
    ...[...byKind].flatMap(([kind, xs]) => [res(`${kind} p50`, pct(xs, 50), 'ms', b50), res(`${kind} p95`, pct(xs, 95), 'ms', b95)]),
    res('HTTP GET /api/procedures in-process, query mix p50', pct(http, 50), 'ms', b50),
    res('HTTP GET /api/procedures in-process, query mix p95', pct(http, 95), 'ms', b95),
    res('import (importPublished, 250 per transaction)', importRate, 'procedures/s', null),
  ];
}

export default async function catalogueSearchBench(): Promise<BenchResult[]> {
  const started = performance.now();
  const results: BenchResult[] = [];
  const notes: string[] = [];
  results.push(...(await withEachDialect('bench_catalogue', notes, (dialect, p) => measure(dialect, p))));
  printTable(results, notes, (performance.now() - started) / 1000);
  return results;
}
