import type { EntitySchema } from '@mikro-orm/core';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Services } from '../context.ts';
import type { NamedMigration } from '../db/migration.ts';
import type { AppEnv } from '../http/env.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { PermissionDefinition } from '../org/roles.ts';

/** The services a module may provide: the long-lived parts of `Services` built after the database. */
export type ProvidedService = Exclude<keyof Services, 'config' | 'db' | 'clock' | 'log' | 'permissions' | 'plugins'>;

/**
 * A core module, declared with the same parts as a plugin (`definePlugin`): what it owns
 * (migrations, entities, permissions, routes, job kinds and chores), the services it provides
 * and the modules whose services it requires. `core/modules/index.ts` lists them; boot orders
 * them by `requires` and composes them, and the names core owns (tables, route bases) are
 * derived from these declarations (ADR 0015).
 */
export interface ModuleDefinition {
  /** Lower-case; a plugin may not take it as its id. */
  id: string;
  description: string;
  /** Modules whose services this one uses: they are created (and their jobs registered) first. */
  requires?: string[];
  /**
   * Migrations of the tables this module owns. Core migrations are applied in the order of
   * their numbers (`core_NNNN_…`), whichever module owns them: that is the order every
   * existing database applied them in.
   */
  migrations?: NamedMigration[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  entities?: EntitySchema<any, any>[];
  permissions?: PermissionDefinition[];
  /** The services this module builds, by name; `create` must return exactly these. */
  provides?: ProvidedService[];
  /** Builds the provided services, once the services of the required modules exist. */
  create?(services: Services): Partial<Pick<Services, ProvidedService>> | Promise<Partial<Pick<Services, ProvidedService>>>;
  /** Job kinds and recurring chores of the module, on the node's job runner. */
  jobs?(runner: JobRunner, services: Services): void;
  /** Registers the module's routes on the app (core routes keep their historical paths under /api). */
  routes?(app: OpenAPIHono<AppEnv>): void;
  /** Stops what `create` started (e.g. a reload poller). */
  stop?(services: Services): void | Promise<void>;
}

/** Identity function that gives a module object its type; boot validates the set (`composeModules`). */
export function defineModule(module: ModuleDefinition): ModuleDefinition {
  return module;
}
