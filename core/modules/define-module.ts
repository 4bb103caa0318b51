import type { EntitySchema } from '@mikro-orm/core';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { NamedMigration } from '../db/migration.ts';
import type { AppEnv } from '../http/env.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { PermissionDefinition } from '../org/roles.ts';
import type { PortName, Ports } from './ports.ts';
import type { ExtensionPoint } from '../plugin-host/define-plugin.ts';

/**
 * A core module, declared with the same parts as a plugin (`definePlugin`): what it owns
 * (migrations, entities, permissions, routes, job kinds and chores), the ports it provides and
 * the ports it requires. `core/modules/index.ts` lists the modules; boot orders them so that
 * every required port is built first, and hands each module exactly the ports it requires. The
 * names core owns (tables, route bases) are derived from these declarations (ADR 0015).
 *
 * `R` are the ports the module requires, `P` those it provides (both inferred by `defineModule`).
 */
export interface ModuleDefinition<R extends PortName = never, P extends PortName = never> {
  /** Lower-case; a plugin may not take it as its id. */
  id: string;
  description: string;
  /** Ports this module uses: the system's (ports.ts) and those other modules provide. */
  requires?: readonly R[];
  /**
   * Migrations of the tables this module owns. Core migrations are applied in the order of
   * their numbers (`core_NNNN_…`), whichever module owns them: that is the order every
   * existing database applied them in.
   */
  migrations?: NamedMigration[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  entities?: EntitySchema<any, any>[];
  permissions?: PermissionDefinition[];
  /**
   * Points where plugins contribute to core, named `<module area>.<point>` (e.g. `portal.sender`):
   * a plugin's `contributions` to it are validated against the schema at boot, like a plugin's
   * own points (docs/plugin-guide.md, "Extension points").
   */
  extensionPoints?: Record<string, ExtensionPoint>;
  /** The ports this module builds, by name; `create` must return exactly these. */
  provides?: readonly P[];
  /** Builds the provided ports from the required ones. */
  create?(ports: Pick<Ports, R>): Pick<Ports, P> | Promise<Pick<Ports, P>>;
  /** Job kinds and recurring chores of the module, on the node's job runner. */
  jobs?(runner: JobRunner, ports: Pick<Ports, R | P>): void;
  /**
   * Registers the module's routes on the app (core routes keep their historical paths under
   * /api). Handlers reach the ports through the closure; registering must not use them (the
   * route bases are derived on a scratch router without ports).
   */
  routes?(app: OpenAPIHono<AppEnv>, ports: Pick<Ports, R | P>): void;
  /** Stops what `create` started (e.g. a reload poller). */
  stop?(ports: Pick<Ports, R | P>): void | Promise<void>;
}

/** A module of any ports, as lists and boot hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModule = ModuleDefinition<any, any>;

/** Gives a module object its type, inferring its required and provided ports; boot validates the set (`composeModules`). */
export function defineModule<const R extends PortName = never, const P extends PortName = never>(
  module: ModuleDefinition<R, P>,
): ModuleDefinition<R, P> {
  return module;
}
