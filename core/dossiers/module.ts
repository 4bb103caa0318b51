import { defineModule } from '../modules/define-module.ts';
import { everyone } from '../org/roles.ts';
import { attachmentEntities } from './attachment-entities.ts';
import { DatabaseAttachmentStore } from './attachment-store.ts';
import { DossierAttachments } from './attachments.ts';
import { dossierEntities } from './entities.ts';
import { dossiers } from './migrations/0013-dossiers.ts';
import { attachments } from './migrations/0014-attachments.ts';
import { competentUnit } from './migrations/0016-competent-unit.ts';
import { lookup } from './migrations/0018-lookup.ts';
import { dossierBranches } from './migrations/0020-dossier-branches.ts';
import { supplementExtension } from './migrations/0023-supplement-extension.ts';
import { attachmentSteps } from './migrations/0027-attachment-steps.ts';
import { supplementEntities } from './supplement-entities.ts';
import { holdWhileSupplementing } from './supplement.ts';
import { LAPSE_JOB } from './supplement-lapse.ts';
import { DossierBranches } from './branches.ts';
import { registerBranchRoutes } from './branch-routes.ts';
import { resolveOnProcessEnd } from './completion.ts';
import { hops } from './migrations/0021-hops.ts';
import { hopEntities } from './hop-entities.ts';
import { recordHops } from './hops.ts';
import { hopLines } from './lookup-hops.ts';
import { DossierLookup, statusHistory } from './lookup.ts';
import { lookupEntities } from './lookup-entities.ts';
import { registerLookupRoutes } from './lookup-routes.ts';
import { registerLookupPages } from './lookup-pages.ts';
import { registerLookupThrottlePurge } from './lookup-throttle.ts';
import { dossierSearch } from './migrations/0017-dossier-search.ts';
import { portal } from './migrations/0022-portal.ts';
import { namePairs } from './migrations/0024-name-pairs.ts';
import { PortalSync } from './portal/entities.ts';
import { enqueuePortalSync } from './portal/enqueue.ts';
import { PortalDelivery } from './portal/delivery.ts';
import { portalSenderContribution } from './portal/sender.ts';
import { registerPortalRoutes } from './portal/routes.ts';
import { registerDossierRoutes } from './routes.ts';
import { registerFormRoutes } from './forms/routes.ts';
import { DossierForms } from './forms/service.ts';
import { formTemplateEntities } from './forms/template-entities.ts';
import { DossierFormTemplates } from './forms/template-store.ts';
import { formTemplates } from './migrations/0028-form-templates.ts';
import { Dossiers } from './service.ts';
import { taskDossiers } from './task-details.ts';
import { capAtAppointment } from './step-deadlines.ts';
import { followProcess } from './progress.ts';
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
    /** The statutory form templates packs bring: checked before a pack's transaction, installed in it (forms/template-store.ts). */
    dossierFormTemplates: DossierFormTemplates;
    /** The public lookup by code and secret, and the applicant's evaluation (lookup.ts). */
    dossierLookup: DossierLookup;
    /** Search and list the dossiers of the caller's units (search.ts). */
    dossierSearch: DossierSearch;
    /** The national-portal sync outbox's sender loop and operator retry (portal/, docs/portal-sync.md). */
    portalSync: PortalDelivery;
    /** The branches after receipt: payment, withdrawal, stop, supplement, extension, return of the result (branches.ts, transitions.ts). */
    dossierBranches: DossierBranches;
  }
}

export const dossiersModule = defineModule({
  id: 'dossiers',
  description: 'Dossiers: receipt at the one-stop desk, codes, status and history',
  requires: ['db', 'clock', 'config', 'log', 'plugins', 'permissions', 'audit', 'events', 'engine', 'catalogue', 'calendar'],
  migrations: [
    dossiers,
    attachments,
    competentUnit,
    dossierSearch,
    lookup,
    hops,
    dossierBranches,
    portal,
    supplementExtension,
    namePairs,
    attachmentSteps,
    formTemplates,
  ],
  entities: [
    ...dossierEntities,
    ...attachmentEntities,
    ...lookupEntities,
    ...hopEntities,
    PortalSync,
    ...supplementEntities,
    ...formTemplateEntities,
  ],
  extensionPoints: {
    'portal.sender': {
      description:
        'Sends dossier changes to the national portal: { name, create(ctx) => { send(payload, { idempotencyKey, attempt }) } } (docs/portal-sync.md)',
      schema: portalSenderContribution,
    },
  },
  permissions: [
    {
      name: 'dossier.receive',
      description: 'Receive, refuse or ask to supplement dossiers at the desks of your units',
      roles: ['receptionist'],
    },
    { name: 'dossier.read', description: 'Read the dossiers of your units', roles: everyone },
    {
      name: 'dossier.process',
      description: 'Take the processing branches of the dossiers your units work on: request a payment or a supplement, stop',
      roles: ['specialist', 'leader'],
    },
    {
      name: 'portal.manage',
      description: 'See the national-portal sync outbox and send its rows again (IT staff; held province-wide)',
      roles: ['admin'],
    },
    {
      name: 'dossier.extend',
      description: 'Apologise for a late dossier and set a later appointment (form 04), as a leader of the unit it is late in',
      roles: ['leader'],
    },
  ],
  provides: [
    'dossiers',
    'dossierAttachments',
    'dossierForms',
    'dossierFormTemplates',
    'dossierLookup',
    'dossierSearch',
    'portalSync',
    'dossierBranches',
  ],
  create: (s) => {
    PortalDelivery.check(s);
    const dossiers = new Dossiers(s);
    s.engine.taskDetails.register('dossier', taskDossiers(s));
    s.engine.taskDue.register('dossier.appointment', capAtAppointment());
    followProcess(s);
    recordHops(s);
    enqueuePortalSync(s);
    resolveOnProcessEnd(s);
    holdWhileSupplementing(s);
    return {
      dossiers,
      dossierAttachments: new DossierAttachments(s, new DatabaseAttachmentStore()),
      dossierForms: new DossierForms({ ...s, dossiers }),
      dossierFormTemplates: new DossierFormTemplates(s),
      dossierLookup: new DossierLookup(s, [statusHistory, hopLines]),
      dossierSearch: new DossierSearch(s),
      portalSync: new PortalDelivery(s),
      dossierBranches: new DossierBranches({ ...s, dossiers }),
    };
  },
  routes(app, ports) {
    registerSearchRoutes(app, ports);
    registerDossierRoutes(app, ports);
    registerBranchRoutes(app, ports);
    registerFormRoutes(app, ports);
    registerLookupRoutes(app, ports);
    registerLookupPages(app, ports);
    registerPortalRoutes(app, ports);
  },
  jobs: (runner, ports) => {
    registerLookupThrottlePurge(runner, ports);
    // The applicant's supplement deadline: the dossier lapses when it passes (branches.ts).
    runner.register(LAPSE_JOB, (em, job) => ports.dossierBranches.lapse(em, job));
    // After every polling pass, like the events outbox: a change reaches the portal within about MOTCUA_JOB_POLL_MS.
    runner.every('portal-sync', 0, async () => {
      await ports.portalSync.deliverDue();
    });
  },
});
