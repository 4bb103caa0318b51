import { auditModule } from '../audit/module.ts';
import { authModule } from '../auth/module.ts';
import { calendarModule } from '../calendar/module.ts';
import { catalogueModule } from '../catalogue/module.ts';
import { dossiersModule } from '../dossiers/module.ts';
import { engineModule } from '../engine/module.ts';
import { eventsModule } from '../events/module.ts';
import { jobsModule } from '../jobs/module.ts';
import { orgModule } from '../org/module.ts';
import { packsModule } from '../packs/module.ts';
import { composeModules } from './compose.ts';
import { systemModule } from './system.ts';
import type { AnyModule } from './define-module.ts';

/** The modules of core. Adding one is one entry here; boot orders them by their `requires`. */
export const coreModules: AnyModule[] = [
  systemModule,
  orgModule,
  authModule,
  auditModule,
  jobsModule,
  eventsModule,
  calendarModule,
  engineModule,
  catalogueModule,
  packsModule,
  dossiersModule,
];

/** Core composed: modules in dependency order, and what core owns, derived from their declarations. */
export const core = composeModules(coreModules);
