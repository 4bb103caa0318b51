import { beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, useTestPlatform } from '../../tests/support/platform.ts';
import type { Ports } from '../modules/ports.ts';
import { AppError } from '../errors.ts';
import { cliActing } from '../org/actor.ts';
import { exportFiles } from './exporter.ts';
import { importPack } from './importer.ts';
import { buildPack, openPack, verifyPack } from './pack.ts';
import { generatePackKeys, loadPublicKey } from './signing.ts';
import { listInstalled, trustKey } from './store.ts';
import {
  demoMapping,
  diagram,
  fixtureHeader,
  fixturePack,
  procedure,
  testKeys,
  testPrivateKey,
  testPublicKey,
} from '../../tests/support/test-packs.ts';

const ctx = useTestPlatform();
const acting = cliActing();
const svc = (): Ports => ctx.t.platform.services;
const catalogue = (s: Ports) => s.catalogue;

async function count(table: string, where = '', params: unknown[] = []): Promise<number> {
  return Number(
    (
      await svc()
        .db.em()
        .execute<{ n: number }[]>(`SELECT COUNT(*) AS n FROM ${table}${where ? ` WHERE ${where}` : ''}`, params)
    )[0].n,
  );
}

async function trust(s: Ports, pem = testKeys.publicKeyPem) {
  await s.db.em().transactional((em) => trustKey(s, em, acting, { publicKey: pem, publisherName: 'Tỉnh Thử', province: 'TT' }));
}

beforeAll(async () => {
  await trust(svc());
});

describe('signing', () => {
  it('a pack verifies with its key and with no other', async () => {
    const opened = await openPack(await fixturePack());
    expect(verifyPack(opened, testPublicKey).manifest).toMatchObject({
      format: 'motcua-pack/1',
      id: 'vn.test.fixture',
      publisher: { keyId: expect.stringMatching(/^[0-9a-f]{16}$/) },
    });
    const other = loadPublicKey(generatePackKeys().publicKeyPem);
    expect(() => verifyPack(opened, other)).toThrow(/the key given is/);
  });

  it('the key id is the first 16 hex digits of the SHA-256 of the raw public key', async () => {
    const { createHash } = await import('node:crypto');
    const der = testPublicKey.export({ type: 'spki', format: 'der' });
    expect(testKeys.keyId).toBe(
      createHash('sha256')
        .update(der.subarray(der.length - 32))
        .digest('hex')
        .slice(0, 16),
    );
  });
});

describe('importing a pack', () => {
  it('a dry run reports what would be new and which placeholders are needed, and changes nothing', async () => {
    const before = {
      definitions: await count('process_definitions'),
      procedures: await count('procedures'),
      installs: await count('pack_installs'),
    };
    const report = await importPack(svc(), acting, { zip: await fixturePack(), mapping: demoMapping, dryRun: true });
    expect(report).toMatchObject({
      status: 'dry_run',
      pack: { id: 'vn.test.fixture', version: '1.0.0', sequence: 1 },
      counts: { new: 2, updated: 0, unchanged: 0 },
      procedures: [
        { code: '9.000001', outcome: 'new', version: 1, file: 'procedures/9.000001.json' },
        { code: '9.000002', outcome: 'new', version: 1 },
      ],
      diagrams: [
        { file: 'diagrams/p-one.bpmn', definitions: [{ key: 'p-one', version: 1, outcome: 'new' }] },
        { file: 'diagrams/p-two.bpmn', definitions: [{ key: 'p-two', version: 1, outcome: 'new' }] },
      ],
      assets: [
        { file: 'forms/to-khai.txt', outcome: 'new' },
        { file: 'templates/ket-qua.hbs', outcome: 'new' },
      ],
    });
    expect(report.placeholders).toEqual([
      { token: '{{agency:justice}}', description: 'Cơ quan tư pháp cấp xã', mappedTo: 'DEMO.STP' },
      { token: '{{fee:copy}}', description: 'Lệ phí cấp bản sao', mappedTo: 8000 },
      { token: '{{role:civil-status}}', description: 'Công chức tư pháp - hộ tịch', mappedTo: 'specialist' },
    ]);
    expect({
      definitions: await count('process_definitions'),
      procedures: await count('procedures'),
      installs: await count('pack_installs'),
    }).toEqual(before);
  });

  it('a dry run warns about motcua-looking attributes in a namespace the engine ignores, naming element, attribute and the expected URI', async () => {
    const wrongNs = diagram('p-ns')
      .replace('id="p-ns-defs"', 'xmlns:mc="https://motcua.dev/schema/bpmn/1" xmlns:motcua="urn:motcua" id="p-ns-defs"')
      .replace('<userTask id="review"', '<userTask id="review" mc:statusCode="4" motcua:unit="DEMO.STP" mc:note="x"');
    const rightNs = diagram('p-ok')
      .replace('id="p-ok-defs"', 'xmlns:motcua="https://motcua.dev/schema/bpmn/1.0" id="p-ok-defs"')
      .replace('<userTask id="review"', '<userTask id="review" motcua:statusCode="4"');
    const zip = await fixturePack({
      header: { id: 'vn.test.namespaces' },
      procedures: [procedure('9.000011', 'p-ns'), procedure('9.000012', 'p-ok')],
      diagrams: { 'p-ns': wrongNs, 'p-ok': rightNs },
    });
    const report = await importPack(svc(), acting, { zip, mapping: demoMapping, dryRun: true });
    expect(report.diagrams.map((d) => [d.file, d.warnings])).toEqual([
      [
        'diagrams/p-ns.bpmn',
        [
          '<userTask id="review">: attribute mc:statusCode is in namespace "https://motcua.dev/schema/bpmn/1", which the engine ignores; motcua attributes use "https://motcua.dev/schema/bpmn/1.0"',
          '<userTask id="review">: attribute motcua:unit is in namespace "urn:motcua", which the engine ignores; motcua attributes use "https://motcua.dev/schema/bpmn/1.0"',
        ],
      ],
      ['diagrams/p-ok.bpmn', []],
    ]);
  });

  it('applies with placeholders mapped, records the install and audits it', async () => {
    const report = await importPack(svc(), acting, { zip: await fixturePack(), mapping: demoMapping });
    expect(report).toMatchObject({ status: 'installed', counts: { new: 2 } });
    const [p] = await catalogue(svc()).exportPublished(svc().db.em(), ['9.000001']);
    expect(p.document.agencies.implementing[0].code).toBe('DEMO.STP');
    expect(p.document.cases[0].channels[0].fees[0].amount).toBe(8000);
    expect(p.bindings).toEqual([{ caseKey: 'default', definitionKey: 'p-one', definitionVersion: 1 }]);
    const xml = await svc().engine.definitions.xml(svc().db.em(), 'p-one', 1);
    expect(xml).toContain('camunda:candidateGroups="specialist"');
    expect(xml).not.toContain('{{');
    expect(await listInstalled(svc().db.em())).toMatchObject([
      { packId: 'vn.test.fixture', version: '1.0.0', sequence: 1, publisher: { name: 'Tỉnh Thử', province: 'TT', keyId: testKeys.keyId } },
    ]);
    expect(await count('audit_log', 'action = ? AND target_id = ?', ['pack.installed', 'vn.test.fixture'])).toBe(1);
  });

  it('a newer sequence updates the changed procedure, leaves the other unchanged, and running dossiers keep their version', async () => {
    const s = svc();
    const running = await s.db.em().transactional((em) => s.engine.start(em, acting, { definitionKey: 'p-one' }));
    const changed = procedure('9.000001', 'p-one', { name: 'Thủ tục thử 9.000001 (sửa đổi)' });
    const zip = await fixturePack({
      header: { version: '1.1.0', sequence: 2 },
      procedures: [changed, procedure('9.000002', 'p-two')],
      diagrams: { 'p-one': diagram('p-one', { task: 'Thẩm định (mới)' }), 'p-two': diagram('p-two') },
    });
    const report = await importPack(s, acting, { zip, mapping: demoMapping });
    expect(report.counts).toEqual({ new: 0, updated: 1, unchanged: 1 });
    expect(report.procedures).toMatchObject([
      { code: '9.000001', outcome: 'updated', version: 2 },
      { code: '9.000002', outcome: 'unchanged', version: 1 },
    ]);
    expect(report.diagrams).toMatchObject([
      { definitions: [{ key: 'p-one', version: 2, outcome: 'new' }] },
      { definitions: [{ key: 'p-two', version: 1, outcome: 'unchanged' }] },
    ]);
    const [row] = await s.db
      .em()
      .execute<{ definition_version: number }[]>('SELECT definition_version FROM process_instances WHERE id = ?', [running]);
    expect(Number(row.definition_version)).toBe(1);
    const [p] = await catalogue(s).exportPublished(s.db.em(), ['9.000001']);
    expect(p.bindings[0].definitionVersion).toBe(2);
    expect((await listInstalled(s.db.em()))[0]).toMatchObject({ version: '1.1.0', sequence: 2 });
  });

  it('is atomic: a failure late in the apply leaves no definitions, procedures or install behind', async () => {
    const tables = [
      'process_definitions',
      'bpmn_deployments',
      'procedures',
      'procedure_versions',
      'pack_installs',
      'pack_assets',
      'audit_log',
    ];
    const before = await Promise.all(tables.map((t) => count(t)));
    // Every diagram deploys, the first procedure imports, the last names an agency that is no unit.
    const late = procedure('9.000009', 'p-nine', { agencies: { implementing: [{ code: 'NO.SUCH.UNIT', name: 'Không có' }] } });
    const zip = await fixturePack({
      header: { id: 'vn.test.atomic' },
      procedures: [procedure('9.000008', 'p-eight'), late],
      diagrams: { 'p-eight': diagram('p-eight'), 'p-nine': diagram('p-nine') },
    });
    const err = await importPack(svc(), acting, { zip, mapping: demoMapping }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/^procedures\/9.000009.json: .*NO.SUCH.UNIT/);
    expect(await Promise.all(tables.map((t) => count(t)))).toEqual(before);
    expect(await count('process_definitions', 'key IN (?, ?)', ['p-eight', 'p-nine'])).toBe(0);
    expect(await count('procedures', 'code = ?', ['9.000008'])).toBe(0);
  });

  it('export, then import into an empty database, reproduces the catalogue exactly', async () => {
    const s = svc();
    const { files, codes } = await exportFiles(s, s.db.em());
    expect(codes).toEqual(['9.000001', '9.000002']);
    expect([...files.keys()].sort()).toEqual([
      'diagrams/p-one.bpmn',
      'diagrams/p-two.bpmn',
      'forms/to-khai.txt',
      'procedures/9.000001.json',
      'procedures/9.000002.json',
      'templates/ket-qua.hbs',
    ]);
    const { zip } = await buildPack(fixtureHeader({ id: 'vn.test.export', placeholders: [] }), files, testPrivateKey, s.clock.now());
    const other = await startTestPlatform();
    try {
      const o = other.platform.services;
      await trust(o);
      const report = await importPack(o, acting, { zip });
      expect(report.counts).toEqual({ new: 2, updated: 0, unchanged: 0 });
      const exported = await catalogue(s).exportPublished(s.db.em());
      const imported = await catalogue(o).exportPublished(o.db.em());
      // The source has p-one at version 2 (updated above): documents are equal, the target starts its versions at 1.
      expect(imported.map((i) => i.document)).toEqual(exported.map((e) => e.document));
      expect(imported.map((i) => i.bindings.map((b) => b.definitionKey))).toEqual(
        exported.map((e) => e.bindings.map((b) => b.definitionKey)),
      );
      for (const e of exported) {
        for (const b of e.bindings) {
          const target = imported.find((i) => i.document.code === e.document.code)!.bindings.find((x) => x.caseKey === b.caseKey)!;
          expect(await o.engine.definitions.xml(o.db.em(), target.definitionKey, target.definitionVersion)).toBe(
            await s.engine.definitions.xml(s.db.em(), b.definitionKey, b.definitionVersion),
          );
        }
      }
      // And exporting the copy gives the same files again.
      const again = await exportFiles(o, o.db.em());
      expect(again.files).toEqual(files);
    } finally {
      await other.close();
    }
  });
});
