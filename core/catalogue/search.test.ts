import { beforeAll, describe, expect, it } from 'vitest';
import { useTestPlatform, type TestClient } from '../../tests/support/platform.ts';
import { fold, parseQuery, prefixEnd, searchable, wordSet } from './fold.ts';
import { certifiedCopy, deployFixture, householdBusiness, procedureDoc } from './fixtures/documents.ts';

const ctx = useTestPlatform();
const system = { actor: { id: null, name: 'test' }, requestId: null };
const build = { code: 'XD', name: 'Hoạt động xây dựng' };
const land = { code: 'DD', name: 'Đất đai' };

/** A small catalogue where each ranking rule decides the order of some query. */
const published = [
  householdBusiness(),
  certifiedCopy(),
  procedureDoc({ code: '2.000909', name: 'Chứng thực bản sao từ bản chính', sector: { code: 'CT', name: 'Chứng thực' } }),
  procedureDoc({ code: '1.000901', name: 'Cấp lại bản sao giấy khai sinh', description: 'Thay thế thủ tục 2.000908 khi sổ gốc bị mất.' }),
  procedureDoc({
    code: '1.009794',
    name: 'Cấp giấy phép xây dựng nhà ở riêng lẻ',
    sector: build,
    levels: ['district'],
    agency: 'DEMO.SXD',
  }),
  procedureDoc({
    code: '1.009795',
    name: 'Điều chỉnh giấy phép đối với công trình xây dựng',
    sector: build,
    levels: ['province'],
    agency: 'DEMO.SXD',
  }),
  procedureDoc({
    code: '1.009796',
    name: 'Thông báo khởi công công trình',
    sector: build,
    levels: ['province'],
    agency: 'DEMO.SXD',
    description: 'Không cần giấy phép xây dựng với công trình bí mật nhà nước.',
  }),
  procedureDoc({ code: '1.004227', name: 'Đăng ký đất đai lần đầu', sector: land, levels: ['district'], agency: 'DEMO.SXD' }),
  procedureDoc({ code: '2.000001', name: 'Hỗ trợ cho người có công', sector: { code: 'NCC', name: 'Người có công' } }),
];

let analyst: TestClient;
let clerk: TestClient;
beforeAll(async () => {
  await deployFixture(ctx.t);
  const svc = ctx.t.platform.services;
  await svc.db.em().transactional(async (em) => {
    for (const doc of published) await svc.catalogue.importPublished(em, system, doc as never);
    await svc.catalogue.create(
      em,
      system,
      procedureDoc({ code: '1.000777', name: 'Đăng ký hộ kinh doanh lưu động (dự thảo)', levels: ['district'] }),
    );
  });
  analyst = await ctx.t.login('analyst');
  clerk = await ctx.t.login('clerk');
});

interface Hit {
  code: string;
  name: string;
  match: string | null;
  status: string;
}
async function search(query: string, client: TestClient = clerk): Promise<{ total: number; items: Hit[] }> {
  const res = await client.get(`/api/procedures?${query}`);
  const body = await res.text();
  expect(res.status, body).toBe(200);
  return JSON.parse(body);
}
const codes = async (query: string, client?: TestClient) => (await search(query, client)).items.map((i) => i.code);
const q = (text: string) => `q=${encodeURIComponent(text)}`;

describe('folding', () => {
  it('strips diacritics, folds đ/Đ to d and lower-cases; words are padded for word-start matching', () => {
    expect(fold('Đăng ký THÀNH LẬP hộ kinh doanh')).toBe('dang ky thanh lap ho kinh doanh');
    expect(fold('Điều chỉnh đất đai')).toBe('dieu chinh dat dai');
    expect(searchable('Cấp bản sao (từ sổ gốc)', 'giấy-tờ')).toBe(' cap ban sao tu so goc giay to ');
    expect(parseQuery(' 2.000908 ')).toEqual({ code: '2.000908', words: ['2', '000908'] });
    expect(parseQuery('hộ kinh doanh')).toEqual({ code: null, words: ['ho', 'kinh', 'doanh'] });
    expect(wordSet(searchable('Hộ kinh doanh, hộ gia đình'))).toEqual(['ho', 'kinh', 'doanh', 'gia', 'dinh']);
  });

  it('bounds a word prefix from above for an index range scan', () => {
    expect([prefixEnd('ho'), prefixEnd('hz'), prefixEnd('a9'), prefixEnd('2'), prefixEnd('zz')]).toEqual(['hp', 'i', 'aa', '3', null]);
  });
});

describe('Catalogue search', () => {
  it('q=ho kinh doanh finds "Đăng ký thành lập hộ kinh doanh" first, by its name; "cho" does not match "ho"', async () => {
    const r = await search(q('ho kinh doanh'));
    expect(r.items[0]).toMatchObject({ code: '2.000720', name: 'Đăng ký thành lập hộ kinh doanh', match: 'name_phrase' });
    expect(r.items.map((i) => i.code)).not.toContain('2.000001');
    expect(await codes(q('hộ kinh doanh'))).toEqual(await codes(q('HO KINH DOANH')));
  });

  it('q=2.000908 puts that procedure first (exact code), then the one that mentions it', async () => {
    const r = await search(q('2.000908'));
    expect(r.items.map((i) => [i.code, i.match])).toEqual([
      ['2.000908', 'code'],
      ['1.000901', 'text_phrase'],
    ]);
  });

  it('a code prefix lists the codes that start with it before text matches', async () => {
    const r = await search(q('2.00090'));
    expect(r.items.map((i) => [i.code, i.match])).toEqual([
      ['2.000908', 'code_prefix'],
      ['2.000909', 'code_prefix'],
      ['1.000901', 'text_phrase'],
    ]);
  });

  it('đ and Đ fold to d: "dat dai", "đất đai" and "ĐẤT ĐAI" find the same procedure', async () => {
    for (const text of ['dat dai', 'đất đai', 'ĐẤT ĐAI']) expect(await codes(q(text))).toEqual(['1.004227']);
  });

  it('ranks phrase in the name, then all words in the name, then the description', async () => {
    const r = await search(q('giay phep xay dung'));
    expect(r.items.map((i) => [i.code, i.match])).toEqual([
      ['1.009794', 'name_phrase'],
      ['1.009795', 'name_words'],
      ['1.009796', 'text_phrase'],
    ]);
    expect(r.total).toBe(3);
  });

  it('filters by sector, level and agency, with a total and paging', async () => {
    expect(await codes('sector=XD')).toEqual(['1.009794', '1.009795', '1.009796']);
    expect(await codes('sector=XD&level=province')).toEqual(['1.009795', '1.009796']);
    // both match by name phrase: then by name
    expect(await codes(`agency=DEMO.SXD&${q('dang ky')}`)).toEqual(['1.004227', '2.000720']);
    const page = await search('sector=XD&limit=2&offset=1');
    expect([page.total, page.items.map((i) => i.code)]).toEqual([3, ['1.009795', '1.009796']]);
    expect(await search('sector=XD&offset=10')).toEqual({ total: 3, items: [] });
  });

  it('status: published by default; drafts for analysts only', async () => {
    expect(await codes(q('luu dong'))).toEqual([]);
    const drafts = await search(`status=draft&${q('luu dong')}`, analyst);
    expect(drafts.items.map((i) => [i.code, i.status])).toEqual([['1.000777', 'draft']]);
    expect((await clerk.get(`/api/procedures?status=draft`)).status).toBe(403);
  });

  it('a query with nothing searchable matches nothing; no query lists everything by name', async () => {
    expect((await search(q('%%%'))).total).toBe(0);
    expect((await search('limit=100')).total).toBe(published.length);
  });
});
