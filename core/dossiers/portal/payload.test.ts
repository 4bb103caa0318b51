import { describe, expect, it } from 'vitest';
import { buildPortalPayload, type PortalSource } from './payload.ts';

/** The builder on its own: plain rows in, the portal's payload out (no database). */
const at = (hhmm: string) => new Date(`2026-03-16T${hhmm}:00+07:00`);
const desk = { id: 'u-desk', code: 'DEMO.TTPVHCC.Q1', name: 'Quầy 1' };
const commune = { id: 'u-xa', code: 'DEMO.XA.AN-BINH', name: 'UBND xã An Bình' };

function source(over: Partial<PortalSource> = {}): PortalSource {
  return {
    sequence: 3,
    idempotencyKey: 'DEMO-260316-0001:3',
    change: { at: at('10:00').toISOString(), from: 5, to: 2, reason: null, by: 'clerk', kinds: ['status'] },
    dossier: {
      code: 'DEMO-260316-0001',
      status: 2,
      paymentStatus: 'none',
      resultStatus: 'none',
      channel: 2,
      applicant: {
        kind: 'enterprise',
        name: 'Công ty TNHH An Bình',
        idNumber: '0101234567',
        sex: null,
        birthDate: null,
        phone: null,
        email: null,
        address: null,
      },
      owner: null,
      procedureCode: '1.001193',
      procedureName: 'Đăng ký khai sinh',
      procedureVersion: 1,
      caseKey: 'standard',
      feesDue: 0,
      feesPaid: 0,
      feeMode: 'online',
      submittedAt: at('08:00'),
      receivedAt: at('10:00'),
      appointmentAt: at('17:00'),
      refusedAt: null,
      refusalReasons: [],
      supplementMissing: [],
      note: null,
      agencyCode: 'DEMO.TTPVHCC',
    },
    statusNames: { 1: 'Nộp trực tuyến', 2: 'Đã tiếp nhận', 4: 'Đang xử lý', 5: 'Yêu cầu bổ sung' },
    receivingUnit: desk,
    competentUnit: commune,
    catalogue: {
      caseName: 'Đúng hạn',
      casePortalCode: '1.001193.01',
      sectors: [{ code: 'HT', name: 'Hộ tịch', portalCode: 'G15-TP07' }],
      fees: [
        { description: 'Miễn lệ phí', amount: 0 },
        { description: 'Theo Hội đồng nhân dân', amount: '{{fee:x}}' },
      ],
      substitutes: { 0: 'KQ.G15.01' },
    },
    components: [
      {
        position: 0,
        name: 'Tờ khai',
        documentCode: 'TK',
        portalCode: null,
        optional: false,
        received: true,
        originals: 1,
        certifiedCopies: 0,
        copies: 0,
        digitised: true,
        reusedResult: 'KQ-1',
      },
    ],
    history: [
      { from: null, to: 1, at: at('08:00'), byId: null, byName: 'applicant', reason: null },
      { from: 1, to: 5, at: at('08:30'), byId: 'c1', byName: 'clerk', reason: 'Giấy chứng sinh; Căn cước của cha' },
      { from: 5, to: 2, at: at('10:00'), byId: 'c1', byName: 'clerk', reason: null },
    ],
    hops: [
      { from: desk, to: desk, at: at('10:00'), timeliness: null },
      { from: desk, to: commune, at: at('10:05'), timeliness: 'early' },
    ],
    tasks: [
      {
        activityId: 'appraise',
        name: 'Thẩm định',
        unit: commune,
        createdAt: at('10:05'),
        dueAt: at('15:00'),
        completedAt: null,
        completedBy: null,
        status: 'open',
      },
      {
        activityId: 'check',
        name: 'Kiểm tra',
        unit: desk,
        createdAt: at('10:00'),
        dueAt: null,
        completedAt: at('10:05'),
        completedBy: { id: 'c1', name: 'Cán bộ 1' },
        status: 'completed',
      },
    ],
    ...over,
  };
}

describe('buildPortalPayload', () => {
  it('Given a dossier that came back from a supplement before receipt, Then the supplement has who, what, when asked and when the papers came', () => {
    const p = buildPortalPayload(source());
    expect(p.supplements).toEqual([
      {
        stage: 'reception',
        requestedBy: { id: 'c1', name: 'clerk' },
        requestedAt: at('08:30').toISOString(),
        items: ['Giấy chứng sinh', 'Căn cước của cha'],
        applicantDueAt: null,
        receivedAt: at('10:00').toISOString(),
        appointmentBefore: null,
        appointmentAfter: null,
      },
    ]);
  });

  it('Given steps at the desk then the commune, Then the trail is in time order, the recorded hand-overs are the hops and the processing unit is the open step one', () => {
    const p = buildPortalPayload(source());
    expect(p.trail.map((s) => [s.step, s.status, s.handler?.name ?? null])).toEqual([
      ['check', 'completed', 'Cán bộ 1'],
      ['appraise', 'open', null],
    ]);
    expect(p.hops).toEqual([
      { from: desk, to: desk, at: at('10:00').toISOString(), timeliness: null },
      { from: desk, to: commune, at: at('10:05').toISOString(), timeliness: 'early' },
    ]);
    expect(p.units.processing).toEqual(commune);
  });

  it('Given an enterprise paying online, catalogue codes and a placeholder fee, Then the codes, the ID kind and the fee items are carried, an unknown amount as null', () => {
    const p = buildPortalPayload(source());
    expect(p.applicant).toMatchObject({ kind: 'enterprise', idKind: 'enterprise_code', idNumber: '0101234567' });
    expect(p.procedure).toMatchObject({ casePortalCode: '1.001193.01', sectors: [{ portalCode: 'G15-TP07' }] });
    expect(p.fees).toMatchObject({ paidOnline: true, items: [{ amount: 0 }, { amount: null }] });
    expect(p.documents[0]).toMatchObject({ componentCode: 'TK', reused: true, reusedResult: 'KQ-1', substitutableBy: 'KQ.G15.01' });
    expect(p.summary).toBe('Đăng ký khai sinh (Đúng hạn)');
  });

  it('Given a dossier resolved and then delivered, Then the finished and returned dates come from the history', () => {
    const history = [
      ...source().history,
      { from: 2, to: 9, at: at('15:00'), byId: null, byName: 'system', reason: null },
      { from: 9, to: 10, at: at('16:00'), byId: 'c1', byName: 'clerk', reason: null },
    ];
    const p = buildPortalPayload(source({ history }));
    expect(p.dates).toMatchObject({ finishedAt: at('15:00').toISOString(), returnedAt: at('16:00').toISOString(), refusedAt: null });
  });
});
