import { describe, expect, it } from 'vitest';
import { inOrder } from './history.ts';

const row = (at: string, from: number | null, to: number) => ({ at: new Date(`${at}+07:00`), fromStatus: from, toStatus: to });
const path = (rows: ReturnType<typeof row>[]) => inOrder(rows).map((r) => `${r.fromStatus ?? '-'}>${r.toStatus}`);

describe('The status history in the order it happened', () => {
  it('Given a receipt whose first step sets 4 in the same instant, stored in any order, Then 2 comes before 4', () => {
    const rows = [row('2026-12-07T08:00', 2, 4), row('2026-12-07T08:00', null, 2)];
    expect(path(rows)).toEqual(['->2', '2>4']);
    expect(path(rows.reverse())).toEqual(['->2', '2>4']);
  });

  it('Given a supplement received (5 to 4) and a step sending it on (4 to 9) in one instant after earlier changes, Then the chain follows the statuses, not their numbers', () => {
    const rows = [
      row('2026-12-08T09:00', 4, 9),
      row('2026-12-07T08:00', 2, 4),
      row('2026-12-08T09:00', 5, 4),
      row('2026-12-07T08:00', null, 2),
      row('2026-12-07T10:00', 4, 5),
    ];
    expect(path(rows)).toEqual(['->2', '2>4', '4>5', '5>4', '4>9']);
  });

  it('Given a resolution returned at once (9, then 10) and changes at different times, Then time orders first', () => {
    const rows = [
      row('2026-12-09T10:00', 9, 10),
      row('2026-12-09T10:00', 4, 9),
      row('2026-12-08T08:00', 2, 4),
      row('2026-12-07T08:00', 1, 2),
    ];
    expect(path(rows)).toEqual(['1>2', '2>4', '4>9', '9>10']);
  });
});
