import { defineMigration } from '../../db/migration.ts';

/**
 * `process_instances.routing`: where the instance's steps go when the diagram names no unit
 * (JSON of `Routing`, core/engine/types.ts), pinned at start by the dossier module from the
 * receiving desk and the case's competent agency. Null for instances started before, and for
 * raw starts: their steps go to the instance's unit as before.
 */
export const instanceRouting = defineMigration('core_0015_instance_routing', (schema) =>
  schema.alterTable('process_instances', (t) => {
    t.text('routing').nullable();
  }),
);
