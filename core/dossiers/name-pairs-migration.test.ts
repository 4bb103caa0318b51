import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/platform.ts';
import { migrate, openDatabase, type Database } from '../db/database.ts';
import { sql } from '../db/sql.ts';
import { core } from '../modules/index.ts';
import { Authz } from '../org/authz.ts';
import { PermissionRegistry } from '../org/roles.ts';
import { searchFields } from './search-fields.ts';
import { searchDossiers, type Caps } from './search.ts';

let tdb: TestDatabase | undefined;
let db: Database | undefined;

afterAll(async () => {
  await db?.close();
  await tdb?.drop();
});

const PATH = '/P/Q/';
const reader = new Authz([{ role: 'admin', unitId: 'p', unitPath: '/P/' }], new PermissionRegistry(), async () => null);

/** A dossier row as receipt wrote it at the time: before migration 0017 without any search column. */
async function insertOld(database: Database, n: number, name: string, owner: string | null, at: Date, searchColumns: boolean) {
  const id = crypto.randomUUID();
  const code = `P.Q-260301-${String(n).padStart(4, '0')}`;
  const columns: Record<string, unknown> = {
    id,
    code,
    status: 2,
    payment_status: 'none',
    result_status: 'none',
    sync_status: 'pending',
    channel: 1,
    applicant_kind: 'citizen',
    applicant_name: name,
    owner: owner ? JSON.stringify({ kind: 'citizen', name: owner }) : null,
    procedure_code: '1.000001',
    procedure_name: 'Thủ tục',
    procedure_version: 1,
    case_key: 'standard',
    instance_ids: '[]',
    fees_due: 0,
    fees_paid: 0,
    received_at: at,
    unit_id: 'q',
    unit_path: PATH,
    agency_code: 'P.Q',
    created_at: at,
    updated_at: at,
    lock_version: 1,
  };
  const f = searchFields({ code, applicantName: name, ownerName: owner });
  if (searchColumns) Object.assign(columns, { listed_at: at, code_key: f.codeKey, names_folded: f.namesFolded });
  const keys = Object.keys(columns);
  await sql(database.em()).run(
    `INSERT INTO dossiers (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`,
    keys.map((k) => columns[k]),
  );
  // Receipt between migrations 0017 and 0024 wrote the words, not the pairs.
  if (searchColumns)
    for (const w of f.words) await sql(database.em()).run('INSERT INTO dossier_words (dossier_id, word) VALUES (?, ?)', [id, w]);
  return code;
}

describe('migration core_0024_dossier_name_pairs', () => {
  it('Given dossiers received before migrations 0017 and 0024, When the migrations run, Then they are found by name like new ones, by one word and by several', async () => {
    tdb = await createTestDatabase();
    db = await openDatabase({ dialect: tdb.dialect, database: tdb.database, logLevel: 'silent' }, core);
    const names = core.migrations.map((m) => m.name);
    await db.orm.getMigrator().up({ to: 'core_0016_dossier_competent_unit' });
    const veryOld = await insertOld(db, 1, 'Nguyễn Văn Anh', 'Đặng Thị Bình', new Date('2026-03-01T02:00:00Z'), false);
    await db.orm.getMigrator().up({ to: names[names.indexOf('core_0024_dossier_name_pairs') - 1] });
    const old = await insertOld(db, 2, 'Nguyễn Văn An', null, new Date('2026-03-01T03:00:00Z'), true);
    expect(await migrate(db)).toContain('core_0024_dossier_name_pairs');

    const now = new Date('2026-03-02T00:00:00Z');
    const found = async (q: string, caps?: Caps) => (await searchDossiers(db!.em(), reader, { q }, now, caps)).items.map((i) => i.code);
    for (const caps of [undefined, { word: 1, pair: 1, batch: 1 }]) {
      expect(await found('nguyen van an', caps)).toEqual([old, veryOld]);
      expect(await found('nguyen anh', caps)).toEqual([veryOld]);
      expect(await found('binh', caps)).toEqual([veryOld]);
      expect(await found('dang thi binh', caps)).toEqual([veryOld]);
      expect(await found('van binh', caps)).toEqual([]);
    }
    // the rows the migration wrote are the rows receipt writes
    const pairs = await sql(db.em()).all<{ pair: string }>(
      'SELECT p.pair FROM dossier_name_pairs p JOIN dossiers d ON d.id = p.dossier_id WHERE d.code = ? ORDER BY p.pair',
      [veryOld],
    );
    expect(pairs.map((p) => p.pair)).toEqual(
      searchFields({ code: '', applicantName: 'Nguyễn Văn Anh', ownerName: 'Đặng Thị Bình' }).pairs.sort(),
    );
  }, 120_000);
});
