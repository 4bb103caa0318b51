import { defineMigration, timestamp } from '../../db/migration.ts';

/**
 * Dossier search (`GET /api/dossiers`, docs/dossiers.md § Search), for 1,000,000 dossiers:
 *
 * - `listed_at`: what the list sorts by, newest first: the receipt time once received, else
 *   the creation time (an online submission, a refusal). With `id` it is the keyset cursor;
 * - `code_key`: the code folded to [a-z0-9] (a prefix is an index range on any collation);
 * - `names_folded`: ' word word ' of the applicant's and owner's names, folded as the
 *   catalogue folds (no diacritics, đ → d), for `LIKE '% word%'` on rows already narrowed;
 * - `phone_key`: the applicant's phone, digits only, a leading 84 read as 0;
 * - `dossier_words`: the distinct words of those names, so a word prefix is an index range
 *   (`word >= 'an' AND word < 'ao'`), as `procedure_words` is for the catalogue (ADR 0009).
 *
 * Receipt fills them (search-fields.ts). Rows older than this migration get `listed_at`,
 * `code_key` and `phone_key` here in SQL (codes of the default format hold only letters,
 * digits, dots and hyphens); their names need the application's fold, which SQL on SQLite
 * cannot do, so they are found by code and every filter but not by name. The columns stay
 * nullable: SQLite cannot add NOT NULL columns without a default to a filled table.
 */
export const dossierSearch = defineMigration('core_0017_dossier_search', (schema) =>
  schema
    .alterTable('dossiers', (t) => {
      timestamp(t, 'listed_at').nullable();
      t.string('code_key', 100).nullable();
      t.text('names_folded').nullable();
      t.string('phone_key', 32).nullable();
    })
    .raw('UPDATE dossiers SET listed_at = COALESCE(received_at, created_at)')
    .raw(
      "UPDATE dossiers SET code_key = lower(replace(replace(replace(replace(code, '.', ''), '-', ''), '_', ''), '/', '')), " +
        "phone_key = replace(replace(replace(replace(applicant_phone, ' ', ''), '.', ''), '-', ''), '+', '')",
    )
    .createTable('dossier_words', (t) => {
      t.string('dossier_id', 36).notNullable().references('id').inTable('dossiers');
      t.string('word', 64).notNullable();
      t.primary(['dossier_id', 'word']);
      t.index(['word', 'dossier_id']);
    })
    .alterTable('dossiers', (t) => {
      t.index(['listed_at', 'id']);
      t.index(['unit_id', 'listed_at']);
      t.index(['unit_id', 'status', 'listed_at']);
      t.index(['status', 'listed_at']);
      t.index(['procedure_code', 'listed_at']);
      t.index(['code_key']);
      t.index(['applicant_id_number']);
      t.index(['phone_key']);
      t.index(['status', 'appointment_at']);
    }),
);
