import { describe, expect, it } from 'vitest';
import {
  feesDue,
  idNumberOk,
  lines,
  missingDocuments,
  parseCount,
  parseMoney,
  parseVnDate,
  phoneOk,
  type ProcedureCase,
} from './intake-model.ts';

describe('the intake wizard’s checks before it asks the API', () => {
  const today = new Date('2026-12-07T03:00:00Z');

  it('Given dates typed dd/MM/yyyy, Then real past days become YYYY-MM-DD and anything else is refused', () => {
    expect(parseVnDate('07/03/1990', today)).toBe('1990-03-07');
    expect(parseVnDate(' 7/3/1990 ', today)).toBe('1990-03-07');
    expect(parseVnDate('29/02/2024', today)).toBe('2024-02-29');
    expect(parseVnDate('29/02/2023', today)).toBeNull(); // not a leap year
    expect(parseVnDate('31/04/1990', today)).toBeNull();
    expect(parseVnDate('1990-03-07', today)).toBeNull(); // not the Vietnamese order
    expect(parseVnDate('08/12/2026', today)).toBeNull(); // tomorrow
    expect(parseVnDate('01/01/1899', today)).toBeNull();
  });

  it('Given ID numbers, Then a citizen’s has exactly 12 digits and an organisation’s code the API’s 6–32 letters, digits or hyphens', () => {
    expect(idNumberOk('citizen', '024190012345')).toBe(true);
    expect(idNumberOk('citizen', '02419001234')).toBe(false);
    expect(idNumberOk('citizen', '02419001234a')).toBe(false);
    expect(idNumberOk('enterprise', '0101234567-001')).toBe(true);
    expect(idNumberOk('organisation', 'ab c')).toBe(false);
  });

  it('Given amounts, counts and phone numbers as typed, Then they read the Vietnamese way or are refused', () => {
    expect(parseMoney('1.250.000')).toBe(1250000);
    expect(parseMoney('1 250 000 đ')).toBe(1250000);
    expect(parseMoney('12,5')).toBeNull();
    expect(parseMoney('')).toBeNull();
    expect(parseCount('')).toBe(0);
    expect(parseCount('2')).toBe(2);
    expect(parseCount('101')).toBeNull();
    expect(parseCount('-1')).toBeNull();
    expect(phoneOk('0912 345 678')).toBe(true);
    expect(phoneOk('09x')).toBe(false);
    expect(lines(' a \n\n b\n')).toEqual(['a', 'b']);
  });

  it('Given a case, Then the fees due with the dossier leave out those paid with the result, and the missing documents are the required ones not ticked', () => {
    const kase: ProcedureCase = {
      key: 'k',
      name: 'K',
      channels: [
        {
          channel: 'in_person',
          time: { value: 3, unit: 'working_days' },
          fees: [
            { description: 'lệ phí', amount: 50000 },
            { description: 'phí khi trả', amount: 20000, paidAt: 'result' },
            { description: 'do tỉnh quy định', amount: '{{fee:x}}' },
          ],
        },
      ],
      documents: [
        { name: 'Tờ khai', originals: 1, copies: 0 },
        { name: 'Giấy ủy quyền', originals: 1, copies: 0, optional: true },
        { name: 'Giấy chứng sinh', originals: 1, copies: 0 },
      ],
    };
    expect(feesDue(kase.channels[0])).toBe(50000);
    const ticks = [
      { received: true, originals: '1', copies: '0' },
      { received: false, originals: '1', copies: '0' },
      { received: false, originals: '1', copies: '0' },
    ];
    expect(missingDocuments(kase, ticks)).toEqual(['Giấy chứng sinh']);
  });
});
