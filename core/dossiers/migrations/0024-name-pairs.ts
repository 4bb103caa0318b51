import { Migration } from '@mikro-orm/migrations';
import type { Dialect } from '../../config.ts';
import { timestamp, type NamedMigration } from '../../db/migration.ts';
import { ownerNameOf, searchFields } from '../search-fields.ts';

/**
 * Name search at 1,000,000 dossiers (docs/dossiers.md § Search):
 *
 * - `dossier_name_pairs`: every two words of one of a dossier's names in their order, with the
 *   dossier's `listed_at`, index `(pair, listed_at, dossier_id)`: a query's rarest pair gives its
 *   dossiers newest first without reading the dossiers;
 * - the rows already there are folded here by the application's own function (search-fields.ts),
 *   a batch at a time: their pairs, and the `names_folded` and `dossier_words` that migration
 *   core_0017 could not fill in SQL, so a dossier received before either migration is found by name;
 * - the index `(status, appointment_at)` gains `listed_at, id`: province-wide overdue dossiers
 *   newest first are read from it alone (search.ts `overdueDriver`).
 *
 * The statements run one after the other in the migrator's transaction (`execute`, not `addSql`,
 * which would run them after the reads).
 */
const NAME = 'core_0024_dossier_name_pairs';
/** Dossiers read per round, and rows per INSERT (well under SQLite's 32,766 parameters). */
const BATCH = 1000;
const ROWS_PER_INSERT = 2000;

interface Old {
  id: string;
  applicant_name: string;
  owner: string | null;
  names_folded: string | null;
  listed_at: unknown;
}

class NamePairs extends Migration {
  override async up(): Promise<void> {
    const knex = this.getKnex();
    const dialect: Dialect = this.config.get('driver')?.name === 'PostgreSqlDriver' ? 'postgresql' : 'sqlite';
    const schema = knex.schema
      .createTable('dossier_name_pairs', (t) => {
        t.string('dossier_id', 36).notNullable().references('id').inTable('dossiers');
        t.string('pair', 129).notNullable();
        timestamp(t, 'listed_at').notNullable();
        t.primary(['dossier_id', 'pair']);
        t.index(['pair', 'listed_at', 'dossier_id']);
      })
      .alterTable('dossiers', (t) => {
        t.dropIndex(['status', 'appointment_at']);
        t.index(['status', 'appointment_at', 'listed_at', 'id']);
      });
    for (const statement of schema.toSQL() as unknown as { sql: string }[]) if (statement.sql) await this.execute(statement.sql);
    let last = '';
    for (;;) {
      const rows = (await this.execute(
        `SELECT id, applicant_name, owner, names_folded, COALESCE(listed_at, created_at) AS listed_at
           FROM dossiers WHERE id > ? ORDER BY id LIMIT ?`,
        [last, BATCH],
      )) as Old[];
      if (rows.length === 0) break;
      last = rows[rows.length - 1].id;
      const names: [string, string][] = [];
      const words: [string, string][] = [];
      const pairs: [string, string, unknown][] = [];
      for (const r of rows) {
        const f = searchFields({ code: '', applicantName: r.applicant_name, ownerName: ownerNameOf(r.owner) });
        if (r.names_folded !== f.namesFolded) names.push([r.id, f.namesFolded]);
        for (const w of f.words) words.push([r.id, w]);
        for (const p of f.pairs) pairs.push([r.id, p, r.listed_at]);
      }
      await this.insert('UPDATE dossiers SET names_folded = v.column2 FROM (VALUES #) AS v WHERE dossiers.id = v.column1', names, dialect);
      await this.insert('INSERT INTO dossier_words (dossier_id, word) VALUES # ON CONFLICT DO NOTHING', words);
      await this.insert('INSERT INTO dossier_name_pairs (dossier_id, pair, listed_at) VALUES #', pairs);
    }
  }

  /** Runs `statement` with `#` replaced by rows of placeholders, ROWS_PER_INSERT rows at a time. */
  private async insert(statement: string, rows: unknown[][], dialect?: Dialect): Promise<void> {
    for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
      const chunk = rows.slice(at, at + ROWS_PER_INSERT);
      // PostgreSQL types a VALUES list from its first row: cast the first one to text.
      const row = (first: boolean) => `(${chunk[0].map(() => (first && dialect === 'postgresql' ? '?::text' : '?')).join(', ')})`;
      await this.execute(statement.replace('#', chunk.map((_, i) => row(i === 0)).join(', ')), chunk.flat());
    }
  }
}

Object.defineProperty(NamePairs, 'name', { value: NAME });

export const namePairs: NamedMigration = {
  name: NAME,
  class: NamePairs as unknown as NamedMigration['class'],
  tables: ['dossier_name_pairs'],
};
