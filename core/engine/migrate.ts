import type { EntityManager } from '@mikro-orm/knex';
import type { JobDeps } from './deps.ts';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import type { LoadedDefinition } from './types.ts';
import { parseRouting } from './routing.ts';
import { runEngine, type RunResult } from './run.ts';
import { csv, type InstanceRow } from './runtime.ts';
import { assertStateFormat, renameActivities, runningActivities } from './state-adapter.ts';
import { Job } from '../jobs/entities.ts';
import { ActivityHistory, MessageSubscription, ProcessInstance, Task } from './entities.ts';
import { SNAPSHOT } from './snapshots.ts';

/**
 * Migration of a waiting instance to another version of its definition (same key).
 *
 * The saved state is bpmn-engine's `getState()`, whose format is undocumented: renaming the
 * activity ids in it is left to state-adapter.ts, which knows the fields and refuses
 * (`process.engine_version_unsupported`) on an engine version it was not written for.
 * Execution ids are kept, so task rows and timer jobs, keyed by execution id, keep pointing at
 * the same waits. The rewritten state is recovered against the target version (no signal) and
 * must wait exactly where the old one waited.
 */

export interface MigrationInput {
  toVersion: number;
  /** `{oldActivityId: newActivityId}`; unmapped activities keep their id. */
  activityMap?: Record<string, string>;
}

export interface MissingCounterpart {
  activityId: string;
  reason: string;
}

interface ContextActivity {
  id: string;
  type: string;
  name?: string;
  parent?: { id: string };
  behaviour?: {
    eventDefinitions?: { type: string }[];
    attachedTo?: { id: string } | string;
    loopCharacteristics?: { isSequential?: boolean } | null;
  };
}

const contextOf = (def: LoadedDefinition) =>
  def.sourceContext as unknown as { id: string; getActivityById(id: string): ContextActivity | undefined };

/** Types that wait alike in the engine: a wait in one may continue in the other. */
const GROUPS = [new Set(['bpmn:UserTask', 'bpmn:ManualTask']), new Set(['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask'])];
const sameKind = (a: string, b: string) => a === b || GROUPS.some((g) => g.has(a) && g.has(b));

const eventTypes = (a: ContextActivity) =>
  (a.behaviour?.eventDefinitions ?? [])
    .map((e) => e.type)
    .sort()
    .join(',');
const attachedId = (a: ContextActivity) =>
  (typeof a.behaviour?.attachedTo === 'string' ? a.behaviour.attachedTo : a.behaviour?.attachedTo?.id) ?? null;
const loop = (a: ContextActivity) =>
  a.behaviour?.loopCharacteristics ? (a.behaviour.loopCharacteristics.isSequential ? 'sequential' : 'parallel') : 'none';

/** Why `oldId` of `from` has no compatible counterpart in `to`, or null when it has one. */
function counterpartProblem(from: LoadedDefinition, to: LoadedDefinition, map: (id: string) => string, oldId: string): string | null {
  const newId = map(oldId);
  const before = contextOf(from).getActivityById(oldId);
  const after = contextOf(to).getActivityById(newId);
  const label = newId === oldId ? `"${newId}"` : `"${newId}" (mapped)`;
  if (!after || !to.activities[newId]) return `no activity ${label} in v${to.version}`;
  if (!before) return null;
  if (!sameKind(before.type, after.type)) return `is a ${before.type}, ${label} in v${to.version} is a ${after.type}`;
  if (eventTypes(before) !== eventTypes(after))
    return `waits on [${eventTypes(before)}], ${label} in v${to.version} on [${eventTypes(after)}]`;
  if (loop(before) !== loop(after)) return `multi-instance ${loop(before)} became ${loop(after)}`;
  const parent = before.parent?.id ?? null;
  const expectedParent = parent && parent !== from.key ? map(parent) : to.key;
  if ((after.parent?.id ?? to.key) !== expectedParent)
    return `lies in "${after.parent?.id}" in v${to.version}, expected "${expectedParent}"`;
  const attached = attachedId(before);
  if (attached && attachedId(after) !== map(attached))
    return `is attached to "${attachedId(after)}" in v${to.version}, expected "${map(attached)}"`;
  const [m0, m1] = [from.activities[oldId], to.activities[newId]];
  if ((m0?.message ?? null) !== (m1?.message ?? null)) return `waits for message "${m0?.message}", ${label} for "${m1?.message}"`;
  if ((m0?.signal ?? null) !== (m1?.signal ?? null)) return `waits for signal "${m0?.signal}", ${label} for "${m1?.signal}"`;
  if (m0?.serviceTask && m0.serviceTask.topic !== m1?.serviceTask?.topic)
    return `calls topic "${m0.serviceTask.topic}", ${label} calls "${m1?.serviceTask?.topic}"`;
  return null;
}

const refuse = (detail: string, extra?: Record<string, unknown>) => new AppError('process.migration_refused', detail, extra);

/** Checks the map against both versions; returns the renaming function. */
export function activityMapper(
  from: LoadedDefinition,
  to: LoadedDefinition,
  activityMap: Record<string, string> = {},
): (id: string) => string {
  const problems: string[] = [];
  const targets = new Map<string, string>();
  for (const [oldId, newId] of Object.entries(activityMap)) {
    if (!from.activities[oldId]) problems.push(`"${oldId}" is not an activity of v${from.version}`);
    if (!to.activities[newId]) problems.push(`"${newId}" is not an activity of v${to.version}`);
    if (targets.has(newId)) problems.push(`"${targets.get(newId)}" and "${oldId}" both map to "${newId}"`);
    targets.set(newId, oldId);
  }
  if (problems.length) throw refuse(`activityMap: ${problems.join('; ')}`);
  return (id) => (Object.hasOwn(activityMap, id) ? activityMap[id] : id);
}

const waits = (r: RunResult, map: (id: string) => string = (id) => id) =>
  [
    ...r.waiting.map((w) => `${map(w.activityId)}@${w.executionId}`),
    ...r.timers.map((t) => `timer ${map(t.activityId)}@${t.executionId}`),
  ].sort();

export interface MigrationResult {
  from: LoadedDefinition;
  to: LoadedDefinition;
  tasks: number;
  jobs: number;
}

/**
 * Moves one waiting instance to `toVersion`, in the caller's transaction: plan and verify
 * in memory first (nothing is written before the target version's engine has recovered the
 * rewritten state and waits where the old one waited), then instance, tasks, jobs, history
 * and audit, under the instance's optimistic lock.
 */
export async function migrateInstance(
  svc: JobDeps,
  em: EntityManager,
  acting: Acting,
  instance: InstanceRow,
  input: MigrationInput,
): Promise<MigrationResult> {
  assertStateFormat();
  if (instance.status !== 'running' || !instance.state)
    throw new AppError('process.not_running', `Instance ${instance.id} is ${instance.status}`);
  const from = await svc.engine.definitions.byId(em, instance.definition_id);
  const to = await svc.engine.definitions.resolve(em, instance.definition_key, input.toVersion);
  if (to.id === from.id) throw refuse(`Instance ${instance.id} is already on v${to.version}`);
  const map = activityMapper(from, to, input.activityMap);

  const state = JSON.parse(instance.state) as object;
  const tasks = await em.find(Task, { instanceId: instance.id, status: 'open' }, { fields: ['id', 'activityId'], ...SNAPSHOT });
  const jobs = await em.find(Job, { instanceId: instance.id, status: 'pending' }, { fields: ['id', 'activityId'], ...SNAPSHOT });
  const { after, ids } = await planMigration(svc, instance, { from, to, map, state, tasks, jobs });
  await writeMigration(svc, em, instance, { to, map, ids, tasks, jobs, state: after.state });
  await svc.audit.append(em, {
    ...acting,
    action: 'process.migrated',
    targetType: 'process_instance',
    targetId: instance.id,
    unitId: instance.unit_id,
    summary: {
      key: to.key,
      fromVersion: from.version,
      toVersion: to.version,
      activityMap: input.activityMap ?? {},
      tasks: tasks.length,
      jobs: jobs.length,
    },
  });
  return { from, to, tasks: tasks.length, jobs: jobs.length };
}

interface Plan {
  from: LoadedDefinition;
  to: LoadedDefinition;
  map: (id: string) => string;
  state: object;
  tasks: Pick<Task, 'id' | 'activityId'>[];
  jobs: Pick<Job, 'id' | 'activityId'>[];
}

/** Checks the move in memory: every activity waited in has a counterpart, and the target version recovers the rewritten state waiting there. */
async function planMigration(svc: JobDeps, instance: InstanceRow, { from, to, map, state, tasks, jobs }: Plan) {
  const variables = JSON.parse(instance.variables) as Record<string, unknown>;
  const before = await runEngine(from, svc.clock, { instanceId: instance.id, state, variables });

  // Every activity the instance waits in must have a compatible counterpart.
  const held = new Set([
    ...runningActivities(state),
    ...before.waiting.map((w) => w.activityId),
    ...before.timers.map((t) => t.activityId),
    ...tasks.map((t) => t.activityId),
    ...jobs.flatMap((j) => (j.activityId ? [j.activityId] : [])),
  ]);
  const missing = missingCounterparts(from, to, map, held);
  if (missing.length) {
    throw refuse(
      `Cannot move instance ${instance.id} from v${from.version} to v${to.version}: ${missing.map((m) => `"${m.activityId}" ${m.reason}`).join('; ')}`,
      { activities: missing },
    );
  }

  // Rewrite, then let the target version's engine recover it: it must wait exactly where the old one did.
  const ids = new Map<string, string>([[contextOf(from).id, contextOf(to).id]]);
  for (const id of Object.keys(from.activities)) if (map(id) !== id) ids.set(id, map(id));
  let after: RunResult;
  try {
    after = await runEngine(to, svc.clock, { instanceId: instance.id, state: renameActivities(state, ids), variables });
  } catch (err) {
    throw refuse(`v${to.version} cannot recover the migrated state of instance ${instance.id}: ${(err as Error).message}`);
  }
  const [expected, got] = [waits(before, map), waits(after)];
  if (after.completed || after.history.length || expected.join('|') !== got.join('|')) {
    const moved = after.history.map((h) => h.activityId);
    throw refuse(
      `v${to.version} does not resume instance ${instance.id} where it waits: expected [${expected.join(', ')}], got [${got.join(', ')}]` +
        (after.completed ? ', and it completed' : '') +
        (moved.length ? `; it moved through ${moved.join(', ')}` : ''),
    );
  }

  return { after, ids };
}

/** The activities held that have no compatible counterpart in the target version (or share one). */
function missingCounterparts(
  from: LoadedDefinition,
  to: LoadedDefinition,
  map: (id: string) => string,
  held: Set<string>,
): MissingCounterpart[] {
  const missing: MissingCounterpart[] = [];
  const becomes = new Map<string, string>();
  for (const id of held) {
    const reason = counterpartProblem(from, to, map, id);
    if (reason) missing.push({ activityId: id, reason });
    else if (becomes.has(map(id))) missing.push({ activityId: id, reason: `would become "${map(id)}" like "${becomes.get(map(id))}"` });
    becomes.set(map(id), id);
  }
  return missing;
}

/** Writes the move under the instance's optimistic lock: instance, tasks, jobs, subscriptions, children, open history. */
async function writeMigration(
  svc: JobDeps,
  em: EntityManager,
  instance: InstanceRow,
  { to, map, ids, tasks, jobs, state }: Pick<Plan, 'to' | 'map' | 'tasks' | 'jobs' | 'state'> & { ids: Map<string, string> },
) {
  const now = svc.clock.now();
  const saved = await em.nativeUpdate(
    ProcessInstance,
    { id: instance.id, lockVersion: instance.lock_version, status: 'running' },
    {
      state: JSON.stringify(state),
      definitionId: to.id,
      definitionVersion: to.version,
      updatedAt: now,
      lockVersion: instance.lock_version + 1,
    },
  );
  if (saved !== 1) throw new AppError('conflict.stale', 'The instance changed meanwhile: reload and retry');

  for (const t of tasks) {
    const id = map(t.activityId);
    const model = to.activities[id];
    const unit = await svc.engine.taskUnit(em, to, id, {
      unitId: instance.unit_id,
      unitPath: instance.unit_path,
      routing: parseRouting(instance.routing),
    });
    await em.nativeUpdate(
      Task,
      { id: t.id },
      {
        activityId: id,
        name: model?.name ?? null,
        formKey: model?.userTask?.formKey ?? null,
        assignee: model?.userTask?.assignee ?? null,
        candidateGroups: csv(model?.userTask?.candidateGroups ?? []),
        candidateUsers: csv(model?.userTask?.candidateUsers ?? []),
        unitId: unit.id,
        unitPath: unit.path,
      },
    );
  }
  for (const j of jobs)
    await em.nativeUpdate(
      Job,
      { id: j.id },
      { activityId: j.activityId ? map(j.activityId) : (j.activityId ?? null), definitionId: to.id },
    );
  // Message waits keep their execution ids and correlation keys; their activity (and message name) follow the map.
  for (const m of await em.find(MessageSubscription, { instanceId: instance.id }, { fields: ['id', 'activityId'], ...SNAPSHOT })) {
    const name = to.activities[map(m.activityId)]?.message;
    if (name) await em.nativeUpdate(MessageSubscription, { id: m.id }, { activityId: map(m.activityId), messageName: name });
  }
  // Called children follow their call activity's new id (the execution they wait on is kept).
  for (const [oldId, newId] of ids) {
    await em.nativeUpdate(ProcessInstance, { parentId: instance.id, parentActivityId: oldId }, { parentActivityId: newId });
  }
  const open = await em.find(ActivityHistory, { instanceId: instance.id, endedAt: null }, { fields: ['id', 'activityId'], ...SNAPSHOT });
  for (const h of open) {
    const id = map(h.activityId);
    if (to.activities[id]) await em.nativeUpdate(ActivityHistory, { id: h.id }, { activityId: id, name: to.activities[id].name ?? null });
  }
}
