import { AppError } from '../errors.ts';

/** The roles of a one-stop province (DOMAIN.md §1–2). Plugins add permissions, not roles. */
export const roles = {
  admin: { vi: 'Quản trị hệ thống', en: 'Administrator' },
  analyst: { vi: 'Cán bộ nghiệp vụ (thiết kế quy trình)', en: 'Business analyst' },
  receptionist: { vi: 'Cán bộ tiếp nhận một cửa', en: 'One-stop receptionist' },
  specialist: { vi: 'Chuyên viên xử lý', en: 'Specialist' },
  leader: { vi: 'Lãnh đạo', en: 'Leader' },
  clerical: { vi: 'Văn thư', en: 'Clerical office' },
  hr: { vi: 'Cán bộ tổ chức cán bộ', en: 'HR officer' },
  auditor: { vi: 'Thanh tra, kiểm tra', en: 'Auditor' },
  viewer: { vi: 'Người xem', en: 'Viewer' },
} as const;

export type Role = keyof typeof roles;
export const roleNames = Object.keys(roles) as Role[];

export function isRole(name: string): name is Role {
  return Object.hasOwn(roles, name);
}

export interface PermissionDefinition {
  /** `<module>.<action>`, e.g. `unit.read`, `queue.call`. */
  name: string;
  description: string;
  /** Roles that hold this permission. `admin` holds every permission implicitly. */
  roles: Role[];
}

const everyone: Role[] = [...roleNames];

/** Core permissions. Each route declares one of these (or a plugin's). */
export const corePermissions: PermissionDefinition[] = [
  { name: 'unit.read', description: 'See units and their details', roles: everyone },
  { name: 'unit.manage', description: 'Create, rename, move, merge and retire units', roles: ['admin'] },
  { name: 'user.read', description: 'See user accounts and their roles', roles: ['admin', 'hr', 'auditor', 'leader'] },
  { name: 'user.manage', description: 'Create, edit, disable and unlock user accounts', roles: ['admin'] },
  { name: 'role.assign', description: 'Grant and revoke roles within units', roles: ['admin'] },
  { name: 'audit.read', description: 'Read the audit trail', roles: ['auditor'] },
  { name: 'process.deploy', description: 'Deploy BPMN process definitions', roles: ['analyst'] },
  { name: 'process.read', description: 'See process definitions and the instances of your units', roles: everyone },
  { name: 'process.start', description: 'Start process instances in your units', roles: ['receptionist', 'analyst'] },
  { name: 'process.cancel', description: 'Cancel running process instances of your units', roles: ['leader'] },
  { name: 'process.migrate', description: 'Move running process instances of your units to another version of their definition', roles: ['analyst'] },
  { name: 'process.operate', description: 'Retry the incidents of process instances of your units (re-queue their failed jobs)', roles: ['leader'] },
  { name: 'process.message', description: 'Send messages to the process instances of your units (POST /api/messages)', roles: ['receptionist', 'specialist', 'leader', 'clerical', 'analyst'] },
  { name: 'catalogue.read', description: 'Find and read the procedure catalogue (published versions; drafts need catalogue.edit)', roles: everyone },
  { name: 'catalogue.edit', description: 'Create procedures and edit their drafts', roles: ['analyst'] },
  { name: 'catalogue.publish', description: 'Publish and retire procedure versions', roles: ['analyst'] },
  { name: 'calendar.manage', description: 'Edit, import, propose and confirm the working-time calendar and per-unit working hours', roles: ['admin'] },
  { name: 'pack.import', description: 'Import procedure packs (dry run and apply) and list installed packs', roles: [] },
  { name: 'pack.export', description: 'Export published procedures as a pack', roles: ['analyst'] },
  { name: 'pack.trust', description: 'Trust and revoke the keys of pack publishers', roles: [] },
  { name: 'task.work', description: 'Work on user tasks you are entitled to (assignee, candidate role in scope)', roles: ['receptionist', 'specialist', 'leader', 'clerical', 'analyst'] },
];

/** Which roles hold which permission: core's and every enabled plugin's. */
export class PermissionRegistry {
  private readonly byName = new Map<string, PermissionDefinition & { owner: string }>();

  constructor(initial: PermissionDefinition[] = corePermissions) {
    for (const p of initial) this.add(p, 'core');
  }

  add(def: PermissionDefinition, owner: string): void {
    const existing = this.byName.get(def.name);
    if (existing) {
      throw new AppError('plugin.conflict', `Permission "${def.name}" is declared by both ${existing.owner} and ${owner}`);
    }
    for (const r of def.roles) {
      if (!isRole(r)) throw new AppError('plugin.invalid', `Permission "${def.name}" of ${owner} names unknown role "${r}"`);
    }
    this.byName.set(def.name, { ...def, owner });
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  roleGrants(role: string, permission: string): boolean {
    if (role === 'admin') return true;
    return this.byName.get(permission)?.roles.includes(role as Role) ?? false;
  }

  list(): (PermissionDefinition & { owner: string })[] {
    return [...this.byName.values()];
  }
}
