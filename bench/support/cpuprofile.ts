// Summarises a V8 .cpuprofile (node --cpu-prof): self time by package/area and by function,
// inclusive time of the project's own functions. Optionally only samples from a time window.
//   node --import tsx bench/support/cpuprofile.ts <file.cpuprofile> [fromSeconds] [toSeconds]
import { readFileSync } from 'node:fs';

/** This checkout's root as a file URL prefix: profiles name scripts by file URL (sources, or build/ compiled). */
const ROOT_URL = new URL('../../', import.meta.url).href;
const OWN = new RegExp(`^${ROOT_URL.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(build/)?(core|plugins)/`);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/(core|plugins|bin)\/(.*)$/.exec(url);
  return own ? `${own[1]}/${own[2].split('/')[0]}` : url;
}

/** Coarse buckets: what a completion spends its time on. */
const BUCKETS: [string, RegExp][] = [
  [
    'engine (bpmn-engine, bpmn-elements, smqp, run.ts)',
    /^(bpmn-engine|bpmn-elements|smqp|moddle-context-serializer|@0dep\/piso|core\/engine)$/,
  ],
  [
    'database layer (MikroORM, knex, drivers)',
    /^(@mikro-orm\/.*|knex|lodash|tarn|better-sqlite3|sqlstring-sqlite|pg|pg-.*|postgres-.*|core\/db)$/,
  ],
  ['HTTP, routing, validation', /^(hono|@hono\/.*|zod|node internals|core\/http|core\/auth)$/],
  ['audit chain', /^core\/audit$/],
  ['garbage collector', /^\(garbage collector\)$/],
];

export function summarise(p: Profile, from = 0, to = Infinity, top = 25): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    const dt = p.timeDeltas[i + 1] ?? 0;
    if (t / 1e6 < from || t / 1e6 > to) continue;
    const node = byId.get(p.samples[i])!;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    total += dt;
    const label = `${functionName || '(anonymous)'} ${url.replace(/^.*\/node_modules\//, '').replace(ROOT_URL, '')}:${lineNumber + 1}`;
    self.set(label, (self.get(label) ?? 0) + dt);
    const a = area(url, functionName);
    areas.set(a, (areas.get(a) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (!OWN.test(f.url)) continue;
      const name = `${f.functionName || '(anonymous)'} ${f.url.slice(ROOT_URL.length)}`;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
    }
  }
  const buckets = new Map<string, number>();
  for (const [a, v] of areas) {
    const b = BUCKETS.find(([, re]) => re.test(a))?.[0] ?? 'other';
    buckets.set(b, (buckets.get(b) ?? 0) + v);
  }
  const pct = (x: number) => `${((100 * x) / total).toFixed(1).padStart(5)}%`;
  const list = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${pct(v)}  ${k}`)
      .join('\n');
  return [
    `busy samples: ${(total / 1e6).toFixed(2)} s`,
    'self time by bucket:',
    list(buckets, 10),
    'self time by area:',
    list(areas, 20),
    'self time by function:',
    list(self, top),
    'inclusive time, project functions:',
    list(inclusive, top),
  ].join('\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [file, from, to] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpuprofile.ts <file.cpuprofile> [fromSeconds] [toSeconds]');
  console.log(summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, from ? Number(from) : 0, to ? Number(to) : Infinity));
}
