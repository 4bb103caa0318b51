import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../../tests/support/harness.ts';
import { fixturePack } from '../../../tests/support/test-packs.ts';
import { testKeys } from '../../../tests/support/test-packs.ts';
import { AppError } from '../../errors.ts';
import { cliActing } from '../../org/actor.ts';
import { importPack } from '../../packs/importer.ts';
import { reportLines } from '../../cli/pack.ts';
import { trustKey } from '../../packs/store.ts';
import { procedure, publish, receiveDossier } from '../fixtures/procedures.ts';
import type { DossierView } from '../service.ts';
import { DossierForms } from './service.ts';

/**
 * Statutory forms a pack brings (docs/dossiers.md § Forms, "Legal bases and packs"; docs/pack-format.md,
 * "Statutory forms"): a province's layout replaces the shipped one, a new legal basis applies to
 * dossiers received from its day on, each dossier keeps the basis in force at its receipt, an
 * unsafe template is refused by the dry run and the import alike, and nothing lives only in one
 * node's memory.
 */

const h = useHarness({ fixtures: new URL('../fixtures/', import.meta.url) });
const { deploy } = h.process({ as: () => clerk });
const acting = cliActing();
let clerk: TestClient;

async function at(local: string) {
  h.t.clock.set(new Date(`${local}+07:00`));
  clerk = await h.login('clerk');
}

async function receive(): Promise<DossierView> {
  return await receiveDossier(clerk, '1.900101');
}

async function form(code: string, no: string): Promise<string> {
  const res = await clerk.get(`/api/dossiers/${encodeURIComponent(code)}/forms/${no}`);
  const html = await res.text();
  expect(res.status, html).toBe(200);
  return html;
}

/** A signed pack of statutory forms only: index.json and the templates. */
function formsPack(id: string, index: unknown, templates: Record<string, string>, sequence = 1): Promise<Buffer> {
  const extraFiles: Record<string, string> = { 'statutory-forms/index.json': JSON.stringify(index) };
  for (const [file, text] of Object.entries(templates)) extraFiles[`statutory-forms/${file}`] = text;
  return fixturePack({ header: { id, sequence, placeholders: [] }, procedures: [], diagrams: {}, extraFiles });
}

const rows = async () =>
  (
    await h
      .em()
      .execute<{ form: string; legal_basis: string }[]>('SELECT form, legal_basis FROM dossier_form_templates ORDER BY form, legal_basis')
  ).map((r) => `${r.form} ${r.legal_basis}`);

const LAYOUT_01 =
  '<link rel="stylesheet" href="/assets/forms.css"><p>GIẤY TIẾP NHẬN — MẪU CỦA TỈNH THỬ {{dossierCode}} · {{header.legalBasis}}</p>';
const NEW_01 =
  '<p>MẪU 01 THEO THÔNG TƯ MỚI {{header.legalBasis}} {{dossierCode}} {{#each components}}[{{name}}]{{/each}} {{date receivedAt}}</p>';

beforeAll(async () => {
  await at('2026-03-02T09:00:00');
  await deploy('registration.bpmn');
  await publish(h.services, [procedure('1.900101')]);
  await h
    .em()
    .transactional((em) =>
      trustKey(h.services, em, acting, { publicKey: testKeys.publicKeyPem, publisherName: 'Tỉnh Thử', province: 'TT' }),
    );
});

describe('Statutory forms from a pack', () => {
  it('Given a pack replacing the layout of form 01 under Circular 03/2025, When it is imported, Then form 01 of a dossier shows its layout and the other forms stay the shipped ones', async () => {
    const zip = await formsPack('vn.test.layout', [{ legalBasis: '03/2025/TT-VPCP', forms: { '01': 'statutory-forms/01.hbs' } }], {
      '01.hbs': LAYOUT_01,
    });
    const dry = await importPack(h.services, acting, { zip, dryRun: true });
    expect(dry.status).toBe('dry_run');
    expect(dry.statutoryForms).toEqual([
      { form: '01', legalBasis: '03/2025/TT-VPCP', effectiveFrom: null, file: 'statutory-forms/01.hbs', outcome: 'new' },
    ]);
    expect(await rows()).toEqual([]);

    const d = await receive();
    expect(await form(d.code, '01')).not.toContain('MẪU CỦA TỈNH THỬ');

    const report = await importPack(h.services, acting, { zip });
    expect(report.status).toBe('installed');
    expect(report.statutoryForms.map((f) => f.outcome)).toEqual(['new']);
    expect(await rows()).toEqual(['01 03/2025/TT-VPCP']);

    const f01 = await form(d.code, '01');
    expect(f01).toContain(`MẪU CỦA TỈNH THỬ ${d.code} · 03/2025/TT-VPCP`);
    expect(f01).not.toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    const f06 = await form(d.code, '06');
    expect(f06).toContain('Mẫu số 06 · Thông tư 03/2025/TT-VPCP');
    expect(f06).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
  });

  it('Given a pack bringing a legal basis in force from 1 July 2026, When dossiers are received before and after that day, Then each prints under the basis in force at its receipt, also on a node that did not import the pack', async () => {
    // A second node: its own registry, the same database; it renders once before the import.
    const other = new DossierForms({ ...h.services, dossiers: h.services.dossiers });
    await at('2026-06-30T16:30:00');
    const before = await receive();
    expect(await other.renderAsOperator(before.code, '01')).toContain('MẪU CỦA TỈNH THỬ');

    const zip = await formsPack(
      'vn.test.basis',
      [{ legalBasis: '99/2026/TT-TEST', effectiveFrom: '2026-07-01', forms: { '01': 'statutory-forms/99-01.hbs' } }],
      { '99-01.hbs': NEW_01 },
    );
    const report = await importPack(h.services, acting, { zip });
    expect(report.statutoryForms).toEqual([
      { form: '01', legalBasis: '99/2026/TT-TEST', effectiveFrom: '2026-07-01', file: 'statutory-forms/99-01.hbs', outcome: 'new' },
    ]);
    expect(reportLines(report)).toContain('statutory forms: 01 under 99/2026/TT-TEST from 2026-07-01 (new)');
    // Imported, not yet in force: a dossier received on 30 June still follows Circular 03/2025.
    const stillBefore = await receive();
    expect(await form(stillBefore.code, '01')).toContain(`MẪU CỦA TỈNH THỬ ${stillBefore.code} · 03/2025/TT-VPCP`);

    await at('2026-07-01T07:30:00'); // 00:30 UTC on 1 July: the Vietnam day decides
    const after = await receive();
    const f01 = await form(after.code, '01');
    expect(f01).toContain(`MẪU 01 THEO THÔNG TƯ MỚI 99/2026/TT-TEST ${after.code} [Tờ khai theo mẫu][Giấy tờ tùy thân] 01/07/2026`);
    expect(f01).not.toContain('MẪU CỦA TỈNH THỬ');
    // The new basis has no form 06: the default's is used, and says which circular it is from.
    expect(await form(after.code, '06')).toContain('Mẫu số 06 · Thông tư 03/2025/TT-VPCP');
    // Pinned: dossiers received earlier keep their basis after the day.
    expect(await form(before.code, '01')).toContain(`MẪU CỦA TỈNH THỬ ${before.code} · 03/2025/TT-VPCP`);

    // The other node never saw the import: it reads it from the database.
    expect(await other.renderAsOperator(after.code, '01')).toContain('MẪU 01 THEO THÔNG TƯ MỚI 99/2026/TT-TEST');
    expect(await other.renderAsOperator(before.code, '01')).toContain('MẪU CỦA TỈNH THỬ');
    // A node started after the import, too.
    const fresh = new DossierForms({ ...h.services, dossiers: h.services.dossiers });
    expect(await fresh.renderAsOperator(after.code, '01')).toContain('MẪU 01 THEO THÔNG TƯ MỚI 99/2026/TT-TEST');
  });

  it('Given a basis with its own form 07 in force from 1 July 2026, Then the tracking log of June prints the shipped form and the log of July the new one', async () => {
    const zip = await formsPack(
      'vn.test.log',
      [{ legalBasis: '99/2026/TT-TEST', effectiveFrom: '2026-07-01', forms: { '07': 'statutory-forms/99-07.hbs' } }],
      { '99-07.hbs': '<p>SỔ THEO DÕI MỚI {{header.legalBasis}} {{unit}}{{#each rows}} [{{code}}]{{/each}}</p>' },
    );
    await importPack(h.services, acting, { zip });
    const log = async (from: string, to: string) => {
      const res = await clerk.get(`/api/units/DEMO.TTPVHCC.Q1/forms/07?from=${from}&to=${to}`);
      const html = await res.text();
      expect(res.status, html).toBe(200);
      return html;
    };
    const june = await log('2026-06-01', '2026-06-30');
    expect(june).toContain('Mẫu số 07 · Thông tư 03/2025/TT-VPCP');
    expect(june).not.toContain('SỔ THEO DÕI MỚI');
    const july = await log('2026-07-01', '2026-07-31');
    expect(july).toMatch(/SỔ THEO DÕI MỚI 99\/2026\/TT-TEST .+ \[/);
    // A period ending on 30 June follows the basis of its last day, even if it starts earlier.
    expect(await log('2026-05-01', '2026-06-30')).not.toContain('SỔ THEO DÕI MỚI');
  });

  it.each([
    ['unescaped output', '<p>{{{dossierCode}}}</p>', /unescaped output/],
    ['the lookup helper', '<p>{{lookup applicant "name"}}</p>', /"lookup" is not a helper forms may call/],
    ['a partial', '<p>{{> heading}}</p>', /partials \(\{\{> …\}\}\) are not allowed/],
    ['an unknown field helper', '<p>{{#each components}}{{shout name}}{{/each}}</p>', /"shout" is not a helper/],
  ])(
    'Given a pack whose form template uses %s, Then the dry run and the import are both refused naming the file, and nothing is stored',
    async (_what, text, reason) => {
      const before = await rows();
      const zip = await formsPack('vn.test.unsafe', [{ legalBasis: '88/2026/TT-TEST', forms: { '02': 'statutory-forms/02.hbs' } }], {
        '02.hbs': text,
      });
      for (const dryRun of [true, false]) {
        const e = await importPack(h.services, acting, { zip, dryRun }).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(AppError);
        expect((e as AppError).code).toBe('pack.invalid_content');
        expect((e as AppError).message).toMatch(/^statutory-forms\/02\.hbs: /);
        expect((e as AppError).message).toMatch(reason);
      }
      expect(await rows()).toEqual(before);
      const installs = await h.em().execute<{ n: number }[]>("SELECT COUNT(*) AS n FROM pack_installs WHERE pack_id = 'vn.test.unsafe'");
      expect(Number(installs[0].n)).toBe(0);
    },
  );

  it('Given an index naming a missing file, a form 08 and a bad date, Then the import is refused with every problem', async () => {
    const zip = await formsPack(
      'vn.test.badindex',
      [
        { legalBasis: '77/2026/TT-TEST', effectiveFrom: '2026-02-30', forms: { '08': 'statutory-forms/08.hbs' } },
        { legalBasis: '76/2026/TT-TEST', forms: { '03': 'statutory-forms/missing.hbs' } },
      ],
      { '08.hbs': '<p>x</p>' },
    );
    const e = (await importPack(h.services, acting, { zip, dryRun: true }).catch((x: unknown) => x)) as AppError;
    expect(e.code).toBe('pack.invalid_content');
    expect(e.message).toContain('statutory-forms/index.json: 0.effectiveFrom: not a day of the calendar');
    expect(e.message).toContain('statutory-forms/index.json: 0.forms');
    const zip2 = await formsPack(
      'vn.test.badindex',
      [{ legalBasis: '76/2026/TT-TEST', forms: { '03': 'statutory-forms/missing.hbs' } }],
      {},
    );
    const e2 = (await importPack(h.services, acting, { zip: zip2, dryRun: true }).catch((x: unknown) => x)) as AppError;
    expect(e2.message).toBe('statutory-forms/index.json: 0.forms.03: statutory-forms/missing.hbs is not in the pack');
  });
  it('Given a stored template this node refuses (stored before a stricter check), Then that form answers its reason and every other form still prints', async () => {
    const d = await receive();
    await h
      .em()
      .execute(
        'INSERT INTO dossier_form_templates (form, legal_basis, effective_from, text, sha256, origin, origin_version, updated_at) VALUES (?, ?, NULL, ?, ?, ?, ?, ?)',
        ['02', '03/2025/TT-VPCP', '<p>{{{dossierCode}}}</p>', 'f'.repeat(64), 'vn.test.old', '0.1.0', new Date()],
      );
    try {
      const res = await clerk.get(`/api/dossiers/${encodeURIComponent(d.code)}/forms/06`);
      expect(res.status).toBe(200);
      const bad = await clerk.get(`/api/dossiers/${encodeURIComponent(d.code)}/forms/02`);
      const body = (await bad.json()) as { code: string; detail: string };
      expect(body.code).toBe('dossier.form_template_unsafe');
      expect(body.detail).toContain('form 02 (03/2025/TT-VPCP)');
    } finally {
      await h.em().execute("DELETE FROM dossier_form_templates WHERE origin = 'vn.test.old'");
    }
  });
});
