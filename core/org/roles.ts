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
  /**
   * What a caller without it is told besides its name, when there is another way to do what
   * they meant (e.g. `process.start`: dossiers start at receipt, `POST /api/dossiers`).
   */
  refusal?: string;
}

/** Every role: for permissions anyone with a role may hold (reading, mostly). */
export const everyone: Role[] = [...roleNames];

/** Which roles hold which permission: core's and every enabled plugin's. */
export class PermissionRegistry {
  private readonly byName = new Map<string, PermissionDefinition & { owner: string }>();

  constructor(initial: PermissionDefinition[] = [], owner = 'core') {
    for (const p of initial) this.add(p, owner);
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

  /** The 403 `auth.forbidden` for a caller who holds the permission nowhere, with its refusal hint. */
  forbidden(permission: string): AppError {
    const refusal = this.byName.get(permission)?.refusal;
    return new AppError('auth.forbidden', `Permission "${permission}" is required${refusal ? `: ${refusal}` : ''}`);
  }

  list(): (PermissionDefinition & { owner: string })[] {
    return [...this.byName.values()];
  }
}
