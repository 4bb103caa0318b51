import { defineModule } from '../modules/define-module.ts';
import { everyone } from '../org/roles.ts';
import { attachmentEntities } from './attachment-entities.ts';
import { DatabaseAttachmentStore } from './attachment-store.ts';
import { DossierAttachments } from './attachments.ts';
import { dossierEntities } from './entities.ts';
import { dossiers } from './migrations/0013-dossiers.ts';
import { attachments } from './migrations/0014-attachments.ts';
import { competentUnit } from './migrations/0016-competent-unit.ts';
import { registerDossierRoutes } from './routes.ts';
import { registerFormRoutes } from './forms/routes.ts';
import { DossierForms } from './forms/service.ts';
import { Dossiers } from './service.ts';
import { taskDossiers } from './task-details.ts';
import { followProcess } from './progress.ts';

/** Dossiers (docs/dossiers.md): receipt at the desk, gap-free codes, the dossier's status and history. */
declare module '../modules/ports.ts' {
  interface Ports {
    /** Dossiers: receipt at the desk and the read of one dossier. */
    dossiers: Dossiers;
    /** Scans of a dossier's components: upload, list, download, remove. */
    dossierAttachments: DossierAttachments;
    /** The statutory forms of a dossier (core/dossiers/forms). */
    dossierForms: DossierForms;
  }
}

export const dossiersModule = defineModule({
  id: 'dossiers',
  description: 'Dossiers: receipt at the one-stop desk, codes, status and history',
  requires: ['db', 'clock', 'config', 'audit', 'events', 'engine', 'catalogue', 'calendar'],
  migrations: [dossiers, attachments, competentUnit],
  entities: [...dossierEntities, ...attachmentEntities],
  permissions: [
    {
      name: 'dossier.receive',
      description: 'Receive, refuse or ask to supplement dossiers at the desks of your units',
      roles: ['receptionist'],
    },
    { name: 'dossier.read', description: 'Read the dossiers of your units', roles: everyone },
  ],
  provides: ['dossiers', 'dossierAttachments', 'dossierForms'],
  create: (s) => {
    const dossiers = new Dossiers(s);
    s.engine.taskDetails.register('dossier', taskDossiers(s));
    followProcess(s);
    return {
      dossiers,
      dossierAttachments: new DossierAttachments(s, new DatabaseAttachmentStore()),
      dossierForms: new DossierForms({ ...s, dossiers }),
    };
  },
  routes(app, ports) {
    registerDossierRoutes(app, ports);
    registerFormRoutes(app, ports);
  },
});
