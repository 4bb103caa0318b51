import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { col } from '../db/columns.ts';

/** A durable job the runner fires when due (core/jobs/job-runner.ts, migration core_0003_jobs). */
export const Job = defineEntity({
  name: 'Job',
  tableName: 'jobs',
  uniques: [{ properties: ['instanceId', 'executionId'] }],
  indexes: [{ properties: ['status', 'dueAt'] }],
  properties: {
    id: col.id().primary(),
    kind: col.string(32),
    // The migration gives these two foreign keys into the engine's tables, but the engine
    // requires this module, not the other way round: the entity keeps them plain columns so
    // jobs never needs the engine's entities (tests/orm-schema.test.ts names the two keys).
    instanceId: col.id().nullable(),
    definitionId: col.id().nullable().index(),
    activityId: col.string(255).nullable(),
    executionId: col.string(255).nullable(),
    dueAt: col.timestamp(),
    /** pending → done; failed after its last attempt; obsolete when its target vanished. */
    status: col.string(16),
    attempts: p.integer().default(0),
    lockedBy: col.string(128).nullable(),
    lockedUntil: col.timestamp().nullable(),
    lastError: col.text().nullable(),
    /** JSON text. */
    payload: col.text(),
    createdAt: col.timestamp(),
  },
});
export type Job = InferEntity<typeof Job>;
