import { describe, expect, it } from 'vitest';
import { checkCodeFormat, DEFAULT_CODE_FORMAT, formatCode } from './code.ts';

describe('Dossier code format', () => {
  it('Given the default format, Then a code is <agency id>-<YYMMDD>-<NNNN>', () => {
    expect(formatCode(DEFAULT_CODE_FORMAT, '000.00.06.H56', '2023-10-27', 361)).toBe('000.00.06.H56-231027-0361');
  });

  it('Given a province format, Then its tokens are filled and the sequence grows past its padding', () => {
    expect(formatCode('{agency}/{YYYY}{MM}{DD}/{NNNNN}', 'H27', '2026-03-06', 12)).toBe('H27/20260306/00012');
    expect(formatCode(DEFAULT_CODE_FORMAT, 'H27', '2026-03-06', 12345)).toBe('H27-260306-12345');
  });

  it('Given a format that could repeat a code, Then it is refused', () => {
    for (const bad of [
      '{agency}-{NNNN}',
      '{YYMMDD}-{NNNN}',
      '{agency}-{YYMMDD}',
      '{agency}-{YYMMDD}-{NN}-{NNNN}',
      '{agency} {YYMMDD}{NNNN}',
      '{agency}-{MM}{DD}-{NNNN}',
    ]) {
      expect(() => checkCodeFormat(bad), bad).toThrow(expect.objectContaining({ code: 'dossier.code_format' }));
    }
  });
});
