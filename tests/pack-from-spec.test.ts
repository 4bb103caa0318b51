import { beforeAll, describe, expect, it } from 'vitest';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import yazl from 'yazl';
import { ORIGIN, useTestPlatform, type TestClient } from './support/platform.ts';
import { specExample } from './support/spec-examples.ts';

/**
 * Issue 17, point 8: a pack can be made from docs/pack-format.md alone. The builder below is
 * written from the specification only: node:crypto and the zip library, nothing from
 * core/packs. Its procedure and diagram are the specification's own examples. The platform
 * then verifies and imports the pack over HTTP, as another province would.
 */

// §4: Ed25519; key id = first 16 hex digits of SHA-256 of the raw 32-byte public key (last 32 bytes of the SPKI DER).
function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256')
    .update(der.subarray(der.length - 32))
    .digest('hex')
    .slice(0, 16);
}

// §1: one zip; manifest.json, manifest.sig and files in the five folders.
function zip(entries: Map<string, Buffer>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, data] of entries) z.addBuffer(data, name);
  z.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    z.outputStream.on('error', reject);
  });
}

interface Built {
  zip: Buffer;
  files: Map<string, Buffer>;
  manifest: Buffer;
  signature: Buffer;
}

async function buildFromSpec(privateKey: KeyObject, publicKey: KeyObject, files: Map<string, Buffer>): Promise<Built> {
  // §2: every other file with its SHA-256 (lower-case hex) and size; placeholders declared (§5).
  const manifest = {
    format: 'motcua-pack/1',
    id: 'vn.another-province.spec',
    name: 'Gói dựng theo đặc tả',
    version: '1.0.0',
    sequence: 1,
    publisher: { name: 'Tỉnh Khác', province: 'TK', keyId: keyIdOf(publicKey) },
    createdAt: '2026-03-01T09:00:00+07:00',
    requires: { platform: '>=0.1.0', plugins: {}, handlers: [] },
    files: [...files].map(([path, data]) => ({ path, sha256: createHash('sha256').update(data).digest('hex'), size: data.length })),
    placeholders: [
      { token: '{{agency:civil-status}}', kind: 'agency', description: 'Ủy ban nhân dân cấp xã' },
      { token: '{{fee:copy}}', kind: 'fee', description: 'Phí cấp bản sao trích lục' },
      { token: '{{role:civil-status}}', kind: 'role', description: 'Công chức tư pháp - hộ tịch' },
    ],
  };
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  // §4: manifest.sig = base64 of the Ed25519 signature of the exact manifest bytes, one line.
  const signature = Buffer.from(`${sign(null, manifestBytes, privateKey).toString('base64')}\n`);
  const entries = new Map([['manifest.json', manifestBytes], ['manifest.sig', signature], ...files]);
  return { zip: await zip(entries), files, manifest: manifestBytes, signature };
}

const ctx = useTestPlatform();
let admin: TestClient;
const keys = generateKeyPairSync('ed25519');
const mapping = { '{{agency:civil-status}}': 'DEMO.STP', '{{fee:copy}}': 8000, '{{role:civil-status}}': 'specialist' };
let built: Built;

async function upload(body: Buffer, query: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { ...admin.headers, 'content-type': 'application/zip', cookie: admin.cookie ?? '' };
  const res = await ctx.t.platform.app.request(`${ORIGIN}/api/packs?${query}&mapping=${encodeURIComponent(JSON.stringify(mapping))}`, {
    method: 'POST',
    headers,
    body: new Uint8Array(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  admin = await ctx.t.login('admin');
  const files = new Map<string, Buffer>([
    ['procedures/9.000001.json', Buffer.from(specExample('procedure'))],
    ['diagrams/cap-ban-sao.bpmn', Buffer.from(specExample('diagram'))],
    ['forms/to-khai.pdf', Buffer.from('%PDF-1.4\n% tờ khai\n')],
    ['templates/ban-sao.hbs', Buffer.from('<h1>{{tenGiayTo}}</h1>\n')],
  ]);
  built = await buildFromSpec(keys.privateKey, keys.publicKey, files);
  const pem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const trusted = await admin.post('/api/packs/keys', { publicKey: pem, publisherName: 'Tỉnh Khác', province: 'TK' });
  expect(trusted.status).toBe(201);
  expect((await trusted.json()).keyId).toBe(keyIdOf(keys.publicKey));
});

describe('a pack built from the specification alone', () => {
  it('passes the dry run, which lists the procedure, the definition, the form, the template and the placeholders', async () => {
    const dry = await upload(built.zip, 'dryRun=true');
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body).toMatchObject({
      status: 'dry_run',
      procedures: [{ code: '9.000001', outcome: 'new', version: 1, file: 'procedures/9.000001.json' }],
      diagrams: [{ file: 'diagrams/cap-ban-sao.bpmn', definitions: [{ key: 'cap-ban-sao', version: 1, outcome: 'new' }], warnings: [] }],
      assets: [
        { file: 'forms/to-khai.pdf', outcome: 'new' },
        { file: 'templates/ban-sao.hbs', outcome: 'new' },
      ],
      skipped: [],
      counts: { new: 1, updated: 0, unchanged: 0 },
    });
    expect(dry.body.placeholders).toEqual([
      { token: '{{agency:civil-status}}', description: 'Ủy ban nhân dân cấp xã', mappedTo: 'DEMO.STP' },
      { token: '{{fee:copy}}', description: 'Phí cấp bản sao trích lục', mappedTo: 8000 },
      { token: '{{role:civil-status}}', description: 'Công chức tư pháp - hộ tịch', mappedTo: 'specialist' },
    ]);
    expect((await admin.get('/api/procedures/9.000001')).status).toBe(404);
  });

  it('is refused when tampered with: a changed file, a changed manifest', async () => {
    const changedFile = new Map(built.files);
    changedFile.set('forms/to-khai.pdf', Buffer.from('%PDF-1.4\n% tờ khaI\n'));
    const a = await upload(
      await zip(new Map([['manifest.json', built.manifest], ['manifest.sig', built.signature], ...changedFile])),
      'dryRun=true',
    );
    expect([a.status, a.body.code]).toEqual([422, 'pack.file_mismatch']);
    const manifest = Buffer.from(built.manifest.toString().replace('"sequence": 1', '"sequence": 2'));
    const b = await upload(await zip(new Map([['manifest.json', manifest], ['manifest.sig', built.signature], ...built.files])), '');
    expect([b.status, b.body.code]).toEqual([422, 'pack.bad_signature']);
    expect((await admin.get('/api/packs')).status).toBe(200);
    expect(await (await admin.get('/api/packs')).json()).toEqual([]);
  });

  it('imports: the procedure is published with the placeholders mapped, bound to the diagram deployed from the pack', async () => {
    const res = await upload(built.zip, 'dryRun=false');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'installed', counts: { new: 1 } });
    const detail = await admin.get('/api/procedures/9.000001');
    expect(detail.status).toBe(200);
    const body = JSON.stringify(await detail.json());
    expect(body).toContain('"code":"DEMO.STP"');
    expect(body).toContain('"amount":8000');
    expect(body).toContain('"definitionKey":"cap-ban-sao"');
    expect(body).not.toContain('{{');
    expect(await (await admin.get('/api/packs')).json()).toMatchObject([
      { packId: 'vn.another-province.spec', sequence: 1, publisher: { keyId: keyIdOf(keys.publicKey) } },
    ]);
  });
});
