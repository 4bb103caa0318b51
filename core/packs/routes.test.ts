import { beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, useTestPlatform, type TestClient } from '../../tests/support/platform.ts';
import { openPack, signPack, verifyPack } from './pack.ts';
import { demoMapping, fixturePack, testKeys, testPrivateKey, testPublicKey } from '../../tests/support/test-packs.ts';

const ctx = useTestPlatform();
let admin: TestClient;
let analyst: TestClient;

async function upload(client: TestClient, zip: Buffer, query = ''): Promise<Response> {
  const headers: Record<string, string> = { ...client.headers, 'content-type': 'application/zip' };
  if (client.cookie) headers.cookie = client.cookie;
  return ctx.t.platform.app.request(`${ORIGIN}/api/packs${query}`, { method: 'POST', headers, body: new Uint8Array(zip) });
}

const mappingQuery = `mapping=${encodeURIComponent(JSON.stringify(demoMapping))}`;

beforeAll(async () => {
  admin = await ctx.t.login('admin');
  analyst = await ctx.t.login('analyst');
});

describe('pack API', () => {
  it('only admins manage trusted keys; a key is trusted, listed and revoked', async () => {
    expect(
      (await analyst.post('/api/packs/keys', { publicKey: testKeys.publicKeyPem, publisherName: 'Tỉnh Thử', province: 'TT' })).status,
    ).toBe(403);
    const bad = await admin.post('/api/packs/keys', { publicKey: 'not a key', publisherName: 'Tỉnh Thử', province: 'TT' });
    expect(bad.status).toBe(422);
    expect((await bad.json()).code).toBe('pack.key_invalid');
    const res = await admin.post('/api/packs/keys', { publicKey: testKeys.publicKeyPem, publisherName: 'Tỉnh Thử', province: 'TT' });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ keyId: testKeys.keyId, publisherName: 'Tỉnh Thử', trustedBy: 'admin', revokedAt: null });
    expect(
      (await admin.post('/api/packs/keys', { publicKey: testKeys.publicKeyPem, publisherName: 'Tỉnh Thử', province: 'TT' })).status,
    ).toBe(409);
    expect((await (await admin.get('/api/packs/keys')).json()).map((k: { keyId: string }) => k.keyId)).toEqual([testKeys.keyId]);
  });

  it('a dry run answers the report; apply installs; the list shows the pack', async () => {
    const zip = await fixturePack();
    const dry = await upload(admin, zip, `?dryRun=true&${mappingQuery}`);
    expect(dry.status).toBe(200);
    expect(await dry.json()).toMatchObject({ status: 'dry_run', counts: { new: 2 } });
    expect(await (await admin.get('/api/packs')).json()).toEqual([]);
    const applied = await upload(admin, zip, `?${mappingQuery}`);
    expect(applied.status).toBe(201);
    expect(await applied.json()).toMatchObject({ status: 'installed', counts: { new: 2 } });
    const list = await (await admin.get('/api/packs')).json();
    expect(list).toMatchObject([
      {
        packId: 'vn.test.fixture',
        version: '1.0.0',
        publisher: { name: 'Tỉnh Thử', province: 'TT', keyId: testKeys.keyId },
        installedBy: 'admin',
      },
    ]);
    expect(list[0].installedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const again = await upload(admin, zip, `?${mappingQuery}`);
    expect(again.status).toBe(200);
    expect((await again.json()).status).toBe('already_installed');
  });

  it('refusals are problems with their code: unmapped placeholder, not a zip, wrong type, no permission', async () => {
    const unmapped = await upload(admin, await fixturePack({ header: { id: 'vn.test.other' } }));
    expect(unmapped.status).toBe(422);
    expect(await unmapped.json()).toMatchObject({
      code: 'pack.unmapped_placeholder',
      detail: expect.stringContaining('{{agency:justice}}'),
    });
    const junk = await upload(admin, Buffer.from('this is not a zip'));
    expect(junk.status).toBe(400);
    expect((await junk.json()).code).toBe('pack.malformed');
    const badMapping = await upload(admin, await fixturePack(), '?mapping=%7B');
    expect((await badMapping.json()).code).toBe('pack.mapping_invalid');
    expect((await upload(analyst, await fixturePack())).status).toBe(403);
  });

  it('a body over the limit is refused with 413 before it is read', async () => {
    const limit = ctx.t.platform.services.config.bodyLimitBytes;
    const res = await upload(admin, Buffer.alloc(limit + 1, 1));
    expect(res.status).toBe(413);
    expect((await res.json()).code).toBe('request.too_large');
  });

  it('export gives an unsigned pack of the chosen procedures that `pack sign` makes importable', async () => {
    const res = await analyst.get('/api/packs/export?codes=9.000002&id=vn.test.export&sequence=7');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const zip = Buffer.from(await res.arrayBuffer());
    const opened = await openPack(zip);
    expect(opened.signature).toBeNull();
    expect([...opened.files.keys()].sort()).toEqual([
      'diagrams/p-two.bpmn',
      'forms/to-khai.txt',
      'procedures/9.000002.json',
      'templates/ket-qua.hbs',
    ]);
    const signed = await signPack(zip, testPrivateKey);
    expect(verifyPack(await openPack(signed.zip), testPublicKey).manifest).toMatchObject({
      id: 'vn.test.export',
      sequence: 7,
      publisher: { keyId: testKeys.keyId, province: 'DEMO' },
    });
    const imported = await upload(admin, signed.zip);
    expect(imported.status).toBe(201);
    expect(await imported.json()).toMatchObject({ counts: { new: 0, updated: 0, unchanged: 1 } });
    expect((await analyst.get('/api/packs/export?codes=0.000000')).status).toBe(404);
    // What the manifest would refuse is refused up front, naming the parameter.
    for (const query of ['publisher=', 'publisher=%20', 'province=', 'province=a%20b', 'version=x', 'id=A']) {
      const bad = await analyst.get(`/api/packs/export?${query}`);
      expect(bad.status, query).toBe(400);
      expect(await bad.json(), query).toMatchObject({ code: 'request.invalid' });
    }
  });

  it('a revoked key no longer imports', async () => {
    const res = await admin.post(`/api/packs/keys/${testKeys.keyId}/revoke`);
    expect(res.status).toBe(200);
    expect((await res.json()).revokedBy).toBe('admin');
    const refused = await upload(admin, await fixturePack({ header: { version: '1.0.1', sequence: 2 } }), `?${mappingQuery}`);
    expect(refused.status).toBe(422);
    expect((await refused.json()).code).toBe('pack.untrusted_key');
  });
});
