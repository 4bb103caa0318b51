import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresAvailable, testDialect, useTestPlatform, type TestClient } from './support/platform.ts';
import { PLACEHOLDER, procedureDocument, type ProcedureDocument } from '../core/catalogue/schema.ts';

/**
 * The shipped base pack source (procedures/base): every document parses, every placeholder is
 * declared and mapped, every diagram deploys through the API once its placeholders carry the demo
 * mapping, the catalogue API accepts and publishes every resolved document, and the two
 * interlinked bundles (Decree 63/2024) and one single-agency procedure (2.000908) run to their
 * end as the demo users of the mapped units and roles.
 */

const root = fileURLToPath(new URL('../procedures/', import.meta.url));
const base = join(root, 'base');
const read = (path: string) => readFileSync(join(base, path), 'utf8');
const list = (dir: string, ext: string) => readdirSync(join(base, dir)).filter((f) => f.endsWith(ext)).sort();

interface Placeholder { token: string; kind: 'agency' | 'role' | 'fee'; description: string }
const pack = JSON.parse(read('pack.json')) as { id: string; name: string; version: string; sequence: number; publisher: { name: string; province: string }; placeholders: Placeholder[] };
const mapping = JSON.parse(readFileSync(join(root, 'demo-mapping.json'), 'utf8')) as Record<string, string | number>;

const procedureFiles = list('procedures', '.json');
const diagramFiles = list('diagrams', '.bpmn');
const templateFiles = list('templates', '.hbs');
const formFiles = list('forms', '.json');

const documents = (): { file: string; doc: ProcedureDocument }[] =>
  procedureFiles.map((file) => ({ file, doc: procedureDocument.parse(JSON.parse(read(`procedures/${file}`))) }));

const tokensIn = (text: string) => [...text.matchAll(PLACEHOLDER)].map((m) => m[0]);
/** Textual substitution with the demo mapping, as an importer does before it deploys. */
const substitute = (text: string) => text.replace(PLACEHOLDER, (token) => String(mapping[token]));

/** JSON-aware substitution (docs/pack-format.md §5): a string that is exactly one token takes the mapped value (a fee becomes a number). */
const resolve = (value: unknown): unknown => {
  if (typeof value === 'string') return Object.hasOwn(mapping, value) ? mapping[value] : substitute(value);
  if (Array.isArray(value)) return value.map(resolve);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
  return value;
};

/** Ids of the executable processes a diagram defines. */
const processIds = (xml: string) => [...xml.matchAll(/<bpmn:process id="([^"]+)"[^>]*isExecutable="true"/g)].map((m) => m[1]);

const FLOW_NODE = /<bpmn:(startEvent|endEvent|intermediateThrowEvent|intermediateCatchEvent|userTask|serviceTask|sendTask|receiveTask|manualTask|task|exclusiveGateway|parallelGateway|inclusiveGateway|eventBasedGateway|callActivity|subProcess)\b([^>]*)>/g;
const attrOf = (attrs: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(attrs)?.[1];

describe('procedures/base: the pack source as data', () => {
  it('pack.json names the pack and declares each placeholder once, with a kind matching its token', () => {
    expect(pack).toMatchObject({ id: 'vn.motcua.base', version: '1.0.0', sequence: 1, publisher: { name: 'motcua (DEMO)', province: 'DEMO' } });
    const tokens = pack.placeholders.map((p) => p.token);
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const p of pack.placeholders) {
      expect(tokensIn(p.token), p.token).toEqual([p.token]);
      expect(p.token.startsWith(`{{${p.kind}:`), p.token).toBe(true);
      expect(p.description.length).toBeGreaterThan(10);
    }
  });

  it('every procedure document parses with procedureDocument; codes are unique; at least 12', () => {
    const problems: string[] = [];
    for (const file of procedureFiles) {
      const res = procedureDocument.safeParse(JSON.parse(read(`procedures/${file}`)));
      if (!res.success) problems.push(`${file}: ${res.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    expect(problems).toEqual([]);
    const docs = documents();
    expect(docs.length).toBeGreaterThanOrEqual(12);
    const codes = docs.map((d) => d.doc.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const { file, doc } of docs) expect(file, 'file named after the code').toBe(`${doc.code}.json`);
    // The catalogue the brief asks for.
    for (const code of ['1.001193', '2.000908', '2.000635', '1.000894', '1.000656', '1.001612', '1.013225', '1.012753']) expect(codes).toContain(code);
  });

  it('the catalogue covers a same-day procedure, one with fees, the two Decree 63/2024 bundles', () => {
    const docs = documents().map((d) => d.doc);
    const sameDay = docs.filter((d) => d.cases.some((c) => c.sameDayCutoff === '15:00'));
    expect(sameDay.map((d) => d.code)).toEqual(expect.arrayContaining(['2.000908', '2.000635']));
    const paid = docs.filter((d) => d.cases.some((c) => c.channels.some((ch) => ch.fees.some((f) => f.amount !== 0))));
    expect(paid.length).toBeGreaterThan(2);
    const bundles = docs.filter((d) => d.interlinkedCodes.length >= 2);
    expect(bundles.length).toBeGreaterThanOrEqual(2);
    const birth = docs.find((d) => d.cases[0].process.definitionKey === 'vn_base_lt_khai_sinh')!;
    expect(birth.interlinkedCodes).toEqual(expect.arrayContaining(['1.001193', '1.004222']));
    expect(birth.cases[0].sameDayCutoff).toBe('15:00');
    expect(birth.cases[0].supplement.applicantDeadline).toEqual({ value: 7, unit: 'working_days' });
    const copy = docs.find((d) => d.code === '2.000908')!;
    expect(copy.levels).toEqual(['commune']);
    expect(copy.cases.flatMap((c) => c.channels.flatMap((ch) => ch.fees.map((f) => f.amount)))).toEqual(expect.arrayContaining([0]));
  });

  it('every case names a diagram that exists and defines its process; every referenced form and template exists', () => {
    const missing: string[] = [];
    for (const { file, doc } of documents()) {
      for (const c of doc.cases) {
        const path = join(base, c.process.diagram);
        if (!existsSync(path)) missing.push(`${file} ${c.key}: ${c.process.diagram} missing`);
        else if (!processIds(readFileSync(path, 'utf8')).includes(c.process.definitionKey)) missing.push(`${file} ${c.key}: ${c.process.diagram} has no executable process ${c.process.definitionKey}`);
        for (const d of c.documents) if (d.form && !existsSync(join(base, d.form))) missing.push(`${file}: form ${d.form} missing`);
      }
      for (const r of doc.results) if (r.template && !existsSync(join(base, r.template))) missing.push(`${file}: template ${r.template} missing`);
      for (const t of doc.templates) if (!existsSync(join(base, t.file))) missing.push(`${file}: template ${t.file} missing`);
    }
    expect(missing).toEqual([]);
    // Every diagram is used by some case.
    const used = new Set(documents().flatMap((d) => d.doc.cases.map((c) => c.process.diagram)));
    expect(diagramFiles.filter((f) => !used.has(`diagrams/${f}`))).toEqual([]);
  });

  it('every placeholder used anywhere is declared in pack.json and mapped by demo-mapping.json; every declared one is used', () => {
    const declared = new Map(pack.placeholders.map((p) => [p.token, p]));
    const texts = [
      ...procedureFiles.map((f) => read(`procedures/${f}`)),
      ...diagramFiles.map((f) => read(`diagrams/${f}`)),
      ...templateFiles.map((f) => read(`templates/${f}`)),
      ...formFiles.map((f) => read(`forms/${f}`)),
    ];
    const used = new Set(texts.flatMap(tokensIn));
    expect([...used].filter((t) => !declared.has(t))).toEqual([]);
    expect([...used].filter((t) => !Object.hasOwn(mapping, t))).toEqual([]);
    expect([...declared.keys()].filter((t) => !used.has(t))).toEqual([]);
    expect(Object.keys(mapping).filter((t) => !declared.has(t))).toEqual([]);
    for (const p of pack.placeholders) {
      const value = mapping[p.token];
      if (p.kind === 'fee') expect(Number.isInteger(value) && (value as number) >= 0, p.token).toBe(true);
      else expect(typeof value === 'string' && value.length > 0, p.token).toBe(true);
    }
    // Nothing that looks like a placeholder but is not one (a typo would slip through the importer).
    for (const f of [...procedureFiles.map((x) => `procedures/${x}`), ...diagramFiles.map((x) => `diagrams/${x}`)]) {
      expect(substitute(read(f)).includes('{{'), f).toBe(false);
    }
  });

  it('diagrams are drawn for people: unique executable processes, lanes with roles, budgets and status codes on user tasks, FEEL conditions, DI for every node', () => {
    const seen = new Map<string, string>();
    for (const f of diagramFiles) {
      const xml = read(`diagrams/${f}`);
      expect(xml, f).not.toMatch(/<!DOCTYPE|<!ENTITY|scriptTask|camunda:class|camunda:expression|camunda:delegateExpression|Listener/);
      const ids = processIds(xml);
      expect(ids.length, f).toBeGreaterThan(0);
      expect([...xml.matchAll(/<bpmn:process /g)].length, `${f}: every process is executable`).toBe(ids.length);
      for (const id of ids) {
        expect(seen.get(id), `process ${id} defined twice`).toBeUndefined();
        seen.set(id, f);
        expect(id).toMatch(/^vn_base_[a-z0-9_]+$/);
      }
      expect(xml, `${f}: a collapsed citizen pool`).toMatch(/<bpmn:participant id="Participant_CongDan" name="[^"]+" \/>/);
      expect(xml, `${f}: lanes carry roles`).toMatch(/<bpmn:lane [^>]*motcua:candidateGroups="\{\{role:/);
      for (const m of xml.matchAll(FLOW_NODE)) {
        const [, type, attrs] = m;
        const id = attrOf(attrs, 'id')!;
        expect(xml.includes(`bpmnElement="${id}"`), `${f}: ${id} has a shape`).toBe(true);
        if (type === 'userTask') {
          expect(attrOf(attrs, 'camunda:candidateGroups'), `${f}: ${id} candidate groups`).toMatch(/^\{\{role:[a-z-]+\}\}$/);
          expect(attrOf(attrs, 'motcua:unit'), `${f}: ${id} unit`).toMatch(/^\{\{agency:[a-z-]+\}\}$/);
          expect(Number(attrOf(attrs, 'motcua:budgetHours')), `${f}: ${id} budget`).toBeGreaterThan(0);
          expect(Number(attrOf(attrs, 'motcua:statusCode')), `${f}: ${id} status`).toBeGreaterThanOrEqual(1);
        }
      }
      // Layout: no two flow-node shapes overlap (a modeler would show them stacked).
      const boxes = [...xml.matchAll(/<bpmndi:BPMNShape id="[^"]+" bpmnElement="([^"]+)"(?! isHorizontal)[^>]*><dc:Bounds x="([\d.-]+)" y="([\d.-]+)" width="([\d.]+)" height="([\d.]+)"/g)]
        .map((b) => ({ id: b[1], x: Number(b[2]), y: Number(b[3]), w: Number(b[4]), h: Number(b[5]) }));
      for (const [i, a] of boxes.entries()) for (const b of boxes.slice(i + 1)) {
        expect(a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h, `${f}: ${a.id} overlaps ${b.id}`).toBe(false);
      }
      for (const m of xml.matchAll(/<bpmn:conditionExpression[^>]*>([^<]*)</g)) expect(m[1], f).toMatch(/^=/);
      for (const m of xml.matchAll(/<bpmn:sequenceFlow id="([^"]+)"/g)) expect(xml.includes(`bpmnElement="${m[1]}"`), `${f}: ${m[1]} has an edge`).toBe(true);
    }
  });

  it('internal budgets fit the statutory times: 2.000908 is 2 + 3 + 2 + 1 h; same-day civil-status steps fit one working day', () => {
    const budgets = (xml: string, processId: string) => {
      const body = new RegExp(`<bpmn:process id="${processId}"[\\s\\S]*?</bpmn:process>`).exec(xml)![0];
      // The main path only: the supplement step (status 5) waits for the applicant under the case's supplement
      // policy, and the refusal branch (Task_TraTuChoi) replaces the return step.
      return [...body.matchAll(/<bpmn:userTask ([^>]*)>/g)]
        .filter((m) => attrOf(m[1], 'motcua:statusCode') !== '5' && !/TuChoi/.test(attrOf(m[1], 'id')!))
        .map((m) => Number(attrOf(m[1], 'motcua:budgetHours')));
    };
    expect(budgets(read('diagrams/ban-sao-so-goc.bpmn'), 'vn_base_ban_sao_so_goc')).toEqual([2, 3, 2, 1]);
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    expect(sum(budgets(read('diagrams/lien-thong-khai-sinh.bpmn'), 'vn_base_lt_ks_ho_tich'))).toBeLessThanOrEqual(8);
    expect(sum(budgets(read('diagrams/lien-thong-khai-tu.bpmn'), 'vn_base_lt_kt_ho_tich'))).toBeLessThanOrEqual(8);
    // Every case: the budgets of its main process fit its shortest channel time (working days of 8 h).
    for (const { doc } of documents()) {
      for (const c of doc.cases) {
        const shortest = Math.min(...c.channels.map((ch) => (ch.time.unit === 'working_hours' ? ch.time.value : ch.time.value * 8)));
        const total = sum(budgets(read(c.process.diagram), c.process.definitionKey));
        expect(total, `${doc.code} ${c.key}`).toBeLessThanOrEqual(shortest);
      }
    }
  });

  it('templates use plain Handlebars expressions only: paths, #each, #if, else; no triple-stash, no partials, no other helpers', () => {
    expect(templateFiles.length).toBeGreaterThanOrEqual(3);
    const allowed = /^\{\{(?:[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*|@index|this|#each [A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*|\/each|#if [A-Za-z_@][\w]*(?:\.[A-Za-z_][\w]*)*|else|\/if|![^}]*)\}\}$/;
    for (const f of templateFiles) {
      const text = read(`templates/${f}`);
      expect(text, f).not.toMatch(/\{\{\{|\{\{>|\{\{&|<script/i);
      const exprs = text.match(/\{\{[^}]*\}\}/g) ?? [];
      expect(exprs.length, f).toBeGreaterThan(3);
      expect(exprs.filter((e) => !allowed.test(e)), f).toEqual([]);
      const opens = exprs.filter((e) => /^\{\{#(each|if) /.test(e)).length;
      const closes = exprs.filter((e) => /^\{\{\/(each|if)\}\}$/.test(e)).length;
      expect(closes, `${f}: blocks closed`).toBe(opens);
      expect(text.replace(/\{\{[^}]*\}\}/g, '').includes('{{'), `${f}: stray braces`).toBe(false);
    }
    expect(templateFiles).toEqual(expect.arrayContaining(['giay-tiep-nhan-hen-tra.hbs']));
    expect(read('templates/giay-tiep-nhan-hen-tra.hbs')).toMatch(/\{\{dossier\.code\}\}[\s\S]*\{\{applicant\.name\}\}[\s\S]*\{\{procedure\.name\}\}[\s\S]*\{\{receivedAt\}\}[\s\S]*\{\{dueAt\}\}/);
  });

  it('forms are JSON form descriptions (motcua.form/1) with unique field keys', () => {
    expect(formFiles.length).toBeGreaterThanOrEqual(3);
    const types = new Set(['text', 'textarea', 'date', 'number', 'select', 'checkbox', 'id-number', 'phone', 'email', 'address']);
    for (const f of formFiles) {
      const form = JSON.parse(read(`forms/${f}`)) as { format: string; key: string; title: string; sections: { title: string; fields: { key: string; label: string; type: string; required?: boolean; options?: string[] }[] }[] };
      expect(form.format, f).toBe('motcua.form/1');
      expect(`${form.key}.json`).toBe(f);
      const keys = form.sections.flatMap((s) => s.fields.map((x) => x.key));
      expect(keys.length, f).toBeGreaterThan(2);
      expect(new Set(keys).size, `${f}: field keys unique`).toBe(keys.length);
      for (const s of form.sections) for (const x of s.fields) {
        expect(types.has(x.type), `${f}: ${x.key} type ${x.type}`).toBe(true);
        if (x.type === 'select') expect(x.options?.length, `${f}: ${x.key} options`).toBeGreaterThan(1);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Through the HTTP API, on the demo province (both dialects).

const ctx = useTestPlatform();
const noPostgres = () => testDialect() === 'postgresql' && !postgresAvailable();
const xmlHeaders = { 'content-type': 'application/xml' };

interface Task { id: string; instanceId: string; definitionKey: string; activityId: string; unitId: string | null; candidateGroups: string[] }
interface Instance { id: string; status: string; businessKey: string | null; definitionKey: string; unitId: string | null; variables: Record<string, unknown>; openTasks: Task[]; history: { activityId: string; endedAt: string | null }[] }

let admin: TestClient;
let analyst: TestClient;
let clerk: TestClient;
let stpSpecialist: TestClient;
/** Demo users created in the commune and at the province root (the social-insurance placeholder maps there). */
const people: Record<string, TestClient> = {};
const unitIds = new Map<string, string>();
const deployed = new Map<string, { warnings: string[]; keys: string[] }>();

async function createPerson(username: string, role: string, unit: string): Promise<TestClient> {
  const res = await admin.post('/api/users', { username, displayName: `${username} (demo)`, unitId: unit });
  expect(res.status, await res.clone().text()).toBe(201);
  const { user, generatedPassword } = (await res.json()) as { user: { id: string }; generatedPassword: string };
  const grant = await admin.post('/api/role-assignments', { userId: user.id, role, unitId: unit });
  expect(grant.status, await grant.clone().text()).toBe(201);
  return ctx.t.login(username, generatedPassword);
}

beforeAll(async () => {
  if (noPostgres()) return;
  admin = await ctx.t.login('admin');
  analyst = await ctx.t.login('analyst');
  clerk = await ctx.t.login('clerk');
  stpSpecialist = await ctx.t.login('specialist');
  for (const u of (await (await admin.get('/api/units')).json()) as { id: string; code: string }[]) unitIds.set(u.code, u.id);
  people.xaChuyenVien = await createPerson('xa.hotich', 'specialist', 'DEMO.XA.AN-BINH');
  people.xaLanhDao = await createPerson('xa.lanhdao', 'leader', 'DEMO.XA.AN-BINH');
  people.bhxhChuyenVien = await createPerson('bhxh.chuyenvien', 'specialist', 'DEMO');
  people.bhxhLanhDao = await createPerson('bhxh.lanhdao', 'leader', 'DEMO');
  for (const f of diagramFiles) {
    const res = await analyst.post(`/api/definitions?name=${encodeURIComponent(`vn.motcua.base/${f}`)}`, substitute(read(`diagrams/${f}`)), xmlHeaders);
    const body = (await res.json()) as { definitions?: { key: string }[]; warnings?: string[]; code?: string; detail?: string };
    deployed.set(f, { warnings: body.warnings ?? [`HTTP ${res.status}: ${body.code} ${body.detail}`], keys: (body.definitions ?? []).map((d) => d.key) });
  }
}, 120_000);

describe.skipIf(noPostgres())('procedures/base through the API (demo mapping)', () => {
  it('the demo mapping names demo units and roles that exist', async () => {
    const roles = ((await (await admin.get('/api/roles')).json()) as { role: string }[]).map((r) => r.role);
    for (const p of pack.placeholders) {
      if (p.kind === 'agency') expect(unitIds.has(String(mapping[p.token])), `${p.token} → ${mapping[p.token]}`).toBe(true);
      if (p.kind === 'role') expect(roles, p.token).toContain(mapping[p.token]);
    }
  });

  it('every diagram deploys through POST /api/definitions without refusal; the only warnings are the drawn message flows being set aside', () => {
    const cases = documents().flatMap((d) => d.doc.cases);
    for (const f of diagramFiles) {
      const d = deployed.get(f)!;
      expect(d.keys.length, `${f}: ${d.warnings.join(' | ')}`).toBeGreaterThan(0);
      expect(d.keys.sort(), f).toEqual(processIds(read(`diagrams/${f}`)).sort());
      for (const w of d.warnings) {
        expect(w, f).toMatch(/^(Collapsed pool "Công dân, tổ chức" \(Participant_CongDan\) is an outside participant: its message flows|Message flows between "[^"]+" and "[^"]+") \([^)]+\) were set aside/);
      }
    }
    const keys = new Set([...deployed.values()].flatMap((d) => d.keys));
    for (const c of cases) expect(keys.has(c.process.definitionKey), c.process.definitionKey).toBe(true);
  });

  it('every procedure, resolved with the demo mapping, is accepted and published by the catalogue API, and can be found', async () => {
    for (const { doc } of documents()) {
      const resolved = resolve(JSON.parse(read(`procedures/${doc.code}.json`)));
      const created = await analyst.post('/api/procedures', resolved);
      expect(created.status, `${doc.code}: ${await created.clone().text()}`).toBe(201);
      const { lockVersion } = (await created.json()) as { lockVersion: number };
      const published = await analyst.post(`/api/procedures/${encodeURIComponent(doc.code)}/publish`, { lockVersion });
      expect(published.status, `${doc.code}: ${await published.clone().text()}`).toBe(200);
    }
    const search = async (q: string) => ((await (await clerk.get(`/api/procedures?q=${encodeURIComponent(q)}`)).json()) as { items: { code: string }[] }).items.map((i) => i.code);
    expect((await search('2.000908'))[0]).toBe('2.000908');
    expect(await search('ho kinh doanh')).toContain('1.001612');
    expect(await search('khai sinh')).toEqual(expect.arrayContaining(['1.001193', '3.000722']));
    const bundle = (await (await clerk.get('/api/procedures/3.000722')).json()) as { status: string; current: { bindings: { caseKey: string; definitionKey: string }[] } };
    expect(bundle.status).toBe('published');
    expect(bundle.current.bindings).toEqual([expect.objectContaining({ caseKey: 'lien-thong-khai-sinh', definitionKey: 'vn_base_lt_khai_sinh' })]);
  });

  const instance = async (id: string, as: TestClient = admin): Promise<Instance> => {
    const res = await as.get(`/api/instances/${id}`);
    expect(res.status).toBe(200);
    return res.json();
  };
  const openTasks = async (as: TestClient, keys: string[]): Promise<Task[]> =>
    ((await (await as.get('/api/tasks?filter=all')).json()) as Task[]).filter((t) => keys.includes(t.definitionKey));
  const complete = async (as: TestClient, task: Task, variables: Record<string, unknown> = {}) => {
    const res = await as.post(`/api/tasks/${task.id}/complete`, { variables });
    expect(res.status, `${task.definitionKey}/${task.activityId}: ${await res.clone().text()}`).toBe(204);
  };

  /**
   * Runs an interlinked bundle through the API: the clerk starts the parent at the desk, then every open task of the
   * bundle is completed by the demo user of the unit and role it belongs to, until nothing is left.
   */
  async function runBundle(o: {
    parent: string; civil: string; dossier: string; civilVariable: string; variables: Record<string, Record<string, unknown>>;
    /** The two agencies served at once after the civil status: process key, element id stem, unit, [specialist, leader]. */
    a: { key: string; id: string; unit: string; people: [TestClient, TestClient] };
    b: { key: string; id: string; unit: string; people: [TestClient, TestClient] };
  }) {
    const keys = [o.parent, o.civil, o.a.key, o.b.key];
    const started = await clerk.post('/api/instances', {
      definitionKey: o.parent,
      businessKey: o.dossier,
      variables: { dossier: { code: o.dossier }, applicant: { name: 'Nguyễn Thị Mai' } },
    });
    expect(started.status, await started.clone().text()).toBe(201);
    const parent = (await started.json()) as Instance;
    expect(parent.unitId).toBe(unitIds.get('DEMO.TTPVHCC.Q1'));
    expect(parent.openTasks.map((t) => t.activityId)).toEqual(['Task_TiepNhan']);

    // Who acts on each step: the demo users of the mapped units and roles.
    const actor: Record<string, TestClient> = {
      [`${o.parent}/Task_TiepNhan`]: clerk,
      [`${o.civil}/Task_HoTich_XuLy`]: people.xaChuyenVien,
      [`${o.civil}/Task_HoTich_PheDuyet`]: people.xaLanhDao,
      [`${o.a.key}/Task_${o.a.id}_XuLy`]: o.a.people[0],
      [`${o.a.key}/Task_${o.a.id}_PheDuyet`]: o.a.people[1],
      [`${o.b.key}/Task_${o.b.id}_XuLy`]: o.b.people[0],
      [`${o.b.key}/Task_${o.b.id}_PheDuyet`]: o.b.people[1],
      [`${o.parent}/Task_TraKetQua`]: clerk,
    };
    const unitOf: Record<string, string> = { [o.parent]: 'DEMO.TTPVHCC.Q1', [o.civil]: 'DEMO.XA.AN-BINH', [o.a.key]: o.a.unit, [o.b.key]: o.b.unit };
    const done: string[] = [];
    const instancesSeen = new Map<string, string>();
    for (let round = 0; round < 20; round++) {
      const visible = new Map<string, Task>();
      for (const who of [clerk, ...Object.values(people)]) for (const t of await openTasks(who, keys)) visible.set(t.id, t);
      if (visible.size === 0) break;
      for (const t of visible.values()) {
        const step = `${t.definitionKey}/${t.activityId}`;
        const who = actor[step];
        expect(who, `unexpected step ${step}`).toBeDefined();
        // Each task lies in the unit the demo mapping gives its agency, and people of other units may not act on it.
        expect(t.unitId, step).toBe(unitIds.get(unitOf[t.definitionKey]));
        if (t.definitionKey !== o.parent) expect((await stpSpecialist.post(`/api/tasks/${t.id}/complete`, { variables: {} })).status, step).toBe(403);
        instancesSeen.set(t.definitionKey, t.instanceId);
        await complete(who, t, o.variables[step] ?? {});
        done.push(step);
      }
    }
    // Then every step ran once, and the parent heard from the civil status before it sent to the other two.
    expect(done.sort()).toEqual(Object.keys(actor).sort());
    const finished = await instance(parent.id, clerk);
    expect(finished.status).toBe('completed');
    const path = finished.history.map((h) => h.activityId);
    const [a, b] = [o.a.id, o.b.id];
    for (const step of ['Throw_HoTich', 'Catch_HoTich', 'Fork_LienThong', `Throw_${a}`, `Throw_${b}`, `Catch_${a}`, `Catch_${b}`, 'Join_LienThong', 'Task_TraKetQua', 'End_DaTraKetQua']) expect(path).toContain(step);
    expect(path.indexOf('Catch_HoTich')).toBeLessThan(path.indexOf(`Throw_${a}`));
    expect(path.indexOf('Catch_HoTich')).toBeLessThan(path.indexOf(`Throw_${b}`));
    expect(finished.variables[o.civilVariable]).toBe(true);
    // And the three agencies' instances, started by messages with the dossier code as business key, completed in their own units.
    expect([...instancesSeen.keys()].sort()).toEqual([...keys].sort());
    for (const key of keys.slice(1)) {
      const child = await instance(instancesSeen.get(key)!);
      expect(child, key).toMatchObject({ status: 'completed', businessKey: o.dossier, definitionKey: key, unitId: unitIds.get(unitOf[key]) });
    }
    return finished;
  }

  it('the interlinked birth bundle (Decree 63/2024) runs end to end: desk → civil status → police and social insurance → desk', async () => {
    const finished = await runBundle({
      parent: 'vn_base_lt_khai_sinh', civil: 'vn_base_lt_ks_ho_tich', dossier: 'DEMO.TTPVHCC.Q1-260302-0001', civilVariable: 'khaiSinhApproved',
      a: { key: 'vn_base_lt_ks_thuong_tru', id: 'ThuongTru', unit: 'DEMO.XA.AN-BINH', people: [people.xaChuyenVien, people.xaLanhDao] },
      b: { key: 'vn_base_lt_ks_bhyt', id: 'Bhyt', unit: 'DEMO', people: [people.bhxhChuyenVien, people.bhxhLanhDao] },
      variables: {
        'vn_base_lt_khai_sinh/Task_TiepNhan': { complete: true },
        'vn_base_lt_ks_ho_tich/Task_HoTich_PheDuyet': { khaiSinhApproved: true, personalId: '001226000123' },
        'vn_base_lt_ks_thuong_tru/Task_ThuongTru_PheDuyet': { thuongTruApproved: true },
        'vn_base_lt_ks_bhyt/Task_Bhyt_PheDuyet': { bhytApproved: true, healthInsuranceCard: 'TE1010000000123' },
      },
    });
    // The results of all three agencies came back to the desk with their messages.
    expect(finished.variables).toMatchObject({ thuongTruApproved: true, bhytApproved: true, personalId: '001226000123', healthInsuranceCard: 'TE1010000000123' });
  });

  it('the interlinked death bundle runs end to end: desk → civil status → residence removal and funeral allowance → desk', async () => {
    const finished = await runBundle({
      parent: 'vn_base_lt_khai_tu', civil: 'vn_base_lt_kt_ho_tich', dossier: 'DEMO.TTPVHCC.Q1-260302-0004', civilVariable: 'khaiTuApproved',
      a: { key: 'vn_base_lt_kt_xoa_thuong_tru', id: 'XoaThuongTru', unit: 'DEMO.XA.AN-BINH', people: [people.xaChuyenVien, people.xaLanhDao] },
      b: { key: 'vn_base_lt_kt_mai_tang', id: 'MaiTang', unit: 'DEMO', people: [people.bhxhChuyenVien, people.bhxhLanhDao] },
      variables: {
        'vn_base_lt_khai_tu/Task_TiepNhan': { complete: true },
        'vn_base_lt_kt_ho_tich/Task_HoTich_PheDuyet': { khaiTuApproved: true },
        'vn_base_lt_kt_xoa_thuong_tru/Task_XoaThuongTru_PheDuyet': { residenceRemoved: true },
        'vn_base_lt_kt_mai_tang/Task_MaiTang_PheDuyet': { funeralAllowance: 23_400_000 },
      },
    });
    expect(finished.variables).toMatchObject({ residenceRemoved: true, funeralAllowance: 23_400_000 });
  });

  it('2.000908 (certified copy from the original register) runs from receipt to return; a leader’s refusal is returned in writing; an incomplete dossier is refused at the desk', async () => {
    const keys = ['vn_base_ban_sao_so_goc'];
    const start = async (code: string) => {
      const res = await clerk.post('/api/instances', { definitionKey: 'vn_base_ban_sao_so_goc', businessKey: code, variables: { dossier: { code } } });
      expect(res.status, await res.clone().text()).toBe(201);
      return (await res.json()) as Instance;
    };
    const inst = await start('DEMO.TTPVHCC.Q1-260302-0002');
    const steps: [string, TestClient, Record<string, unknown>][] = [
      ['Task_TiepNhan', clerk, { complete: true }],
      ['Task_XuLy', people.xaChuyenVien, {}],
      ['Task_PheDuyet', people.xaLanhDao, { approved: true }],
      ['Task_TraKetQua', clerk, {}],
    ];
    for (const [activity, who, vars] of steps) {
      const [task] = (await openTasks(who, keys)).filter((t) => t.instanceId === inst.id);
      expect(task?.activityId, activity).toBe(activity);
      await complete(who, task, vars);
    }
    const done = await instance(inst.id, clerk);
    expect(done.status).toBe('completed');
    expect(done.history.map((h) => h.activityId)).toContain('End_DaTraKetQua');

    // A leader's refusal takes the refusal branch: the desk returns a written refusal.
    const declined = await start('DEMO.TTPVHCC.Q1-260302-0005');
    for (const [activity, who, vars] of [...steps.slice(0, 2), ['Task_PheDuyet', people.xaLanhDao, { approved: false }], ['Task_TraTuChoi', clerk, {}]] as typeof steps) {
      const [task] = (await openTasks(who, keys)).filter((t) => t.instanceId === declined.id);
      expect(task?.activityId, activity).toBe(activity);
      await complete(who, task, vars);
    }
    const declinedView = await instance(declined.id, clerk);
    expect(declinedView.status).toBe('completed');
    expect(declinedView.history.map((h) => h.activityId)).toContain('End_TuChoiGiaiQuyet');
    expect(declinedView.history.map((h) => h.activityId)).not.toContain('Task_TraKetQua');

    const refused = await start('DEMO.TTPVHCC.Q1-260302-0003');
    const [task] = (await openTasks(clerk, keys)).filter((t) => t.instanceId === refused.id);
    await complete(clerk, task, { complete: false });
    const ended = await instance(refused.id, clerk);
    expect(ended.status).toBe('completed');
    expect(ended.history.map((h) => h.activityId)).toContain('End_TuChoiTiepNhan');
    expect(ended.history.map((h) => h.activityId)).not.toContain('Task_XuLy');
  });
});
