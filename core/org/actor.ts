import type { AuditActor } from '../audit/audit-log.ts';

/** Who is acting and under which request: every service call that changes state takes one. */
export interface Acting {
  actor: AuditActor;
  requestId: string | null;
}

export function cliActing(): Acting {
  const os = process.env.USER ?? process.env.USERNAME ?? 'operator';
  return { actor: { id: null, name: `cli:${os}` }, requestId: null };
}
