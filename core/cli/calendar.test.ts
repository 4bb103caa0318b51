import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, testDialect, type TestDatabase } from '../../tests/support/platform.ts';
import { runMotcua as motcua, sqlOn as sql } from '../../tests/support/cli.ts';

const dialect = testDialect();

describe(`motcua calendar (${dialect})`, { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    dir = mkdtempSync(join(tmpdir(), 'motcua-cal-'));
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a shipped year with its days off and make-up working days', async () => {
    const r = await motcua(db, ['calendar', 'show', '2026']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2026: confirmed (shipped with motcua)');
    expect(r.stdout).toMatch(/2026-01-10\s+T7\s+make-up working day/);
    expect(r.stdout).toMatch(/2026-04-27\s+T2\s+day off/);
  });

  it('proposes a later year, then confirms it once', async () => {
    const proposed = await motcua(db, ['calendar', 'propose', '2027']);
    expect(proposed.code).toBe(0);
    expect(proposed.stdout).toContain('2027: proposed');
    expect(proposed.stdout).toMatch(/2027-02-06\s+T7\s+day off/);
    expect((await motcua(db, ['calendar', 'confirm', '2027'])).stdout).toContain('2027 confirmed');
    const again = await motcua(db, ['calendar', 'confirm', '2027']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('error calendar.year_confirmed');
    const rows = await sql<{ action: string; actor_name: string }[]>(
      db,
      "SELECT action, actor_name FROM audit_log WHERE target_type = 'calendar_year' ORDER BY id",
    );
    expect(rows).toEqual([
      { action: 'calendar.year_proposed', actor_name: 'cli:tester' },
      { action: 'calendar.year_confirmed', actor_name: 'cli:tester' },
    ]);
  });

  it('imports a year from a file and refuses a bad one with a clear message', async () => {
    const good = join(dir, '2028.json');
    writeFileSync(good, JSON.stringify({ year: 2028, holidays: [{ date: '2028-01-01', name: 'Tết Dương lịch' }], makeUpDays: [] }));
    const r = await motcua(db, ['calendar', 'import', good]);
    expect(r.stdout).toContain('2028 imported (confirmed): 1 days off');
    expect((await motcua(db, ['calendar', 'show', '2028'])).stdout).toContain('2028: confirmed (stored here)');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ year: 2028, holidays: [{ date: '2028-02-30', name: 'x' }] }));
    const refused = await motcua(db, ['calendar', 'import', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('error calendar.invalid_file: holidays.0.date: a real calendar date');
    writeFileSync(bad, '{ not json');
    expect((await motcua(db, ['calendar', 'import', bad])).stderr).toContain('error calendar.invalid_file');
    expect((await motcua(db, ['calendar', 'show', 'soon'])).stderr).toContain('error request.invalid');
  });
});
