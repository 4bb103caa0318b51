import type { RowOf } from '../db/row-of.ts';
import type { AuditRecord } from './entities.ts';
/** An `audit_log` row as raw SQL returns it (column names, summary as text on SQLite). */
export type AuditRow = Omit<RowOf<AuditRecord>, 'summary'> & { summary: string | Record<string, unknown> };

/** SQLite returns the JSON column as text, PostgreSQL as an object. */
export function rowSummary(row: Pick<AuditRow, 'summary'>): Record<string, unknown> {
  return typeof row.summary === 'string' ? (JSON.parse(row.summary) as Record<string, unknown>) : row.summary;
}
