import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { procedureDocument } from '../core/catalogue/schema.ts';
import {
  FLOW_NODE,
  attrOf,
  base,
  diagramFiles,
  documents,
  formFiles,
  mapping,
  pack,
  procedureFiles,
  processIds,
  read,
  substitute,
  templateFiles,
  tokensIn,
} from './support/base-pack-source.ts';

/**
 * The shipped base pack source (procedures/base): every document parses, every placeholder is
 * declared and mapped, every diagram deploys through the API once its placeholders carry the demo
 * mapping, the catalogue API accepts and publishes every resolved document, and the two
 * interlinked bundles (Decree 63/2024) and one single-agency procedure (2.000908) run to their
 * end as the demo users of the mapped units and roles.
 */

describe('procedures/base: the pack source as data', () => {
  it('pack.json names the pack and declares each placeholder once, with a kind matching its token', () => {
    expect(pack).toMatchObject({
      id: 'vn.motcua.base',
      version: '1.4.0',
      sequence: 5,
      publisher: { name: 'motcua (DEMO)', province: 'DEMO' },
    });
    const tokens = pack.placeholders.map((p) => p.token);
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const p of pack.placeholders) {
      expect(tokensIn(p.token), p.token).toEqual([p.token]);
      expect(p.token.startsWith(`{{${p.kind}:`), p.token).toBe(true);
      expect(p.description.length).toBeGreaterThan(10);
    }
  });

  it('fidelity (issue 17): every procedure names the records it was checked against, each with when it was read; a primary one has an address', () => {
    // The other two fidelity checks: budgets over the statutory limit (procedures-budgets.test.ts),
    // a payment step in a free procedure (procedures-versions.test.ts, "fees").
    const problems: string[] = [];
    for (const { file, doc } of documents()) {
      if (doc.sources.length === 0) problems.push(`${file}: no source`);
      for (const [i, s] of doc.sources.entries()) {
        if (s.kind === 'primary' && !/^https:\/\/|^http:\/\//.test(s.reference))
          problems.push(`${file} sources.${i}: a primary source without an address`);
        if (s.date && s.date > s.accessed) problems.push(`${file} sources.${i}: dated ${s.date}, after it was read on ${s.accessed}`);
        if (s.checks.trim().length < 10) problems.push(`${file} sources.${i}: says nothing of what it confirms`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every procedure document parses with procedureDocument; codes are unique per effective date; at least 12', () => {
    const problems: string[] = [];
    for (const file of procedureFiles) {
      const res = procedureDocument.safeParse(JSON.parse(read(`procedures/${file}`)));
      if (!res.success) problems.push(`${file}: ${res.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    expect(problems).toEqual([]);
    const docs = documents();
    expect(docs.length).toBeGreaterThanOrEqual(12);
    const codes = docs.filter((d) => !d.doc.effectiveFrom).map((d) => d.doc.code);
    expect(new Set(codes).size).toBe(codes.length);
    const versions = docs.map((d) => `${d.doc.code}@${d.doc.effectiveFrom ?? ''}`);
    expect(new Set(versions).size).toBe(versions.length);
    // A dated version (docs/pack-format.md §5b) sits beside the undated one in force today: <code>.<effectiveFrom>.json.
    for (const { file, doc } of docs)
      expect(file, 'file named after the code (and date)').toBe(
        doc.effectiveFrom ? `${doc.code}.${doc.effectiveFrom}.json` : `${doc.code}.json`,
      );
    for (const { doc } of docs) expect(codes, `${doc.code}: a dated version follows an undated one`).toContain(doc.code);
    // The catalogue the brief asks for.
    for (const code of ['1.001193', '2.000908', '2.000635', '1.000894', '1.000656', '1.001612', '1.013225', '1.012753', '1.013978'])
      expect(codes).toContain(code);
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
        else if (!processIds(readFileSync(path, 'utf8')).includes(c.process.definitionKey))
          missing.push(`${file} ${c.key}: ${c.process.diagram} has no executable process ${c.process.definitionKey}`);
        for (const d of c.documents) if (d.form && !existsSync(join(base, d.form))) missing.push(`${file}: form ${d.form} missing`);
      }
      for (const r of doc.results)
        if (r.template && !existsSync(join(base, r.template))) missing.push(`${file}: template ${r.template} missing`);
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
          // No step names its unit: routing sends desk steps to the receiving desk and the others to the case's
          // competent agency or its lane's (docs/dossiers.md, "Routing").
          expect(attrOf(attrs, 'motcua:unit'), `${f}: ${id} names no unit`).toBeUndefined();
          expect(Number(attrOf(attrs, 'motcua:budgetHours')), `${f}: ${id} budget`).toBeGreaterThan(0);
          expect(Number(attrOf(attrs, 'motcua:statusCode')), `${f}: ${id} status`).toBeGreaterThanOrEqual(1);
        }
      }
      // Only the message start events of an interlinked bundle's agency processes name their agency (the instance's unit).
      for (const m of xml.matchAll(/<bpmn:(\w+) ([^>]*)motcua:unit="([^"]*)"/g))
        expect([m[1], m[3]], `${f}: ${attrOf(m[2], 'id')}`).toEqual(['startEvent', expect.stringMatching(/^\{\{agency:[a-z-]+\}\}$/)]);
      // Layout: no two flow-node shapes overlap (a modeler would show them stacked).
      const boxes = [
        ...xml.matchAll(
          /<bpmndi:BPMNShape id="[^"]+" bpmnElement="([^"]+)"(?! isHorizontal)[^>]*><dc:Bounds x="([\d.-]+)" y="([\d.-]+)" width="([\d.]+)" height="([\d.]+)"/g,
        ),
      ].map((b) => ({ id: b[1], x: Number(b[2]), y: Number(b[3]), w: Number(b[4]), h: Number(b[5]) }));
      for (const [i, a] of boxes.entries())
        for (const b of boxes.slice(i + 1)) {
          expect(a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h, `${f}: ${a.id} overlaps ${b.id}`).toBe(false);
        }
      for (const m of xml.matchAll(/<bpmn:conditionExpression[^>]*>([^<]*)</g)) expect(m[1], f).toMatch(/^=/);
      for (const m of xml.matchAll(/<bpmn:sequenceFlow id="([^"]+)"/g))
        expect(xml.includes(`bpmnElement="${m[1]}"`), `${f}: ${m[1]} has an edge`).toBe(true);
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
    const allowed =
      /^\{\{(?:[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*|@index|this|#each [A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*|\/each|#if [A-Za-z_@][\w]*(?:\.[A-Za-z_][\w]*)*|else|\/if|![^}]*)\}\}$/;
    for (const f of templateFiles) {
      const text = read(`templates/${f}`);
      expect(text, f).not.toMatch(/\{\{\{|\{\{>|\{\{&|<script/i);
      const exprs = text.match(/\{\{[^}]*\}\}/g) ?? [];
      expect(exprs.length, f).toBeGreaterThan(3);
      expect(
        exprs.filter((e) => !allowed.test(e)),
        f,
      ).toEqual([]);
      const opens = exprs.filter((e) => /^\{\{#(each|if) /.test(e)).length;
      const closes = exprs.filter((e) => /^\{\{\/(each|if)\}\}$/.test(e)).length;
      expect(closes, `${f}: blocks closed`).toBe(opens);
      expect(text.replace(/\{\{[^}]*\}\}/g, '').includes('{{'), `${f}: stray braces`).toBe(false);
    }
    expect(templateFiles).toEqual(expect.arrayContaining(['giay-tiep-nhan-hen-tra.hbs']));
    expect(read('templates/giay-tiep-nhan-hen-tra.hbs')).toMatch(
      /\{\{dossier\.code\}\}[\s\S]*\{\{applicant\.name\}\}[\s\S]*\{\{procedure\.name\}\}[\s\S]*\{\{receivedAt\}\}[\s\S]*\{\{dueAt\}\}/,
    );
  });

  it('forms are JSON form descriptions (motcua.form/1) with unique field keys', () => {
    expect(formFiles.length).toBeGreaterThanOrEqual(3);
    const types = new Set(['text', 'textarea', 'date', 'number', 'select', 'checkbox', 'id-number', 'phone', 'email', 'address']);
    for (const f of formFiles) {
      const form = JSON.parse(read(`forms/${f}`)) as {
        format: string;
        key: string;
        title: string;
        sections: { title: string; fields: { key: string; label: string; type: string; required?: boolean; options?: string[] }[] }[];
      };
      expect(form.format, f).toBe('motcua.form/1');
      expect(`${form.key}.json`).toBe(f);
      const keys = form.sections.flatMap((s) => s.fields.map((x) => x.key));
      expect(keys.length, f).toBeGreaterThan(2);
      expect(new Set(keys).size, `${f}: field keys unique`).toBe(keys.length);
      for (const s of form.sections)
        for (const x of s.fields) {
          expect(types.has(x.type), `${f}: ${x.key} type ${x.type}`).toBe(true);
          if (x.type === 'select') expect(x.options?.length, `${f}: ${x.key} options`).toBeGreaterThan(1);
        }
    }
  });
});
