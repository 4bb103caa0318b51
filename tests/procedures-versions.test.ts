import { beforeAll, describe, expect, it } from 'vitest';
import { deployFixture, householdBusiness } from '../core/catalogue/fixtures/documents.ts';
import type { ProcedureDocumentInput } from '../core/catalogue/schema.ts';
import { installDemoPack } from '../core/packs/demo.ts';
import { exportFiles } from '../core/packs/exporter.ts';
import { documents, read } from './support/base-pack-source.ts';
import { useTestPlatform } from './support/platform.ts';

/**
 * Versions by effective date (issue 17, points 4 and 5): a version published with a future
 * `effectiveFrom` waits for its date, the catalogue serves the version in force at a given moment
 * (resolved at read time, no job), and the base pack ships the bundles' 2026 versions and the
 * civil-status procedures' versions for the Law on Civil Status in force from 1 Mar 2027.
 * The test clock starts on 2026-03-02.
 */

const ctx = useTestPlatform();
const packer = { actor: { id: null, name: 'pack-import' }, requestId: 'procedures-versions-test' };
const tx = <T>(fn: (em: Parameters<typeof ctx.t.platform.services.catalogue.get>[0]) => Promise<T>) =>
  ctx.t.platform.services.db.em().transactional(fn);
const at = (date: string) => new Date(`${date}T03:00:00.000Z`);

describe('the catalogue serves the version in force at a moment', () => {
  beforeAll(async () => {
    await deployFixture(ctx.t);
  });

  it('Given an undated document and two dated ones imported as a series, Then each applies from its date, and importing them again changes nothing', async () => {
    const catalogue = ctx.t.platform.services.catalogue;
    const series: ProcedureDocumentInput[] = [
      householdBusiness(),
      { ...householdBusiness(), effectiveFrom: '2026-09-01', description: 'Phiên bản từ 01/9/2026.' },
      { ...householdBusiness(), effectiveFrom: '2027-03-01', description: 'Phiên bản từ 01/3/2027.' },
    ];
    const importAll = () =>
      tx(async (em) => {
        const out = [];
        for (const doc of series) out.push(await catalogue.importPublished(em, packer, doc as never, { series: true }));
        return out.map((o) => o.outcome);
      });
    expect(await importAll()).toEqual(['new', 'updated', 'updated']);
    const version = (d: Date) => tx((em) => catalogue.inForce(em, '2.000720', d)).then((v) => v?.document.description ?? null);
    expect(await version(at('2026-03-02'))).toBe(householdBusiness().description ?? null);
    expect(await version(at('2026-08-31'))).toBe(householdBusiness().description ?? null);
    expect(await version(at('2026-09-01'))).toBe('Phiên bản từ 01/9/2026.');
    expect(await version(at('2027-02-28'))).toBe('Phiên bản từ 01/9/2026.');
    expect(await version(at('2027-03-01'))).toBe('Phiên bản từ 01/3/2027.');
    expect(await importAll()).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect((await tx((em) => catalogue.get(em, '2.000720')))!.versions).toHaveLength(3);
  });

  it('Given a future version, When the clock passes its date, Then inForce (by the injected clock) switches by itself', async () => {
    const catalogue = ctx.t.platform.services.catalogue;
    const now = ctx.t.clock.now();
    expect((await tx((em) => catalogue.inForce(em, '2.000720')))?.effectiveFrom).toBe('2026-03-02');
    ctx.t.clock.set(at('2026-09-01'));
    try {
      expect((await tx((em) => catalogue.inForce(em, '2.000720')))?.effectiveFrom).toBe('2026-09-01');
    } finally {
      ctx.t.clock.set(now);
    }
  });
});

describe('search, the API and export read the version in force, not the newest published (issue 17)', () => {
  // The series of the describe above: v1 from 2026-03-02 (today), v2 from 2026-09-01, v3 from 2027-03-01.
  type Hits = { items: { code: string; version: number; effectiveFrom: string | null; effectiveTo: string | null }[] };
  const hits = async (query: string) => {
    const res = await (await ctx.t.login('clerk')).get(`/api/procedures?q=2.000720${query}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as Hits).items.filter((h) => h.code === '2.000720').map((h) => h.version);
  };

  it('Given a version in force and two published for later, When the catalogue is searched, Then it finds the one in force today, or on the date asked', async () => {
    expect(await hits('')).toEqual([1]);
    expect(await hits('&status=in_force&on=2026-09-01')).toEqual([2]);
    expect(await hits('&on=2027-03-01')).toEqual([3]);
    expect(await hits('&status=published')).toEqual([3]);
    const now = ctx.t.clock.now();
    ctx.t.clock.set(at('2026-09-01'));
    try {
      expect(await hits('')).toEqual([2]);
    } finally {
      ctx.t.clock.set(now);
    }
  });

  it('When a procedure is read through the API, Then `current` is the version in force and `upcoming` lists the later ones', async () => {
    const res = await (await ctx.t.login('clerk')).get('/api/procedures/2.000720');
    const body = (await res.json()) as { current: { version: number }; upcoming: { version: number; effectiveFrom: string }[] };
    expect(body.current.version).toBe(1);
    expect(body.upcoming.map((u) => [u.version, u.effectiveFrom])).toEqual([
      [2, '2026-09-01'],
      [3, '2027-03-01'],
    ]);
  });

  it('When the procedure is exported, Then the pack carries the version in force and each later one under its date, which import as the same series', async () => {
    const { files, codes } = await exportFiles(ctx.t.platform.services, ctx.t.platform.services.db.em(), ['2.000720']);
    expect(codes).toEqual(['2.000720']);
    const procedures = [...files.keys()].filter((f) => f.startsWith('procedures/')).sort();
    expect(procedures).toEqual(['procedures/2.000720.2026-09-01.json', 'procedures/2.000720.2027-03-01.json', 'procedures/2.000720.json']);
    const doc = (f: string) => JSON.parse(files.get(f)!.toString('utf8')) as ProcedureDocumentInput;
    expect(doc('procedures/2.000720.json').description).toBe(householdBusiness().description);
    expect(doc('procedures/2.000720.2026-09-01.json')).toMatchObject({
      effectiveFrom: '2026-09-01',
      description: 'Phiên bản từ 01/9/2026.',
    });
    expect(doc('procedures/2.000720.2027-03-01.json')).toMatchObject({
      effectiveFrom: '2027-03-01',
      description: 'Phiên bản từ 01/3/2027.',
    });
  });
});

describe('the base pack ships dated versions', () => {
  beforeAll(async () => {
    const report = await installDemoPack(ctx.t.platform.services);
    expect(report.status).toBe('installed');
  });

  const inForce = (code: string, date: string) => tx((em) => ctx.t.platform.services.catalogue.inForce(em, code, at(date)));
  const formsOf = (v: Awaited<ReturnType<typeof inForce>>) =>
    v!.document.cases.flatMap((c) => c.documents.map((d) => d.form).filter(Boolean));
  const laws = (v: Awaited<ReturnType<typeof inForce>>) => v!.document.legalBasis.map((l) => `${l.number}:${l.status ?? ''}`);

  it('a bundle dossier received before 1 Sep 2026 gets the Decree 63/2024 version, after it the 2026 one with the new declaration form', async () => {
    expect(formsOf(await inForce('3.000722', '2026-08-31'))).toContain('forms/to-khai-lien-thong-khai-sinh.json');
    expect(formsOf(await inForce('3.000722', '2026-09-01'))).toContain('forms/to-khai-lien-thong-khai-sinh-2026.json');
    expect(formsOf(await inForce('2.002913', '2026-08-31'))).toContain('forms/to-khai-khai-tu.json');
    expect(formsOf(await inForce('2.002913', '2026-09-01'))).toContain('forms/to-khai-lien-thong-khai-tu-2026.json');
    expect(laws(await inForce('3.000722', '2026-09-01'))).toContain('63/2024/NĐ-CP:superseded');
  });

  it('the civil-status procedures switch to the Law on Civil Status 03/2026/QH16 on 1 Mar 2027', async () => {
    for (const code of ['1.001193', '1.000656', '1.000894', '2.000635', '3.000722', '2.002913']) {
      expect(laws(await inForce(code, '2027-02-28')), code).not.toContain('03/2026/QH16:unverified');
      const after = await inForce(code, '2027-03-01');
      expect(after!.effectiveFrom, code).toBe('2027-03-01');
      expect(laws(after), code).toEqual(expect.arrayContaining(['03/2026/QH16:unverified', '60/2014/QH13:superseded']));
    }
  });

  it('the public page shows the version in force today, and the new one once its date has come', async () => {
    const citizen = ctx.t.client();
    const before = await (await citizen.get('/thu-tuc/3.000722')).text();
    expect(before).toContain('Hết hiệu lực từ ngày');
    expect(before).not.toContain('301/2026/NĐ-CP');
    const now = ctx.t.clock.now();
    ctx.t.clock.set(at('2026-09-01'));
    try {
      expect(await (await citizen.get('/thu-tuc/3.000722')).text()).toContain('301/2026/NĐ-CP');
    } finally {
      ctx.t.clock.set(now);
    }
  });
});

describe('fees (issue 17, point 2)', () => {
  it('no payment step (status 6) in a free procedure, nor where every fee is paid at submission', () => {
    const problems: string[] = [];
    for (const { file, doc } of documents()) {
      for (const c of doc.cases) {
        const fees = c.channels.flatMap((ch) => ch.fees);
        const free = fees.every((f) => f.amount === 0);
        const atSubmission = fees.length > 0 && fees.every((f) => f.paidAt === 'submission');
        if ((free || atSubmission) && /motcua:statusCode="6"/.test(read(c.process.diagram)))
          problems.push(`${file} ${c.key}: ${c.process.diagram} has a payment step`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('marriage registration is free: no fee at all; residence fees are council placeholders per channel', () => {
    const marriage = documents().find((d) => d.file === '1.000894.json')!.doc;
    expect(marriage.cases.flatMap((c) => c.channels.flatMap((ch) => ch.fees))).toEqual([]);
    for (const file of ['1.004222.json', '1.004194.json']) {
      const doc = documents().find((d) => d.file === file)!.doc;
      for (const ch of doc.cases[0].channels) {
        expect(ch.fees, `${file} ${ch.channel}`).toHaveLength(1);
        expect(String(ch.fees[0].amount), `${file} ${ch.channel}`).toMatch(
          new RegExp(`^\\{\\{fee:[a-z-]+-${ch.channel.replace('_', '-')}\\}\\}$`),
        );
      }
    }
  });
});
