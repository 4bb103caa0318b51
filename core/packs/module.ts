import { defineModule } from '../modules/define-module.ts';
import { packs } from './migrations/0009-packs.ts';
import { registerPackRoutes } from './routes.ts';
import { packEntities } from './entities.ts';

/** Signed procedure packs (ADR 0010): verify-and-import, export, trusted keys. */
export const packsModule = defineModule({
  id: 'packs',
  description: 'Signed procedure packs',
  requires: ['config', 'db', 'log', 'clock', 'plugins', 'audit', 'engine', 'catalogue', 'dossierFormTemplates'],
  migrations: [packs],
  entities: packEntities,
  permissions: [
    { name: 'pack.import', description: 'Import procedure packs (dry run and apply) and list installed packs', roles: [] },
    { name: 'pack.export', description: 'Export published procedures as a pack', roles: ['analyst'] },
    { name: 'pack.trust', description: 'Trust and revoke the keys of pack publishers', roles: [] },
  ],
  routes: registerPackRoutes,
});
