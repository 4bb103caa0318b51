import { describe, expect, it } from 'vitest';
import { procedureDocument, type ProcedureDocumentInput } from './schema.ts';

/** The national portal's codes beside ours (issue 17): optional, validated, backward compatible. */

const minimal = (): ProcedureDocumentInput => ({
  code: '1.001193',
  name: 'Thủ tục đăng ký khai sinh',
  levels: ['commune'],
  sectors: [{ code: 'ho-tich', name: 'Hộ tịch' }],
  agencies: { implementing: [{ code: 'X', name: 'UBND xã' }] },
  onlineLevel: 'full',
  results: [{ name: 'Giấy khai sinh' }],
  cases: [
    {
      key: 'dang-ky-khai-sinh',
      name: 'Đăng ký khai sinh',
      process: { definitionKey: 'vn_base_khai_sinh', diagram: 'diagrams/khai-sinh.bpmn' },
      channels: [{ channel: 'in_person', time: { value: 1, unit: 'working_days' } }],
      documents: [{ name: 'Tờ khai', originals: 1, copies: 0 }],
      supplement: { policy: 'restart' },
    },
  ],
});

describe('procedureDocument: portal codes, level flags, legal-basis status, notes', () => {
  it('a document without any of them is still valid (backward compatible)', () => {
    expect(procedureDocument.safeParse(minimal()).success).toBe(true);
  });

  it('accepts the portal codes of cases, sectors, components and results, the level flags, a legal-basis status and notes', () => {
    const doc = minimal();
    doc.sectors[0].portalCode = 'G15-TP07';
    doc.levelFlags = { commune: true, province: false, verticalSector: false };
    doc.cases[0].portalCode = '1.001193.01';
    doc.cases[0].documents[0].portalCode = '000.00.00.G15-TP07-01';
    doc.results[0].portalCode = 'KQ.G15.000123';
    doc.legalBasis = [
      { number: '01/2021/NĐ-CP', title: 'Nghị định về đăng ký doanh nghiệp', status: 'superseded', supersededBy: '168/2025/NĐ-CP' },
      { number: '03/2026/QH16', title: 'Luật Hộ tịch', effectiveOn: '2027-03-01', status: 'not_yet_in_force' },
    ];
    doc.notes = 'Đối chiếu với Cổng DVCQG ngày 2026-10-01.';
    const parsed = procedureDocument.parse(doc);
    expect(parsed.cases[0].portalCode).toBe('1.001193.01');
    expect(parsed.sectors[0].portalCode).toBe('G15-TP07');
    expect(parsed.levelFlags).toEqual({ commune: true, province: false, verticalSector: false });
    expect(parsed.legalBasis[0]).toMatchObject({ status: 'superseded', supersededBy: '168/2025/NĐ-CP' });
  });

  it('refuses malformed codes and unknown flags, naming the field', () => {
    const issues = (mutate: (d: ProcedureDocumentInput) => void) => {
      const doc = minimal();
      mutate(doc);
      const res = procedureDocument.safeParse(doc);
      return res.success ? [] : res.error.issues.map((i) => i.path.join('.'));
    };
    expect(
      issues((d) => {
        d.cases[0].portalCode = '1.001193';
      }),
    ).toEqual(['cases.0.portalCode']);
    expect(
      issues((d) => {
        d.cases[0].portalCode = '1.001193.1';
      }),
    ).toEqual(['cases.0.portalCode']);
    expect(
      issues((d) => {
        d.sectors[0].portalCode = 'ho tich';
      }),
    ).toEqual(['sectors.0.portalCode']);
    expect(
      issues((d) => {
        d.results[0].portalCode = 'KQ G15';
      }),
    ).toEqual(['results.0.portalCode']);
    expect(
      issues((d) => {
        d.cases[0].documents[0].portalCode = '../x';
      }),
    ).toEqual(['cases.0.documents.0.portalCode']);
    expect(
      issues((d) => {
        (d as { levelFlags: unknown }).levelFlags = { district: true };
      }),
    ).toEqual(['levelFlags']);
    expect(
      issues((d) => {
        d.legalBasis = [{ number: '1', title: 't', status: 'old' as never }];
      }),
    ).toEqual(['legalBasis.0.status']);
  });
});
