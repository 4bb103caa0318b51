import { defineModule } from '../modules/define-module.ts';
import { everyone } from '../org/roles.ts';
import { attachmentEntities } from './attachment-entities.ts';
import { DatabaseAttachmentStore } from './attachment-store.ts';
import { DossierAttachments } from './attachments.ts';
import { dossierEntities } from './entities.ts';
import { dossiers } from './migrations/0013-dossiers.ts';
import { attachments } from './migrations/0014-attachments.ts';
import { competentUnit } from './migrations/0016-competent-unit.ts';
import { dossierSearch } from './migrations/0017-dossier-search.ts';
import { registerDossierRoutes } from './routes.ts';
import { registerFormRoutes } from './forms/routes.ts';
import { DossierForms } from './forms/service.ts';
import { Dossiers } from './service.ts';
import { registerSearchRoutes } from './search-routes.ts';
import { DossierSearch } from './search.ts';

/** Dossiers (docs/dossiers.md): receipt at the desk, gap-free codes, the dossier's status and history. */
declare module '../modules/ports.ts' {
  interface Ports {
    /** Dossiers: receipt at the desk and the read of one dossier. */
    dossiers: Dossiers;
    /** Scans of a dossier's components: upload, list, download, remove. */
    dossierAttachments: DossierAttachments;
    /** The statutory forms of a dossier (core/dossiers/forms). */
    dossierForms: DossierForms;
    /** Search and list the dossiers of the caller's units (search.ts). */
    dossierSearch: DossierSearch;
  }
}

export const dossiersModule = defineModule({
  id: 'dossiers',
  description: 'Dossiers: receipt at the one-stop desk, codes, status and history',
  requires: ['db', 'clock', 'config', 'audit', 'events', 'engine', 'catalogue', 'calendar'],
  migrations: [dossiers, attachments, competentUnit, dossierSearch],
  entities: [...dossierEntities, ...attachmentEntities],
  permissions: [
    {
      name: 'dossier.receive',
      description: 'Receive, refuse or ask to supplement dossiers at the desks of your units',
      roles: ['receptionist'],
    },
    { name: 'dossier.read', description: 'Read the dossiers of your units', roles: everyone },
  ],
  provides: ['dossiers', 'dossierAttachments', 'dossierForms', 'dossierSearch'],
  create: (s) => {
    const dossiers = new Dossiers(s);
    return {
      dossiers,
      dossierAttachments: new DossierAttachments(s, new DatabaseAttachmentStore()),
      dossierForms: new DossierForms({ ...s, dossiers }),
      dossierSearch: new DossierSearch(s),
    };
  },
  routes(app, ports) {
    registerSearchRoutes(app, ports);
    registerDossierRoutes(app, ports);
    registerFormRoutes(app, ports);
  },
});
