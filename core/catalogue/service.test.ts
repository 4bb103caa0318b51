import { beforeAll, describe, expect, it } from 'vitest';
import { useTestPlatform } from '../../tests/support/platform.ts';
import type { AppError } from '../errors.ts';
import { certifiedCopy, deployFixture, FIXTURE_PROCESS, householdBusiness, procedureDoc } from './fixtures/documents.ts';
import type { Catalogue } from './service.ts';
import type { ProcedureDocumentInput } from './schema.ts';

const ctx = useTestPlatform();
const packer = { actor: { id: null, name: 'pack-import' }, requestId: 'catalogue-service-test' };
const source = { packId: 'vn.demo.base', packVersion: '1.0.0' };

let catalogue: Catalogue;
let v1: number;
beforeAll(async () => {
  catalogue = ctx.t.platform.services.catalogue;
  v1 = await deployFixture(ctx.t);
});

const tx = <T>(fn: (em: Parameters<Catalogue['get']>[0]) => Promise<T>) => ctx.t.platform.services.db.em().transactional(fn);
const importDoc = (doc: ProcedureDocumentInput) => tx((em) => catalogue.importPublished(em, packer, doc as never, { source }));

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected a refusal').toBeTruthy();
  return err as AppError;
}

describe('Catalogue service for packs', () => {
  it('Given an empty catalogue, When a pack imports a procedure, Then it is new, published as version 1, its case pinned to the deployed definition', async () => {
    const out = await importDoc(householdBusiness());
    expect(out).toEqual({ code: '2.000720', version: 1, outcome: 'new' });
    const p = await tx((em) => catalogue.get(em, '2.000720'));
    expect(p).toMatchObject({ code: '2.000720', status: 'published', publishedVersion: 1, latestVersion: 1, draftVersion: null });
    expect(p!.versions).toHaveLength(1);
    expect(p!.versions[0]).toMatchObject({
      version: 1,
      status: 'published',
      effectiveFrom: '2026-03-02',
      effectiveTo: null,
      source,
      createdBy: 'pack-import',
      publishedBy: 'pack-import',
    });
    expect(p!.versions[0].bindings).toEqual([{ caseKey: 'standard', definitionKey: FIXTURE_PROCESS, definitionVersion: v1 }]);
    expect(p!.versions[0].document.name).toBe('Đăng ký thành lập hộ kinh doanh');
    const [audit] = await ctx.t.platform.services.db
      .em()
      .execute<{ action: string; target_id: string }[]>(
        "SELECT action, target_id FROM audit_log WHERE request_id = ? AND action = 'procedure.imported'",
        ['catalogue-service-test'],
      );
    expect(audit).toMatchObject({ action: 'procedure.imported', target_id: '2.000720' });
  });

  it('When the same document is imported again, Then nothing changes (unchanged, still version 1)', async () => {
    expect(await importDoc(householdBusiness())).toEqual({ code: '2.000720', version: 1, outcome: 'unchanged' });
    expect((await tx((em) => catalogue.get(em, '2.000720')))!.versions).toHaveLength(1);
  });

  it('When a changed document is imported, Then it is version 2 and version 1 ends on the day version 2 takes effect', async () => {
    ctx.t.clock.advance(3 * 86_400_000);
    const changed = { ...householdBusiness(), description: 'Mô tả mới sau khi sửa đổi.' };
    expect(await importDoc(changed)).toEqual({ code: '2.000720', version: 2, outcome: 'updated' });
    const p = (await tx((em) => catalogue.get(em, '2.000720')))!;
    expect(p).toMatchObject({ status: 'published', publishedVersion: 2, latestVersion: 2 });
    expect(p.versions.map((v) => [v.version, v.status, v.effectiveFrom, v.effectiveTo, v.supersededBy])).toEqual([
      [1, 'retired', '2026-03-02', '2026-03-05', 2],
      [2, 'published', '2026-03-05', null, null],
    ]);
    expect((await tx((em) => catalogue.effectiveOn(em, '2.000720', '2026-03-03')))?.version).toBe(1);
    expect((await tx((em) => catalogue.effectiveOn(em, '2.000720', '2026-03-05')))?.version).toBe(2);
    expect(await tx((em) => catalogue.effectiveOn(em, '2.000720', '2026-03-01'))).toBeNull();
  });

  it('When the diagram was redeployed with changes, Then the same document is imported as a new version pinned to the new definition', async () => {
    const v2 = await deployFixture(ctx.t, 'registration-v2');
    expect(v2).toBe(v1 + 1);
    const changed = { ...householdBusiness(), description: 'Mô tả mới sau khi sửa đổi.' };
    expect(await importDoc(changed)).toEqual({ code: '2.000720', version: 3, outcome: 'updated' });
    const p = (await tx((em) => catalogue.get(em, '2.000720')))!;
    expect(p.versions[1].bindings[0].definitionVersion).toBe(v1);
    expect(p.versions[2].bindings[0].definitionVersion).toBe(v2);
  });

  it('Given a case naming a process that is not deployed, Then the import is refused naming the field, and nothing is written', async () => {
    const err = await refusal(importDoc(procedureDoc({ code: '1.000001', name: 'Thủ tục thử', definitionKey: 'not-deployed-anywhere' })));
    expect(err.code).toBe('catalogue.definition_not_deployed');
    expect(err.message).toContain('cases.0.process.definitionKey');
    expect(await tx((em) => catalogue.get(em, '1.000001'))).toBeNull();
  });

  it('Given an agency code that is no unit, or a placeholder left unmapped, Then the import is refused', async () => {
    const unknown = await refusal(importDoc(procedureDoc({ code: '1.000002', name: 'Thủ tục thử', agency: 'NO.SUCH.UNIT' })));
    expect(unknown.code).toBe('catalogue.unknown_agency');
    expect(unknown.message).toContain('agencies.implementing.0.code');
    const placeholder = await refusal(
      importDoc(procedureDoc({ code: '1.000003', name: 'Thủ tục thử', agency: '{{agency:civil-status}}' })),
    );
    expect(placeholder.code).toBe('catalogue.unresolved_placeholder');
    expect(await tx((em) => catalogue.get(em, '1.000002'))).toBeNull();
  });

  it('exportPublished gives each published document with its pinned definitions, in code order; a named code that is not published is refused', async () => {
    await importDoc(certifiedCopy());
    const all = await tx((em) => catalogue.exportPublished(em));
    expect(all.map((e) => e.document.code)).toEqual(['2.000720', '2.000908']);
    expect(all[0].document.description).toBe('Mô tả mới sau khi sửa đổi.');
    expect(all[0].bindings).toEqual([{ caseKey: 'standard', definitionKey: FIXTURE_PROCESS, definitionVersion: v1 + 1 }]);
    const one = await tx((em) => catalogue.exportPublished(em, ['2.000908']));
    expect(one.map((e) => e.document.code)).toEqual(['2.000908']);
    expect((await refusal(tx((em) => catalogue.exportPublished(em, ['2.000908', '9.999999'])))).code).toBe('catalogue.not_found');
  });

  it('An exported document imports back unchanged (round trip)', async () => {
    const [exported] = await tx((em) => catalogue.exportPublished(em, ['2.000908']));
    expect(await importDoc(exported.document)).toEqual({ code: '2.000908', version: 1, outcome: 'unchanged' });
  });

  it('after analyze (planner statistics refreshed) search still finds the imported procedures', async () => {
    await tx((em) => catalogue.analyze(em));
    const r = await tx((em) => catalogue.search(em, { q: '2.000908' }));
    expect(r.items[0]).toMatchObject({ code: '2.000908', match: 'code' });
  });

  it('Edits in one transaction each see the lock the previous one moved, and leave no managed entity for a later flush to write', async () => {
    const doc = procedureDoc({ code: '1.000010', name: 'Thủ tục sửa nhiều lần' });
    const p = await tx(async (em) => {
      await catalogue.create(em, packer, doc);
      await catalogue.saveDraft(em, packer, '1.000010', { lockVersion: 1, document: { ...doc, description: 'Bản sửa thứ nhất.' } });
      await catalogue.publish(em, packer, '1.000010', { lockVersion: 2 });
      await catalogue.saveDraft(em, packer, '1.000010', { lockVersion: 3, document: { ...doc, description: 'Bản nháp thứ hai.' } });
      await catalogue.retire(em, packer, '1.000010', { lockVersion: 4 });
      const managed = [...em.getUnitOfWork().getIdentityMap()].map((e) => e.constructor.name);
      expect(managed).toEqual([]);
      return catalogue.get(em, '1.000010');
    });
    expect(p).toMatchObject({ status: 'retired', lockVersion: 5, latestVersion: 2, publishedVersion: null, draftVersion: 2 });
    expect(p!.versions.map((v) => [v.version, v.status, v.document.description])).toEqual([
      [1, 'retired', 'Bản sửa thứ nhất.'],
      [2, 'draft', 'Bản nháp thứ hai.'],
    ]);
  });

  it('get of an unknown code is null', async () => {
    expect(await tx((em) => catalogue.get(em, '9.999999'))).toBeNull();
  });
});
