import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSameDay, receiptLimit } from './case-limits.ts';
import type { ProcedureCase } from './schema.ts';

type Limits = Pick<ProcedureCase, 'sameDayCutoff' | 'channels'>;
const kase = (days: number, cutoff?: string, online = days): Limits => ({
  ...(cutoff && { sameDayCutoff: cutoff }),
  channels: [
    { channel: 'in_person', time: { value: days, unit: 'working_days' }, fees: [] },
    { channel: 'online', time: { value: online, unit: 'working_days' }, fees: [] },
  ],
});

describe('The limit a dossier’s appointment follows', () => {
  it('Given a one-day case with a 15:00 cut-off, Then it is a same-day procedure on every channel', () => {
    expect(receiptLimit(kase(1, '15:00'), 'in_person')).toEqual({ sameDay: true, cutoff: '15:00' });
    expect(isSameDay(kase(1, '15:00'))).toBe(true);
  });

  it('Given a bundle of 3 working days whose civil-status part has a 15:00 cut-off, Then its dossiers are due in 3 working days, not the same day', () => {
    expect(receiptLimit(kase(3, '15:00'), 'in_person')).toEqual({ value: 3, unit: 'working_days' });
    expect(isSameDay(kase(3, '15:00'))).toBe(false);
  });

  it('Given a cut-off and channels of different limits, Then only the one-day channel is same-day, and the case as a whole is not', () => {
    const mixed = kase(2, '15:00', 1);
    expect(receiptLimit(mixed, 'online')).toEqual({ sameDay: true, cutoff: '15:00' });
    expect(receiptLimit(mixed, 'in_person')).toEqual({ value: 2, unit: 'working_days' });
    expect(isSameDay(mixed, 'online')).toBe(true);
    expect(isSameDay(mixed)).toBe(false);
  });

  it('Given 8 working hours, Then a cut-off applies; given 9, it does not; given no cut-off, the channel’s time rules', () => {
    const hours = (value: number): Limits => ({
      sameDayCutoff: '15:00',
      channels: [{ channel: 'in_person', time: { value, unit: 'working_hours' }, fees: [] }],
    });
    expect(isSameDay(hours(8))).toBe(true);
    expect(isSameDay(hours(9))).toBe(false);
    expect(receiptLimit(kase(1), 'in_person')).toEqual({ value: 1, unit: 'working_days' });
    expect(receiptLimit(kase(1), 'postal')).toBeNull();
  });

  it('Given the shipped birth and death bundles, Then their dossiers follow the bundle’s limit, while the one-day civil-status procedures are same-day', () => {
    const read = (file: string) =>
      (JSON.parse(readFileSync(new URL(`../../procedures/base/procedures/${file}`, import.meta.url), 'utf8')) as { cases: ProcedureCase[] })
        .cases;
    for (const file of ['3.000722.json', '3.000722.2026-09-01.json', '2.002913.json', '2.002913.2026-09-01.json']) {
      for (const c of read(file)) expect(isSameDay(c), `${file} ${c.key}`).toBe(false);
    }
    for (const file of ['1.001193.json', '2.000635.json', '1.000894.json']) {
      expect(
        read(file).some((c) => isSameDay(c)),
        file,
      ).toBe(true);
    }
  });
});
