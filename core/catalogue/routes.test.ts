import { beforeAll, describe, expect, it } from 'vitest';
import { useTestPlatform, type TestClient } from '../../tests/support/platform.ts';
import { deployFixture, FIXTURE_PROCESS, procedureDoc } from './fixtures/documents.ts';

const ctx = useTestPlatform();
const CODE = '1.001193';
const birth = (description = 'Đăng ký khai sinh cho trẻ em sinh ra tại Việt Nam.') => ({
  ...procedureDoc({ code: CODE, name: 'Đăng ký khai sinh', description }),
  levels: ['commune'],
});

interface VersionView {
  version: number;
  status: string;
  effectiveFrom: string | null;
  effectiveTo: string | null;
  supersededBy: number | null;
}
interface Detail {
  code: string;
  status: string;
  lockVersion: number;
  publishedVersion: number | null;
  draftVersion: number | null;
  latestVersion: number;
  current: VersionView & {
    document: { description?: string };
    bindings: { caseKey: string; definitionKey: string; definitionVersion: number }[];
  };
  versions: VersionView[];
}

let analyst: TestClient;
let clerk: TestClient;
beforeAll(async () => {
  analyst = await ctx.t.login('analyst');
  clerk = await ctx.t.login('clerk');
});

async function ok<T>(res: Response, status = 200): Promise<T> {
  const body = await res.text();
  expect(res.status, body).toBe(status);
  return JSON.parse(body) as T;
}
async function problem(res: Response, status: number, code: string): Promise<{ detail?: string; issues?: { path: string }[] }> {
  const body = await res.json();
  expect([res.status, body.code], JSON.stringify(body)).toEqual([status, code]);
  return body;
}
const detail = (client: TestClient = analyst) => client.get(`/api/procedures/${CODE}`);
const put = (body: unknown, headers?: Record<string, string>) => analyst.request('PUT', `/api/procedures/${CODE}`, body, headers);

describe('Procedure lifecycle through the API', () => {
  it('Given an analyst, When she creates a procedure, Then it is draft version 1 that clerks cannot see yet', async () => {
    const p = await ok<Detail>(await analyst.post('/api/procedures', birth(), { 'x-request-id': 'cat-create' }), 201);
    expect(p).toMatchObject({ code: CODE, status: 'draft', lockVersion: 1, latestVersion: 1, draftVersion: 1, publishedVersion: null });
    expect(p.versions.map((v) => [v.version, v.status])).toEqual([[1, 'draft']]);
    await problem(await detail(clerk), 404, 'catalogue.not_found');
    await problem(await analyst.post('/api/procedures', birth()), 409, 'catalogue.exists');
    const [audit] = await ctx.t.platform.services.db
      .em()
      .execute<{ action: string }[]>('SELECT action FROM audit_log WHERE request_id = ?', ['cat-create']);
    expect(audit.action).toBe('procedure.created');
  });

  it('When she publishes before the process is deployed, Then 422 names the case field and nothing changes', async () => {
    const body = await problem(
      await analyst.post(`/api/procedures/${CODE}/publish`, { lockVersion: 1 }),
      422,
      'catalogue.definition_not_deployed',
    );
    expect(body.issues?.[0].path).toBe('cases.0.process.definitionKey');
    expect(await ok<Detail>(await detail())).toMatchObject({ status: 'draft', lockVersion: 1 });
  });

  it('When the process is deployed and she publishes, Then version 1 is published from today with its definition pinned', async () => {
    const defVersion = await deployFixture(ctx.t);
    const p = await ok<Detail>(
      await analyst.post(`/api/procedures/${CODE}/publish`, { lockVersion: 1 }, { 'x-request-id': 'cat-publish' }),
    );
    expect(p).toMatchObject({ status: 'published', publishedVersion: 1, draftVersion: null, lockVersion: 2 });
    expect(p.current).toMatchObject({ version: 1, status: 'published', effectiveFrom: '2026-03-02', effectiveTo: null });
    expect(p.current.bindings).toEqual([{ caseKey: 'standard', definitionKey: FIXTURE_PROCESS, definitionVersion: defVersion }]);
    expect((await detail(clerk)).status).toBe(200);
    expect((await detail()).headers.get('etag')).toBe('"2"');
  });

  it('When she edits the published procedure, Then version 2 is a new draft, version 1 stays current, clerks see only version 1', async () => {
    const p = await ok<Detail>(await put({ lockVersion: 2, document: birth('Mô tả sửa đổi lần 1.') }));
    expect(p).toMatchObject({ status: 'published', publishedVersion: 1, draftVersion: 2, latestVersion: 2, lockVersion: 3 });
    expect(p.current.version).toBe(1);
    expect(p.versions.map((v) => [v.version, v.status])).toEqual([
      [1, 'published'],
      [2, 'draft'],
    ]);
    const seen = await ok<Detail>(await detail(clerk));
    expect(seen.versions.map((v) => v.version)).toEqual([1]);
    await problem(await clerk.get(`/api/procedures/${CODE}/versions/2`), 404, 'catalogue.not_found');
  });

  it('When a stale lockVersion is sent, Then 409 conflict.stale and the draft is unchanged; a fresh one saves the same draft', async () => {
    await problem(await put({ lockVersion: 2, document: birth('Bản sửa từ dữ liệu cũ.') }), 409, 'conflict.stale');
    const v2 = await ok<{ document: { description: string } }>(await analyst.get(`/api/procedures/${CODE}/versions/2`));
    expect(v2.document.description).toBe('Mô tả sửa đổi lần 1.');
    const p = await ok<Detail>(await put({ lockVersion: 3, document: birth('Mô tả sửa đổi lần 2.') }));
    expect(p).toMatchObject({ draftVersion: 2, latestVersion: 2, lockVersion: 4 });
  });

  it('When two editors save with the same lockVersion at once, Then exactly one wins and the other gets 409', async () => {
    const [a, b] = await Promise.all([
      put({ lockVersion: 4, document: birth('Bản A.') }),
      put({ lockVersion: 4, document: birth('Bản B.') }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? 'Bản A.' : 'Bản B.';
    const p = await ok<Detail>(await detail());
    expect(p).toMatchObject({ lockVersion: 5, draftVersion: 2 });
    expect(
      (await ok<{ document: { description: string } }>(await analyst.get(`/api/procedures/${CODE}/versions/2`))).document.description,
    ).toBe(winner);
  });

  it('When she publishes version 2 from a later date, Then version 1 ends that day and the history shows both with their dates', async () => {
    await problem(
      await analyst.post(`/api/procedures/${CODE}/publish`, { lockVersion: 5, effectiveFrom: '2026-02-01' }),
      422,
      'catalogue.invalid_dates',
    );
    const p = await ok<Detail>(await analyst.post(`/api/procedures/${CODE}/publish`, { lockVersion: 5, effectiveFrom: '2026-03-10' }));
    expect(p).toMatchObject({ status: 'published', publishedVersion: 2, draftVersion: null });
    expect(p.versions.map((v) => [v.version, v.status, v.effectiveFrom, v.effectiveTo, v.supersededBy])).toEqual([
      [1, 'retired', '2026-03-02', '2026-03-10', 2],
      [2, 'published', '2026-03-10', null, null],
    ]);
    const v1 = await ok<{ document: { description: string }; status: string }>(await clerk.get(`/api/procedures/${CODE}/versions/1`));
    expect(v1).toMatchObject({ status: 'retired', document: { description: 'Đăng ký khai sinh cho trẻ em sinh ra tại Việt Nam.' } });
  });

  it('When she retires it from 1 April, Then the default search finds it until then and not after, and it shows under status=retired', async () => {
    await problem(
      await analyst.post(`/api/procedures/${CODE}/retire`, { lockVersion: 6, effectiveTo: '2026-03-01' }),
      422,
      'catalogue.invalid_dates',
    );
    const p = await ok<Detail>(await analyst.post(`/api/procedures/${CODE}/retire`, { lockVersion: 6, effectiveTo: '2026-04-01' }));
    expect(p).toMatchObject({ status: 'retired', publishedVersion: null });
    expect(p.versions.at(-1)).toMatchObject({ version: 2, status: 'retired', effectiveTo: '2026-04-01', supersededBy: null });
    // Still in force in March (today): citizens and clerks find it until the day it ends.
    expect((await ok<{ total: number }>(await clerk.get('/api/procedures?q=khai%20sinh'))).total).toBe(1);
    expect((await ok<{ total: number }>(await clerk.get('/api/procedures?q=khai%20sinh&on=2026-03-31'))).total).toBe(1);
    expect((await ok<{ total: number }>(await clerk.get('/api/procedures?q=khai%20sinh&on=2026-04-01'))).total).toBe(0);
    expect((await ok<{ total: number }>(await clerk.get('/api/procedures?q=khai%20sinh&status=published'))).total).toBe(0);
    const retired = await ok<{ items: { code: string; version: number }[] }>(
      await clerk.get('/api/procedures?q=khai%20sinh&status=retired'),
    );
    expect(retired.items).toEqual([expect.objectContaining({ code: CODE, version: 2 })]);
    await problem(await analyst.post(`/api/procedures/${CODE}/retire`, { lockVersion: 7 }), 409, 'catalogue.not_published');
    const actions = await ctx.t.platform.services.db
      .em()
      .execute<{ action: string }[]>("SELECT action FROM audit_log WHERE target_type = 'procedure' AND target_id = ? ORDER BY id", [CODE]);
    expect(actions.map((a) => a.action)).toEqual([
      'procedure.created',
      'procedure.published',
      'procedure.draft_saved',
      'procedure.draft_saved',
      'procedure.draft_saved',
      'procedure.published',
      'procedure.retired',
    ]);
  });
});

describe('Validation and permissions', () => {
  it('An invalid document is refused with 400 naming each field', async () => {
    const bad = { ...procedureDoc({ code: '1.000123', name: 'Thủ tục lỗi' }) } as Record<string, unknown> & {
      cases: { channels: unknown[] }[];
    };
    bad.cases[0].channels = [];
    bad.onlineLevel = 'sometimes';
    const body = await problem(await analyst.post('/api/procedures', bad), 400, 'request.invalid');
    expect(body.issues?.map((i) => i.path).sort()).toEqual(['cases.0.channels', 'onlineLevel']);
    const badCode = await problem(
      await analyst.post('/api/procedures', procedureDoc({ code: 'abc', name: 'Mã sai' })),
      400,
      'request.invalid',
    );
    expect(badCode.issues?.map((i) => i.path)).toEqual(['code']);
  });

  it('A document whose code differs from the path is refused (422 document.code)', async () => {
    await ok(await analyst.post('/api/procedures', procedureDoc({ code: '1.000124', name: 'Thủ tục A' })), 201);
    const body = await problem(
      await analyst.request('PUT', '/api/procedures/1.000124', {
        lockVersion: 1,
        document: procedureDoc({ code: '1.000125', name: 'Thủ tục A' }),
      }),
      422,
      'catalogue.code_mismatch',
    );
    expect(body.issues?.[0].path).toBe('document.code');
  });

  it('Publishing with an agency code that is not a unit is refused naming the field', async () => {
    await ok(await analyst.post('/api/procedures', procedureDoc({ code: '1.000126', name: 'Thủ tục B', agency: 'KHONG.CO' })), 201);
    const body = await problem(await analyst.post('/api/procedures/1.000126/publish', { lockVersion: 1 }), 422, 'catalogue.unknown_agency');
    expect(body.issues?.[0].path).toBe('agencies.implementing.0.code');
  });

  it('A clerk reads the catalogue but cannot create, edit, publish, retire or search drafts', async () => {
    expect((await clerk.get('/api/procedures')).status).toBe(200);
    expect((await clerk.get('/api/sectors')).status).toBe(200);
    expect((await clerk.get('/api/agencies')).status).toBe(200);
    await problem(await clerk.post('/api/procedures', procedureDoc({ code: '1.000127', name: 'Thủ tục C' })), 403, 'auth.forbidden');
    await problem(
      await clerk.request('PUT', '/api/procedures/1.000124', {
        lockVersion: 1,
        document: procedureDoc({ code: '1.000124', name: 'Thủ tục A' }),
      }),
      403,
      'auth.forbidden',
    );
    await problem(await clerk.post('/api/procedures/1.000124/publish', { lockVersion: 1 }), 403, 'auth.forbidden');
    await problem(await clerk.post(`/api/procedures/${CODE}/retire`, { lockVersion: 6 }), 403, 'auth.forbidden');
    await problem(await clerk.get('/api/procedures?status=draft'), 403, 'auth.forbidden');
    await problem(await ctx.t.client().get('/api/procedures'), 401, 'auth.required');
  });

  it('Sectors and agencies list what published procedures use', async () => {
    await ok(await analyst.post('/api/procedures/1.000124/publish', { lockVersion: 1 }));
    const sectors = await ok<{ code: string; name: string; procedures: number }[]>(await clerk.get('/api/sectors'));
    expect(sectors).toEqual([{ code: 'HT', name: 'Hộ tịch', procedures: 1 }]);
    const used = await ok<{ code: string; procedures: number }[]>(await clerk.get('/api/agencies?used=true'));
    expect(used).toEqual([expect.objectContaining({ code: 'DEMO.XA.AN-BINH', procedures: 1 })]);
    const all = await ok<{ code: string }[]>(await clerk.get('/api/agencies'));
    expect(all.map((a) => a.code)).toContain('DEMO.STP');
  });
});
