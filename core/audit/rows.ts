/** An `audit_log` row as raw SQL returns it (column names, summary as text on SQLite). */
export interface AuditRow {
  id: number;
  chain: number;
  seq: number;
  at: string;
  actor_id: string | null;
  actor_name: string;
  action: string;
  target_type: string;
  target_id: string | null;
  unit_id: string | null;
  summary: string | Record<string, unknown>;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

/** SQLite returns the JSON column as text, PostgreSQL as an object. */
export function rowSummary(row: Pick<AuditRow, 'summary'>): Record<string, unknown> {
  return typeof row.summary === 'string' ? (JSON.parse(row.summary) as Record<string, unknown>) : row.summary;
}
