import { AppError } from '../errors.ts';
import type { PermissionRegistry } from './roles.ts';

/** A role held within a unit; it reaches the unit and every unit below it. */
export interface Grant {
  role: string;
  unitId: string;
  /** Materialised path of the unit, `/root/…/unit/`. */
  unitPath: string;
}

export type UnitPathLookup = (unitId: string) => Promise<string | null>;

/**
 * Answers "may this principal do P to something in unit U?" by role **and** unit scope.
 * A grant in unit U covers U's subtree; something that belongs to no unit needs a grant
 * at a root unit (a province-wide role).
 */
export class Authz {
  constructor(
    readonly grants: Grant[],
    private readonly permissions: PermissionRegistry,
    private readonly unitPath: UnitPathLookup,
  ) {}

  /** Does any of the principal's roles carry the permission, in some unit? */
  hasAnywhere(permission: string): boolean {
    return this.grants.some((g) => this.permissions.roleGrants(g.role, permission));
  }

  /** Paths of the subtrees where the permission holds (for filtering queries). */
  scopes(permission: string): string[] {
    const paths = this.grants.filter((g) => this.permissions.roleGrants(g.role, permission)).map((g) => g.unitPath);
    // Drop paths already covered by a wider one.
    return paths.filter((p, i) => !paths.some((q, j) => j !== i && p.startsWith(q) && (q !== p || j < i)));
  }

  /** True when the permission holds province-wide (a grant at a root unit). */
  isGlobal(permission: string): boolean {
    return this.scopes(permission).some((p) => p.split('/').filter(Boolean).length === 1);
  }

  /** 403 `auth.forbidden` (with the permission's refusal hint) unless some role carries it in some unit. */
  assertAnywhere(permission: string): void {
    if (!this.hasAnywhere(permission)) throw this.permissions.forbidden(permission);
  }

  async can(permission: string, unitId: string | null | undefined): Promise<boolean> {
    const scopes = this.scopes(permission);
    if (scopes.length === 0) return false;
    if (!unitId) return this.isGlobal(permission);
    const path = await this.unitPath(unitId);
    if (!path) return this.isGlobal(permission);
    return scopes.some((s) => path.startsWith(s));
  }

  canPath(permission: string, path: string | null): boolean {
    if (!path) return this.isGlobal(permission);
    return this.scopes(permission).some((s) => path.startsWith(s));
  }

  /**
   * ADR 0004: what you may not see does not exist for you. Unless `permission` (the permission
   * to read this kind of resource) reaches its unit, throws `notFound()`: the very error a
   * missing id gets, so a 403 never confirms that something exists. Check the action's own
   * permission afterwards with `assert` (403: you see it but may not do this).
   */
  async assertVisible(permission: string, unitId: string | null | undefined, notFound: () => AppError): Promise<void> {
    if (!(await this.can(permission, unitId))) throw notFound();
  }

  /** `assertVisible` for a resource whose unit path is at hand. */
  assertVisiblePath(permission: string, path: string | null, notFound: () => AppError): void {
    if (!this.canPath(permission, path)) throw notFound();
  }

  async assert(permission: string, unitId: string | null | undefined): Promise<void> {
    this.assertAnywhere(permission);
    if (!(await this.can(permission, unitId))) {
      throw new AppError('auth.forbidden_scope', `Permission "${permission}" does not reach this unit`);
    }
  }
}
