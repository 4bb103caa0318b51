import { defineModule } from '../modules/define-module.ts';
import { foundation } from './migrations/0001-foundation.ts';
import { RoleAssignment, Setting, Unit, UnitNameHistory } from './entities.ts';
import { everyone } from './roles.ts';
import { registerOrgRoutes } from './routes.ts';
import { registerUserRoutes } from './user-routes.ts';

/**
 * The organisation: units (tree, validity, successors), roles and their assignments. Its
 * migration 0001 is the platform's foundation, released before modules existed: it also
 * creates the tables of `auth` (users, sessions, tokens) and `audit`, which require this module.
 */
export const orgModule = defineModule({
  id: 'org',
  description: 'Units, roles and role assignments; users are managed here too',
  requires: ['config', 'db', 'clock', 'permissions', 'audit'],
  migrations: [foundation],
  entities: [Unit, UnitNameHistory, RoleAssignment, Setting],
  permissions: [
    { name: 'unit.read', description: 'See units and their details', roles: everyone },
    { name: 'unit.manage', description: 'Create, rename, move, merge and retire units', roles: ['admin'] },
    { name: 'user.read', description: 'See user accounts and their roles', roles: ['admin', 'hr', 'auditor', 'leader'] },
    { name: 'user.manage', description: 'Create, edit, disable and unlock user accounts', roles: ['admin'] },
    { name: 'role.assign', description: 'Grant and revoke roles within units', roles: ['admin'] },
  ],
  routes(app, ports) {
    registerOrgRoutes(app, ports);
    registerUserRoutes(app, ports);
  },
});
