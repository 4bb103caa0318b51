import type { KeyObject } from 'node:crypto';
import type { ProcedureDocumentInput } from '../../core/catalogue/schema.ts';
import type { PlaceholderMapping } from '../../core/packs/manifest.ts';
import { buildPack, type ManifestHeader } from '../../core/packs/pack.ts';
import { generatePackKeys, loadPrivateKey, loadPublicKey } from '../../core/packs/signing.ts';

/** Test support: small packs built on the fly (never the shipped procedures). */

export function diagram(key: string, opts: { role?: string; task?: string; extra?: string } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="${key}-defs" targetNamespace="https://motcua.dev/test">
  <process id="${key}" name="Quy trình ${key}" isExecutable="true">
    <startEvent id="received" />
    <sequenceFlow id="f0" sourceRef="received" targetRef="review" />
    <userTask id="review" name="${opts.task ?? 'Thẩm định'}" camunda:candidateGroups="${opts.role ?? '{{role:civil-status}}'}" />
    <sequenceFlow id="f1" sourceRef="review" targetRef="done" />${opts.extra ?? ''}
    <endEvent id="done" />
  </process>
</definitions>
`;
}

export const scriptDiagram = (key: string) => `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="${key}-defs" targetNamespace="https://motcua.dev/test">
  <process id="${key}" isExecutable="true">
    <startEvent id="s" />
    <scriptTask id="t" scriptFormat="javascript"><script>process.exit(1)</script></scriptTask>
    <endEvent id="e" />
    <sequenceFlow id="f1" sourceRef="s" targetRef="t" />
    <sequenceFlow id="f2" sourceRef="t" targetRef="e" />
  </process>
</definitions>
`;

export function procedure(code: string, key: string, overrides: Partial<ProcedureDocumentInput> = {}): ProcedureDocumentInput {
  return {
    code,
    name: `Thủ tục thử ${code}`,
    levels: ['commune'],
    sectors: [{ code: 'HT', name: 'Hộ tịch' }],
    agencies: { implementing: [{ code: '{{agency:justice}}', name: 'Cơ quan tư pháp' }] },
    onlineLevel: 'partial',
    results: [{ name: 'Bản sao', template: 'templates/ket-qua.hbs' }],
    cases: [
      {
        key: 'default',
        name: 'Trường hợp chung',
        process: { definitionKey: key, diagram: `diagrams/${key}.bpmn` },
        channels: [
          { channel: 'in_person', time: { value: 1, unit: 'working_days' }, fees: [{ description: 'Lệ phí', amount: '{{fee:copy}}' }] },
        ],
        documents: [{ name: 'Tờ khai', originals: 1, copies: 0, form: 'forms/to-khai.txt' }],
        supplement: { policy: 'restart' },
      },
    ],
    ...overrides,
  };
}

export const placeholderDeclarations = [
  { token: '{{agency:justice}}', kind: 'agency' as const, description: 'Cơ quan tư pháp cấp xã' },
  { token: '{{role:civil-status}}', kind: 'role' as const, description: 'Công chức tư pháp - hộ tịch' },
  { token: '{{fee:copy}}', kind: 'fee' as const, description: 'Lệ phí cấp bản sao' },
];

/** Maps the fixture placeholders onto the demo province. */
export const demoMapping: PlaceholderMapping = {
  '{{agency:justice}}': 'DEMO.STP',
  '{{role:civil-status}}': 'specialist',
  '{{fee:copy}}': 8000,
};

export interface FixtureOptions {
  header?: Partial<ManifestHeader>;
  procedures?: ProcedureDocumentInput[];
  diagrams?: Record<string, string>;
  extraFiles?: Record<string, string | Buffer>;
  key?: KeyObject;
  now?: Date;
}

/** Files of a two-procedure pack (procedure 9.000001 and 9.000002 on diagrams p-one and p-two). */
export function fixtureFiles(opts: FixtureOptions = {}): Map<string, Buffer> {
  const procs = opts.procedures ?? [procedure('9.000001', 'p-one'), procedure('9.000002', 'p-two')];
  const diagrams = opts.diagrams ?? { 'p-one': diagram('p-one'), 'p-two': diagram('p-two') };
  const files = new Map<string, Buffer>();
  for (const p of procs) files.set(`procedures/${p.code}.json`, Buffer.from(JSON.stringify(p, null, 2)));
  for (const [key, xml] of Object.entries(diagrams)) files.set(`diagrams/${key}.bpmn`, Buffer.from(xml));
  files.set('forms/to-khai.txt', Buffer.from('Tờ khai mẫu\n'));
  files.set('templates/ket-qua.hbs', Buffer.from('<p>{{hoTen}}</p>\n'));
  for (const [path, data] of Object.entries(opts.extraFiles ?? {})) files.set(path, Buffer.from(data));
  return files;
}

export const testKeys = generatePackKeys();
export const testPrivateKey = loadPrivateKey(testKeys.privateKeyPem);
export const testPublicKey = loadPublicKey(testKeys.publicKeyPem);

export function fixtureHeader(overrides: Partial<ManifestHeader> = {}): ManifestHeader {
  return {
    id: 'vn.test.fixture',
    name: 'Gói thử nghiệm',
    version: '1.0.0',
    sequence: 1,
    publisher: { name: 'Tỉnh Thử', province: 'TT' },
    placeholders: placeholderDeclarations,
    ...overrides,
  };
}

export async function fixturePack(opts: FixtureOptions = {}): Promise<Buffer> {
  const { zip } = await buildPack(
    fixtureHeader(opts.header),
    fixtureFiles(opts),
    opts.key ?? testPrivateKey,
    opts.now ?? new Date('2026-03-01T00:00:00Z'),
  );
  return zip;
}
