import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import { applicant, complete, procedure, publish } from './fixtures/procedures.ts';
import { hostile, jpeg, pdf, png, tiff } from './fixtures/scans.ts';
import type { DossierView } from './service.ts';
import type { AttachmentView } from './attachment-view.ts';

const LIMIT = 2 * 1024 * 1024; // above the app's 1 MiB body limit: the route's own limit applies
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url), config: { attachmentMaxBytes: LIMIT } });
const { deploy } = h.process({ as: () => clerk });
let clerk: TestClient;
let specialist: TestClient;
let admin: TestClient;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function dossier(body: Record<string, unknown> = {}): Promise<DossierView> {
  const res = await clerk.post('/api/dossiers', {
    procedureCode: '1.900001',
    caseKey: 'standard',
    channel: 1,
    applicant,
    outcome: 'receive',
    components: complete,
    ...body,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as DossierView;
}

function upload(code: string, bytes: Buffer, name: string, o: { as?: TestClient; component?: string; type?: string } = {}) {
  const q = new URLSearchParams({ name, ...(o.component && { component: o.component }) });
  return (o.as ?? clerk).post(`/api/dossiers/${encodeURIComponent(code)}/attachments?${q}`, new Uint8Array(bytes), {
    'content-type': o.type ?? 'application/pdf',
  });
}

async function uploaded(code: string, bytes: Buffer, name: string, o: { component?: string } = {}): Promise<AttachmentView> {
  const res = await upload(code, bytes, name, o);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as AttachmentView;
}

async function stored(dossierId: string): Promise<{ attachments: number; blobs: number }> {
  const em = h.em();
  const [a] = await em.execute<{ n: number }[]>('SELECT COUNT(*) AS n FROM dossier_attachments WHERE dossier_id = ?', [dossierId]);
  const [b] = await em.execute<{ n: number }[]>('SELECT COUNT(*) AS n FROM dossier_attachment_blobs');
  return { attachments: Number(a.n), blobs: Number(b.n) };
}

beforeAll(async () => {
  clerk = await h.login('clerk');
  specialist = await h.login('specialist');
  admin = await h.login('admin');
  await deploy('registration.bpmn');
  await publish(h.services, [procedure('1.900001')]);
});

describe('Dossier attachments', () => {
  it('Given a received dossier, When the clerk uploads a scan of a component, Then list, detail and download give back its metadata and the very bytes, sha256 equal', async () => {
    const d = await dossier();
    const bytes = pdf('Tờ khai của Nguyễn Văn An', 4096);
    const a = await uploaded(d.code, bytes, 'Tờ khai đăng ký.pdf', { component: d.components[0].id });
    expect(a).toMatchObject({
      componentId: d.components[0].id,
      fileName: 'Tờ khai đăng ký.pdf',
      mediaType: 'application/pdf',
      size: 4096,
      sha256: sha256(bytes),
      uploadedBy: { name: 'clerk' },
    });
    expect(a.uploadedAt).toBe(h.t.clock.now().toISOString());

    const list = await clerk.get(`/api/dossiers/${d.code}/attachments`);
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual([a]);
    const detail = (await (await clerk.get(`/api/dossiers/${d.code}`)).json()) as DossierView;
    expect(detail.attachments).toEqual([a]);

    const res = await clerk.get(`/api/dossiers/${d.code}/attachments/${a.id}`);
    expect(res.status).toBe(200);
    const back = Buffer.from(await res.arrayBuffer());
    expect(back.equals(bytes)).toBe(true);
    expect(sha256(back)).toBe(a.sha256);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; /);

    const audit = await h
      .em()
      .execute<{ action: string; summary: string | object }[]>('SELECT action, summary FROM audit_log WHERE target_id = ? ORDER BY id', [
        d.id,
      ]);
    expect(audit.map((x) => x.action)).toEqual(['dossier.received', 'dossier.attachment_added']);
    const summary = audit[1].summary;
    expect(typeof summary === 'string' ? JSON.parse(summary) : summary).toMatchObject({
      attachmentId: a.id,
      sha256: a.sha256,
      size: 4096,
      mediaType: 'application/pdf',
    });
  });

  it('Given a Vietnamese file name, Then it survives in Content-Disposition (filename* in UTF-8, an ASCII fallback), NFC and without paths or invisible characters', async () => {
    const d = await dossier();
    // decomposed "ộ" (o + U+0323 + U+0302), a path, a right-to-left override that would show "hosofdp.exe" as "hosoexe.pdf"
    const a = await uploaded(
      d.code,
      png(),
      '..\\C:/tmp/Giấy chứng minh nhân dân bản sao có chứng thực – Hộ\u202e.png'.replace('ộ', 'o\u0323\u0302'),
    );
    expect(a.fileName).toBe('Giấy chứng minh nhân dân bản sao có chứng thực – Hộ.png');
    expect(a.mediaType).toBe('image/png');
    const res = await clerk.get(`/api/dossiers/${d.code}/attachments/${a.id}`);
    const disposition = res.headers.get('content-disposition')!;
    const [, encoded] = /filename\*=UTF-8''([^;]+)/.exec(disposition)!;
    expect(decodeURIComponent(encoded)).toBe(a.fileName);
    expect(disposition).toContain('filename="Giay chung minh nhan dan ban sao co chung thuc _ Ho.png"');
    // A name longer than 200 characters is cut, keeping its extension
    const long = await uploaded(d.code, jpeg(), `${'Đơn đề nghị '.repeat(30)}.jpg`);
    expect([...long.fileName]).toHaveLength(200);
    expect(long.fileName.endsWith('.jpg')).toBe(true);
    expect((await uploaded(d.code, tiff(), 'scan.tif')).mediaType).toBe('image/tiff');
  });

  it('Given a body over the attachment limit (announced or streamed), Then 413 with a problem and nothing stored; a scan over the app-wide 1 MiB limit but under its own passes', async () => {
    const d = await dossier();
    const before = await stored(d.id);
    const big = pdf('big', LIMIT + 1);
    const announced = await upload(d.code, big, 'big.pdf', { type: 'application/pdf' });
    expect(announced.status).toBe(413);
    expect(announced.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await announced.json()).toMatchObject({ code: 'request.too_large', limit: LIMIT });
    // Without Content-Length the bytes are counted as they arrive
    const streamed = await h.t.platform.app.request(`/api/dossiers/${d.code}/attachments?name=big.pdf`, {
      method: 'POST',
      headers: { ...clerk.headers, cookie: clerk.cookie!, 'content-type': 'application/pdf' },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < big.length; i += 256 * 1024) controller.enqueue(new Uint8Array(big.subarray(i, i + 256 * 1024)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    // Labelled JSON, so the edge's JSON checks would read it: bounded all the same
    expect((await upload(d.code, big, 'big.json', { type: 'application/json' })).status).toBe(413);
    expect(await stored(d.id)).toEqual(before);
    // Over 1 MiB (the app's limit for every other body), under the attachment limit
    const large = await uploaded(d.code, pdf('large', 1536 * 1024), 'large.pdf');
    expect(large.size).toBe(1536 * 1024);
    // Other routes keep the app-wide limit
    const other = await clerk.post('/api/dossiers', Buffer.alloc(1024 * 1024 + 1, 0x20).toString());
    expect(other.status).toBe(413);
  });

  it('Given a ZIP, an executable, HTML or SVG named .pdf, or a file of no known type, Then 415 dossier.attachment_type and nothing stored; an empty body is 400', async () => {
    const d = await dossier();
    const before = await stored(d.id);
    for (const [kind, make] of Object.entries(hostile)) {
      const res = await upload(d.code, make(), `ho-so-${kind}.pdf`);
      expect(res.status, kind).toBe(415);
      expect(await res.json(), kind).toMatchObject({ code: 'dossier.attachment_type' });
    }
    const zip = await upload(d.code, hostile.zip(), 'x.pdf');
    expect(await zip.json()).toMatchObject({ detected: 'application/zip' });
    const unknown = await upload(d.code, Buffer.from('just some text'), 'notes.pdf', { type: 'text/plain' });
    expect(unknown.status).toBe(415);
    const empty = await upload(d.code, Buffer.alloc(0), 'empty.pdf');
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ code: 'dossier.attachment_empty' });
    const noName = await upload(d.code, pdf(), '\u202e/ ');
    expect(noName.status).toBe(400);
    expect(await noName.json()).toMatchObject({ code: 'request.invalid' });
    expect(await stored(d.id)).toEqual(before);
    const audit = await h.em().execute<{ action: string }[]>('SELECT action FROM audit_log WHERE target_id = ?', [d.id]);
    expect(audit.map((x) => x.action)).toEqual(['dossier.received']);
  });

  it('Given a user of another unit, Then the attachments do not exist for them (404 on list, download and upload, as the dossier: an upload cannot probe for it)', async () => {
    const d = await dossier();
    const a = await uploaded(d.code, pdf('riêng tư'), 'riêng tư.pdf');
    for (const path of [`/api/dossiers/${d.code}/attachments`, `/api/dossiers/${d.code}/attachments/${a.id}`]) {
      const res = await specialist.get(path);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'dossier.not_found' });
    }
    const probe = await upload(d.code, pdf(), 'x.pdf', { as: specialist });
    expect(probe.status).toBe(404);
    expect(await probe.json()).toMatchObject({ code: 'dossier.not_found' });
    // An attachment of another dossier is not found through this one
    const other = await dossier();
    const res = await clerk.get(`/api/dossiers/${other.code}/attachments/${a.id}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'dossier.attachment_not_found' });
  });

  it('Given ten uploads of the same bytes at the same moment, Then all succeed and the bytes are stored once', async () => {
    const d = await dossier();
    const bytes = pdf('cùng một bản quét', 64 * 1024);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => upload(d.code, bytes, `bản ${i + 1}.pdf`)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    const [row] = await h
      .em()
      .execute<{ n: number }[]>('SELECT COUNT(*) AS n FROM dossier_attachment_blobs WHERE sha256 = ?', [sha256(bytes)]);
    expect(Number(row.n)).toBe(1);
    expect((await stored(d.id)).attachments).toBe(10);
  }, 60_000);

  it('Given a scan, When someone else who reads it tries to remove it, Then 403 (404 for one who does not); When the uploader removes it, Then it is gone, audited, and its bytes go once nothing refers to them', async () => {
    const d = await dossier();
    const bytes = pdf('sai trang');
    const a = await uploaded(d.code, bytes, 'sai.pdf');
    const twin = await uploaded(d.code, bytes, 'sai (2).pdf');
    const refused = await admin.delete(`/api/dossiers/${d.code}/attachments/${a.id}`);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'dossier.attachment_not_uploader' });
    expect((await specialist.delete(`/api/dossiers/${d.code}/attachments/${a.id}`)).status).toBe(404);

    expect((await clerk.delete(`/api/dossiers/${d.code}/attachments/${a.id}`)).status).toBe(204);
    const blob = () => h.em().execute<{ n: number }[]>('SELECT COUNT(*) AS n FROM dossier_attachment_blobs WHERE sha256 = ?', [a.sha256]);
    expect(Number((await blob())[0].n)).toBe(1); // the twin still refers to them
    expect((await clerk.get(`/api/dossiers/${d.code}/attachments/${a.id}`)).status).toBe(404);
    expect((await clerk.delete(`/api/dossiers/${d.code}/attachments/${twin.id}`)).status).toBe(204);
    expect(Number((await blob())[0].n)).toBe(0);
    expect(await (await clerk.get(`/api/dossiers/${d.code}/attachments`)).json()).toEqual([]);
    const audit = await h.em().execute<{ action: string }[]>('SELECT action FROM audit_log WHERE target_id = ? ORDER BY id', [d.id]);
    expect(audit.map((x) => x.action)).toEqual([
      'dossier.received',
      'dossier.attachment_added',
      'dossier.attachment_added',
      'dossier.attachment_removed',
      'dossier.attachment_removed',
    ]);
    // And uploaded again after the bytes were dropped: stored afresh
    const again = await uploaded(d.code, bytes, 'sai.pdf');
    const back = await clerk.get(`/api/dossiers/${d.code}/attachments/${again.id}`);
    expect(Buffer.from(await back.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('Given a refused dossier, Then its papers are a closed record: no upload (409); a component of another dossier is refused (422)', async () => {
    const refused = await dossier({ outcome: 'refuse', reasons: ['Không thuộc đối tượng'] });
    const res = await upload(refused.code, pdf(), 'x.pdf');
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'dossier.invalid_transition', status: 3 });
    const d = await dossier();
    const wrong = await upload(d.code, pdf(), 'x.pdf', { component: refused.components[0].id });
    expect(wrong.status).toBe(422);
    expect(await wrong.json()).toMatchObject({ code: 'dossier.invalid_components' });
  });

  it('Given an online submission with a scan of its first component, When the clerk receives it, Then the checklist rows keep their ids and the scan stays attached', async () => {
    const sub = await dossier({ channel: 2, outcome: 'submit', components: [] });
    const a = await uploaded(sub.code, jpeg(), 'to-khai.jpg', { component: sub.components[0].id });
    const res = await clerk.post(`/api/dossiers/${sub.code}/receive`, { outcome: 'receive', components: complete });
    expect(res.status, await res.clone().text()).toBe(200);
    const d = (await res.json()) as DossierView;
    expect(d.components.map((c) => c.id)).toEqual(sub.components.map((c) => c.id));
    expect(d.components[0].received).toBe(true);
    expect(d.attachments).toMatchObject([{ id: a.id, componentId: sub.components[0].id }]);
  });
});
