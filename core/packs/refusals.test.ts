import { beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { useTestPlatform } from '../../tests/support/platform.ts';
import { AppError } from '../errors.ts';
import { cliActing } from '../org/actor.ts';
import { importPack } from './importer.ts';
import { DEFAULT_LIMITS, MANIFEST, SIGNATURE } from './manifest.ts';
import { generatePackKeys, loadPrivateKey, signBytes } from './signing.ts';
import { trustKey } from './store.ts';
import { demoMapping, diagram, fixturePack, procedure, scriptDiagram, testKeys } from '../../tests/support/test-packs.ts';
import { readZip, writeZip } from './zip.ts';

const ctx = useTestPlatform();
const acting = cliActing();
const TABLES = [
  'bpmn_deployments',
  'process_definitions',
  'jobs',
  'procedures',
  'procedure_versions',
  'procedure_bindings',
  'pack_installs',
  'pack_assets',
  'audit_log',
];

async function snapshot(): Promise<Record<string, number>> {
  const em = ctx.t.platform.services.db.em();
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = Number((await em.execute<{ n: number }[]>(`SELECT COUNT(*) AS n FROM ${t}`))[0].n);
  return out;
}

/** Imports and expects a refusal with that code; checks that no table changed. */
async function refused(
  zip: Buffer,
  code: string,
  opts: { mapping?: Record<string, string | number>; message?: RegExp } = {},
): Promise<AppError> {
  const before = await snapshot();
  let caught: unknown;
  try {
    await importPack(ctx.t.platform.services, acting, { zip, mapping: opts.mapping ?? demoMapping });
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected a refusal ${code}`).toBeInstanceOf(AppError);
  const err = caught as AppError;
  expect({ code: err.code, message: err.message }).toMatchObject({ code, message: expect.stringMatching(opts.message ?? /./) });
  expect(await snapshot()).toEqual(before);
  return err;
}

/** Rewrites a pack's zip after changing its files (manifest and signature included). */
async function rezip(zip: Buffer, mutate: (files: Map<string, Buffer>) => void): Promise<Buffer> {
  const files = await readZip(zip, DEFAULT_LIMITS);
  mutate(files);
  return writeZip(files);
}

/** A zip written entry by entry (names checked by yazl), then byte-patched to names yazl would refuse. */
function rawZip(entries: { name: string; data: Buffer | string; mode?: number }[], patch: [string, string][] = []): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(Buffer.from(e.data), e.name, { mode: e.mode, compress: true });
  zip.end();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => {
      let buf = Buffer.concat(chunks);
      for (const [from, to] of patch) {
        const a = Buffer.from(from);
        const b = Buffer.from(to);
        for (let i = buf.indexOf(a); i >= 0; i = buf.indexOf(a, i + 1)) b.copy(buf, i);
      }
      resolve(buf);
    });
  });
}

beforeAll(async () => {
  const svc = ctx.t.platform.services;
  await svc.db
    .em()
    .transactional((em) => trustKey(svc, em, acting, { publicKey: testKeys.publicKeyPem, publisherName: 'Tỉnh Thử', province: 'TT' }));
});

describe('a pack is refused, with nothing changed, when', () => {
  it('one byte of the manifest was altered (the signature no longer matches)', async () => {
    const zip = await rezip(await fixturePack(), (f) =>
      f.set(MANIFEST, Buffer.from(f.get(MANIFEST)!.toString().replace('Gói thử nghiệm', 'Gói thử nghiêm'))),
    );
    await refused(zip, 'pack.bad_signature', { message: /not a valid Ed25519 signature/ });
  });

  it('the signature is missing', async () => {
    await refused(await rezip(await fixturePack(), (f) => f.delete(SIGNATURE)), 'pack.bad_signature', { message: /no manifest.sig/ });
  });

  it('the manifest names a trusted key but was signed with another one', async () => {
    const other = loadPrivateKey(generatePackKeys().privateKeyPem);
    const zip = await rezip(await fixturePack(), (f) => f.set(SIGNATURE, Buffer.from(signBytes(f.get(MANIFEST)!, other))));
    await refused(zip, 'pack.bad_signature');
  });

  it('it is signed by a key no administrator trusts', async () => {
    const err = await refused(await fixturePack({ key: loadPrivateKey(generatePackKeys().privateKeyPem) }), 'pack.untrusted_key', {
      message: /no administrator trusts/,
    });
    expect(err.extra?.keyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('it expired', async () => {
    await refused(await fixturePack({ header: { expiresAt: '2026-03-01T00:00:00Z' } }), 'pack.expired');
  });

  it('a file differs from its hash in the manifest (one byte changed)', async () => {
    const zip = await rezip(await fixturePack(), (f) => f.set('forms/to-khai.txt', Buffer.from('Tờ khai mẫU\n')));
    await refused(zip, 'pack.file_mismatch', { message: /forms\/to-khai.txt does not match its SHA-256/ });
  });

  it('a file differs from its size in the manifest', async () => {
    const zip = await rezip(await fixturePack(), (f) => f.set('forms/to-khai.txt', Buffer.from('Tờ khai mẫu\n\n')));
    await refused(zip, 'pack.file_mismatch', { message: /bytes, the manifest says/ });
  });

  it('the zip has a file the manifest does not list', async () => {
    const zip = await rezip(await fixturePack(), (f) => f.set('forms/extra.txt', Buffer.from('x')));
    await refused(zip, 'pack.file_mismatch', { message: /forms\/extra.txt is in the zip but not in the manifest/ });
  });

  it('a file of the manifest is missing from the zip', async () => {
    const zip = await rezip(await fixturePack(), (f) => f.delete('templates/ket-qua.hbs'));
    await refused(zip, 'pack.file_mismatch', { message: /templates\/ket-qua.hbs is listed in the manifest but missing/ });
  });

  it('an entry climbs out of the pack with ../ (zip-slip)', async () => {
    const zip = await rawZip([{ name: 'procedures/Q9/Q9/evil.json', data: '{}' }], [['procedures/Q9/Q9/', 'procedures/../../']]);
    await refused(zip, 'pack.unsafe_path', { message: /"procedures\/..\/..\/evil.json" has a "\.\." or "\." segment/ });
  });

  it('an entry has an absolute path', async () => {
    const zip = await rawZip([{ name: 'Zprocedures/a.json', data: '{}' }], [['Zprocedures/a.json', '/procedures/a.json']]);
    await refused(zip, 'pack.unsafe_path', { message: /an absolute path/ });
  });

  it('an entry name has a backslash', async () => {
    const zip = await rawZip([{ name: 'procedures/aQb.json', data: '{}' }], [['procedures/aQb.json', 'procedures/a\\b.json']]);
    await refused(zip, 'pack.unsafe_path', { message: /a backslash/ });
  });

  it('an entry is a symbolic link', async () => {
    const zip = await rawZip([{ name: 'forms/link.txt', data: '../../../etc/passwd', mode: 0o120777 }]);
    await refused(zip, 'pack.unsafe_path', { message: /symbolic link/ });
  });

  it('the zip has too many entries', async () => {
    const entries = Array.from({ length: DEFAULT_LIMITS.maxFiles + 1 }, (_, i) => ({ name: `forms/f${i}.txt`, data: 'x' }));
    await refused(await rawZip(entries), 'pack.too_large', { message: /entries; the limit is 2000/ });
  });

  it('an entry inflates past the limit (zip bomb), even when its header claims it is small', async () => {
    const bomb = Buffer.alloc(DEFAULT_LIMITS.maxFileBytes + 1, 0x20);
    const honest = await rawZip([{ name: 'forms/bomb.txt', data: bomb }]);
    expect(honest.length).toBeLessThan(100_000);
    await refused(honest, 'pack.too_large', { message: /inflates to more than/ });
    // The central directory claims 10 bytes: the reader counts what it inflates instead.
    const lying = Buffer.from(honest);
    const cd = lying.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    lying.writeUInt32LE(10, cd + 24);
    await refused(lying, 'pack.too_large', { message: /inflates to more than/ });
  });

  it('the files together inflate past the total limit', async () => {
    const part = Buffer.alloc(DEFAULT_LIMITS.maxFileBytes - 1, 0x20);
    const count = Math.ceil(DEFAULT_LIMITS.maxTotalBytes / part.length) + 1;
    const zip = await rawZip(Array.from({ length: count }, (_, i) => ({ name: `forms/p${i}.txt`, data: part })));
    await refused(zip, 'pack.too_large', { message: /the files inflate to more than/ });
  });

  it('a procedure file is not JSON', async () => {
    await refused(await fixturePack({ extraFiles: { 'procedures/broken.json': '{ "code": ' } }), 'pack.invalid_content', {
      message: /procedures\/broken.json: not valid JSON/,
    });
  });

  it('a procedure file breaks the schema (file and field named)', async () => {
    const bad = procedure('9.000001', 'p-one', { onlineLevel: 'sometimes' as 'full' });
    const err = await refused(await fixturePack({ procedures: [bad], diagrams: { 'p-one': diagram('p-one') } }), 'pack.invalid_content', {
      message: /procedures\/9.000001.json: onlineLevel/,
    });
    expect(err.extra?.file).toBe('procedures/9.000001.json');
  });

  it('several files break the schema: every issue of every file is reported at once, each with its JSON path', async () => {
    const one = procedure('9.000001', 'p-one', { onlineLevel: 'sometimes' as 'full', levels: [] });
    const two = procedure('9.000002', 'p-two');
    (two.cases[0] as { documents: unknown[] }).documents = [{ name: 'Tờ khai', originals: -1 }];
    const err = await refused(await fixturePack({ procedures: [one, two] }), 'pack.invalid_content', {
      message:
        /procedures\/9.000001.json: levels: .*procedures\/9.000001.json: onlineLevel: .*procedures\/9.000002.json: cases.0.documents.0/,
    });
    expect(err.extra?.files).toEqual(['procedures/9.000001.json', 'procedures/9.000002.json']);
    expect((err.extra?.issues as { file: string; path: string }[]).map((i) => `${i.file}#${i.path}`)).toEqual([
      'procedures/9.000001.json#levels',
      'procedures/9.000001.json#onlineLevel',
      'procedures/9.000002.json#cases.0.documents.0.originals',
      'procedures/9.000002.json#cases.0.documents.0.copies',
    ]);
    expect(err.extra?.issueCount).toBe(4);
  });

  it('a file with very many issues: the error carries the first 100 and says how many there were', async () => {
    const many = procedure('9.000001', 'p-one', { legalBasis: Array.from({ length: 80 }, () => ({}) as never) });
    const err = await refused(await fixturePack({ procedures: [many], diagrams: { 'p-one': diagram('p-one') } }), 'pack.invalid_content', {
      message: /legalBasis.0.number: .*; and 150 more$/,
    });
    expect(err.extra?.issues).toHaveLength(100);
    expect(err.extra?.issueCount).toBe(160);
  });

  it('a procedure names a form, result template or print template the pack does not carry: the dry run refuses it as the import does', async () => {
    const dangling = procedure('9.000001', 'p-one', {
      results: [{ name: 'Bản sao', template: 'templates/khong-co.hbs' }],
      templates: [{ key: 'phieu', name: 'Phiếu', file: 'templates/phieu.hbs' }],
    });
    dangling.cases[0].documents[0].form = 'forms/khong-co.pdf';
    const zip = await fixturePack({ procedures: [dangling], diagrams: { 'p-one': diagram('p-one') } });
    const expected = [
      { file: 'procedures/9.000001.json', path: 'cases.0.documents.0.form', message: 'forms/khong-co.pdf is not in the pack' },
      { file: 'procedures/9.000001.json', path: 'results.0.template', message: 'templates/khong-co.hbs is not in the pack' },
      { file: 'procedures/9.000001.json', path: 'templates.0.file', message: 'templates/phieu.hbs is not in the pack' },
    ];
    const dry = await importPack(ctx.t.platform.services, acting, { zip, mapping: demoMapping, dryRun: true }).catch((e: unknown) => e);
    expect(dry).toBeInstanceOf(AppError);
    expect((dry as AppError).extra?.issues).toEqual(expected);
    const err = await refused(zip, 'pack.invalid_content', { message: /cases.0.documents.0.form: forms\/khong-co.pdf is not in the pack/ });
    expect(err.extra?.issues).toEqual(expected);
  });

  it('a case\'s definitionKey is not the process id of its diagram: both ids are named, not "deploy the diagram first"', async () => {
    const zip = await fixturePack({
      procedures: [procedure('9.000001', 'p-one'), procedure('9.000002', 'p-zwei', { name: 'Hai' })],
      diagrams: { 'p-one': diagram('p-one'), 'p-zwei': diagram('p-two') },
    });
    for (const dryRun of [true, false]) {
      const before = await snapshot();
      const err = await importPack(ctx.t.platform.services, acting, { zip, mapping: demoMapping, dryRun }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('pack.definition_key_mismatch');
      expect((err as AppError).message).toBe(
        'procedures/9.000002.json: cases.0.process.definitionKey: "p-zwei" is not the id of a process in diagrams/p-zwei.bpmn (process id: "p-two"): definitionKey must equal the BPMN process id',
      );
      expect(await snapshot()).toEqual(before);
    }
  });

  it('a diagram holds a script task the engine refuses', async () => {
    const zip = await fixturePack({ diagrams: { 'p-one': scriptDiagram('p-one'), 'p-two': diagram('p-two') } });
    await refused(zip, 'bpmn.script_refused', { message: /^diagrams\/p-one.bpmn: / });
  });

  it('it needs a service-task handler topic no plugin provides', async () => {
    await refused(await fixturePack({ header: { requires: { handlers: ['notify.send-sms'] } } }), 'pack.requirement_missing', {
      message: /notify.send-sms/,
    });
  });

  it('it needs a plugin that is not enabled, or a newer platform', async () => {
    await refused(await fixturePack({ header: { requires: { plugins: { queue: '^1.0.0' } } } }), 'pack.requirement_missing', {
      message: /plugin "queue"/,
    });
    await refused(await fixturePack({ header: { requires: { platform: '>=99.0.0' } } }), 'pack.requirement_missing', {
      message: /needs motcua >=99.0.0/,
    });
  });

  it('a placeholder is not mapped', async () => {
    const { '{{fee:copy}}': _fee, ...partial } = demoMapping;
    const err = await refused(await fixturePack(), 'pack.unmapped_placeholder', { mapping: partial, message: /\{\{fee:copy\}\}/ });
    expect(err.extra?.placeholders).toEqual(['{{fee:copy}}']);
  });

  it('a procedure or diagram uses a placeholder the manifest does not declare, even when the mapping maps it', async () => {
    const zip = await fixturePack({
      procedures: [
        procedure('9.000001', 'p-one', { conditions: 'Nộp tại {{agency:ward}}' }),
        procedure('9.000002', 'p-two', { description: 'Phí {{fee:extra}}' }),
      ],
      diagrams: { 'p-one': diagram('p-one', { role: '{{role:leader}}' }), 'p-two': diagram('p-two') },
    });
    const mapping = { ...demoMapping, '{{agency:ward}}': 'DEMO.STP', '{{role:leader}}': 'leader', '{{fee:extra}}': 1 };
    const err = await refused(zip, 'pack.invalid_content', { mapping, message: /does not declare: \{\{role:leader\}\}/ });
    expect(err.extra?.issues).toEqual([
      { file: 'diagrams/p-one.bpmn', path: '', message: 'uses placeholders the manifest does not declare: {{role:leader}}' },
      { file: 'procedures/9.000001.json', path: '', message: 'uses placeholders the manifest does not declare: {{agency:ward}}' },
      { file: 'procedures/9.000002.json', path: '', message: 'uses placeholders the manifest does not declare: {{fee:extra}}' },
    ]);
  });

  it('a placeholder maps to the wrong kind of value', async () => {
    await refused(await fixturePack(), 'pack.mapping_invalid', {
      mapping: { ...demoMapping, '{{role:civil-status}}': 'chief-wizard' },
      message: /role of this platform/,
    });
  });

  it('several placeholders are wrong: all of them are named at once', async () => {
    const { '{{agency:justice}}': _a, ...rest } = demoMapping;
    const err = await refused(await fixturePack(), 'pack.unmapped_placeholder', {
      mapping: { ...rest, '{{role:civil-status}}': 'chief-wizard', '{{fee:copy}}': 'free' },
      message: /\{\{agency:justice\}\}; also \{\{fee:copy\}\} must map to an amount.*; \{\{role:civil-status\}\} must map to a role/,
    });
    expect(err.extra?.issues).toEqual([
      { path: '{{agency:justice}}', message: 'not mapped' },
      { path: '{{fee:copy}}', message: expect.stringMatching(/amount in đồng/) },
      { path: '{{role:civil-status}}', message: expect.stringMatching(/role of this platform/) },
    ]);
    const wrong = await refused(await fixturePack(), 'pack.mapping_invalid', {
      mapping: { ...demoMapping, '{{role:civil-status}}': 'chief-wizard', '{{fee:copy}}': 'free' },
    });
    expect((wrong.extra?.issues as { path: string }[]).map((i) => i.path)).toEqual(['{{fee:copy}}', '{{role:civil-status}}']);
  });

  it('its sequence is not higher than the installed one (rollback)', async () => {
    const svc = ctx.t.platform.services;
    const v2 = await fixturePack({ header: { id: 'vn.test.rollback', version: '2.0.0', sequence: 2 } });
    expect((await importPack(svc, acting, { zip: v2, mapping: demoMapping })).status).toBe('installed');
    await refused(await fixturePack({ header: { id: 'vn.test.rollback', version: '1.0.0', sequence: 1 } }), 'pack.rollback', {
      message: /sequence 1 is not higher than the installed sequence 2/,
    });
    // The same sequence with other content is a rollback too; the same pack again is "already installed".
    await refused(await fixturePack({ header: { id: 'vn.test.rollback', version: '2.0.1', sequence: 2 } }), 'pack.rollback');
    const before = await snapshot();
    expect((await importPack(svc, acting, { zip: v2, mapping: demoMapping })).status).toBe('already_installed');
    expect(await snapshot()).toEqual(before);
  });
});
