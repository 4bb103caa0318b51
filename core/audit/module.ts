import { defineModule } from '../modules/define-module.ts';
import { AuditLog } from './audit-log.ts';
import { AuditHead, AuditRecord } from './entities.ts';
import { registerAuditRoutes } from './routes.ts';

/** The hash-chained audit trail (ADR 0003): every state change is recorded in its own transaction. */
declare module '../modules/ports.ts' {
  interface Ports {
    /** Appends hash-chained audit records in the caller's transaction (ADR 0003). */
    audit: AuditLog;
  }
}

export const auditModule = defineModule({
  id: 'audit',
  description: 'Hash-chained audit trail and its verification',
  requires: ['clock', 'db', 'config'],
  entities: [AuditRecord, AuditHead],
  permissions: [{ name: 'audit.read', description: 'Read the audit trail', roles: ['auditor'] }],
  provides: ['audit'],
  create: (s) => ({ audit: new AuditLog(s.clock, s.db.dialect, s.config.auditChains) }),
  routes: registerAuditRoutes,
});
