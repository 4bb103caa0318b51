import { defineModule } from '../modules/define-module.ts';
import { everyone } from '../org/roles.ts';
import { catalogue } from './migrations/0008-catalogue.ts';
import { registerPublicCataloguePages } from './public-pages.ts';
import { registerCatalogueRoutes } from './routes.ts';
import { Catalogue } from './service.ts';
import { catalogueEntities } from './entities.ts';

/** The procedure catalogue (ADR 0009): versioned procedures, cases pinned to processes, search, public pages. */
declare module '../modules/ports.ts' {
  interface Ports {
    /** The procedure catalogue: versioned procedures, search, import/export for packs. */
    catalogue: Catalogue;
  }
}

export const catalogueModule = defineModule({
  id: 'catalogue',
  description: 'Procedure catalogue and its public pages',
  requires: ['config', 'db', 'log', 'clock', 'audit', 'events', 'engine'],
  migrations: [catalogue],
  entities: catalogueEntities,
  permissions: [
    {
      name: 'catalogue.read',
      description: 'Find and read the procedure catalogue (published versions; drafts need catalogue.edit)',
      roles: everyone,
    },
    { name: 'catalogue.edit', description: 'Create procedures and edit their drafts', roles: ['analyst'] },
    { name: 'catalogue.publish', description: 'Publish and retire procedure versions', roles: ['analyst'] },
  ],
  provides: ['catalogue'],
  create: (s) => ({ catalogue: new Catalogue(s) }),
  routes(app, ports) {
    registerCatalogueRoutes(app, ports);
    registerPublicCataloguePages(app, ports);
  },
});
