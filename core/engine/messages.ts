import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import type { EngineDeps } from './deps.ts';
import type { Command, FreshSubscription } from './commands.ts';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import { toDate } from '../jobs/jobs.ts';
import type { LoadedDefinition } from './types.ts';
import { deleteSubscriptions, insertSubscriptions, type ExecutionRow } from './store.ts';
import { Message, MessageSubscription, ProcessDefinition } from './entities.ts';
import { SNAPSHOT, unitOfInstance } from './snapshots.ts';
import { resolveValue } from './expressions.ts';
import type { RunResult, Waiting } from './run-types.ts';

/**
 * Messages between processes (docs/bpmn-extensions.md §5, "Messages").
 * - A waiting message catch event, receive task, message boundary event (or message start
 *   event of a running instance) is a row of `message_subscriptions`: message name, correlation
 *   key, the instance's unit path; reconciled after every command like user tasks.
 * - `publish` correlates a message to the oldest matching subscription in reach; else starts
 *   an instance of the latest definition whose (top-level) message start event catches it; else
 *   buffers it until its time-to-live runs out. A repeated `messageId` changes nothing.
 * - Message throw events, message end events and send tasks with a message publish inside the
 *   command that ended them, in its transaction (origin `process`).
 * - A message sent through the API (origin `api`) reaches only elements marked
 *   `motcua:external` (on the element or its bpmn:Message), in the sender's units; a name that
 *   no deployed process accepts from outside is refused (`message.not_receivable`), not buffered.
 * - A delivered message's variables land under `messages.<name>` unless the receiving element
 *   maps them with output parameters (message-variables.ts): they never overwrite process variables.
 */

import type { MessageOrigin, PublishInput, PublishResult } from './types.ts';

export type { MessageOrigin, PublishInput, PublishResult } from './types.ts';

/** A message as delivery needs it. */
export interface MessageFacts {
  id: string;
  message_id: string;
  name: string;
  correlation_key: string | null;
  origin: MessageOrigin;
}

/** A subscription as delivery needs it (the shape of a fresh one, commands.ts). */
export type SubscriptionRow = Pick<FreshSubscription, 'id' | 'instance_id' | 'execution_id' | 'activity_id' | 'unit_path'>;

const factsOf = (m: Message): MessageFacts => ({
  id: m.id,
  message_id: m.messageId,
  name: m.name,
  correlation_key: m.correlationKey ?? null,
  origin: m.origin as MessageOrigin,
});

/** The answer to a message id already stored. */
const duplicate = (m: Message): PublishResult => ({
  messageId: m.messageId,
  status: 'duplicate',
  instanceId: m.instanceId ?? null,
  expiresAt: m.status === 'buffered' ? iso(m.expiresAt) : null,
});

const THROWING = new Set(['bpmn:IntermediateThrowEvent', 'bpmn:EndEvent', 'bpmn:SendTask']);
const CATCHING = new Set(['bpmn:MessageEventDefinition', 'bpmn:ReceiveTask']);

const inScope = (scope: string[] | null, path: string | null) => scope === null || (!!path && scope.some((s) => path.startsWith(s)));

const iso = (v: unknown) => toDate(v).toISOString();

/** The correlation key of a message element: its `motcua:correlationKey`, else the business key. */
export function correlationKeyOf(
  def: LoadedDefinition,
  activityId: string,
  variables: Record<string, unknown>,
  businessKey: string | null,
): string | null {
  const expr = def.activities[activityId]?.correlationKey;
  if (!expr) return businessKey;
  const value = resolveValue(expr, { environment: { variables } });
  return value === undefined || value === null || value === '' ? null : String(value);
}

/** Does this waiting activity wait for a message (and which)? */
export function messageWaitOf(def: LoadedDefinition, w: Waiting): string | null {
  const name = def.activities[w.activityId]?.message;
  return name && CATCHING.has(w.type) ? name : null;
}

async function audit(
  em: EntityManager,
  svc: EngineDeps,
  acting: Acting,
  action: string,
  target: { type: string; id: string; unitId?: string | null },
  summary: Record<string, unknown>,
) {
  await svc.audit.append(em, { ...acting, action, targetType: target.type, targetId: target.id, unitId: target.unitId ?? null, summary });
}

/** A message delivered to a subscription (the instance took it): the message row, its audit record and event. */
export async function recordDelivery(
  em: EntityManager,
  deps: EngineDeps,
  acting: Acting,
  sub: SubscriptionRow,
  msg: MessageFacts,
  variables: Record<string, unknown>,
): Promise<void> {
  await recordCorrelation(
    em,
    deps,
    acting,
    msg,
    { instanceId: sub.instance_id, unitId: await unitOfInstance(em, sub.instance_id), activityId: sub.activity_id },
    {
      variables: Object.keys(variables),
    },
  );
}

/** Does any deployed process accept this message from outside (`motcua:external`)? */
async function receivableFromOutside(em: EntityManager, name: string): Promise<boolean> {
  const rows = await em.find(
    ProcessDefinition,
    { activities: { $like: '%"externalMessage":true%' } },
    { fields: ['activities'], ...SNAPSHOT },
  );
  return rows.some((r) =>
    Object.values(JSON.parse(r.activities) as Record<string, { message?: string; externalMessage?: boolean }>).some(
      (m) => m.externalMessage && m.message === name,
    ),
  );
}

export interface StartCandidate {
  definitionId: string;
  key: string;
  activityId: string;
}

/** Latest definitions whose top-level message start event catches this message name (from outside: marked external). */
async function messageStarts(em: EntityManager, name: string, origin: MessageOrigin): Promise<StartCandidate[]> {
  // Each key's latest version (a correlated sub-query), when it has a message element at all.
  const latest = em
    .createQueryBuilder(ProcessDefinition, 'x')
    .select(raw('max(x.version)'))
    .where({ key: raw('d.key') });
  const rows = await em
    .createQueryBuilder(ProcessDefinition, 'd')
    .select(['d.id', 'd.key', 'd.activities'])
    .where({ version: { $in: latest.getKnexQuery() }, activities: { $like: '%"message":%' } })
    .orderBy({ key: 'asc' })
    .execute<{ id: string; key: string; activities: string }[]>('all');
  const out: StartCandidate[] = [];
  for (const r of rows) {
    const models = Object.values(
      JSON.parse(r.activities) as Record<string, { id: string; type: string; message?: string; externalMessage?: boolean }>,
    );
    const starts = models.filter((m) => m.type === 'bpmn:StartEvent' && m.message === name && (origin === 'process' || m.externalMessage));
    if (!starts.length) continue;
    // Only the process's own start events: an event sub-process's message start belongs to a running instance.
    const { context } = await em.findOneOrFail(ProcessDefinition, { id: r.id }, { fields: ['context'], ...SNAPSHOT });
    const { activities = [] } = JSON.parse(context) as { activities?: { id: string; parent?: { id: string } }[] };
    const parentOf = new Map(activities.map((a) => [a.id, a.parent?.id]));
    for (const m of starts) if (parentOf.get(m.id) === r.key) out.push({ definitionId: r.id, key: r.key, activityId: m.id });
  }
  return out;
}

/**
 * Correlates, starts or buffers one message (see the file comment): the runtime's command, run
 * in its drain loop (runtime.ts `publishMessage`). For POST /api/messages.
 */
export async function publish(
  em: EntityManager,
  svc: { engine: { publishMessage(em: EntityManager, acting: Acting, input: PublishInput): Promise<PublishResult> } },
  acting: Acting,
  input: PublishInput,
): Promise<PublishResult> {
  return svc.engine.publishMessage(em, acting, input);
}

/** A stored message, and where it may go: subscriptions in reach (oldest first), then message start events. */
export type Correlation =
  { done: PublishResult } | { done: null; msg: MessageFacts; subscriptions: SubscriptionRow[]; starts: StartCandidate[]; expiresAt: Date };

/** The first half of `publish`: refuses, answers a duplicate, or stores the message `pending` and finds its candidates. */
export async function correlate(em: EntityManager, svc: EngineDeps, acting: Acting, input: PublishInput): Promise<Correlation> {
  const now = svc.clock.now();
  if (input.origin === 'api' && !(await receivableFromOutside(em, input.name))) {
    throw new AppError(
      'message.not_receivable',
      `No deployed process accepts message "${input.name}" from outside: only elements marked motcua:external do`,
      { name: input.name },
    );
  }
  if (input.messageId) {
    const seen = await em.findOne(Message, { messageId: input.messageId }, SNAPSHOT);
    if (seen) return { done: duplicate(seen) };
  }
  // Buffered messages past their time to live are never delivered (`bufferedFor` reads only
  // unexpired ones); the hourly purge marks them `expired` (message-purge.ts), not every publish.
  const msg: MessageFacts = {
    id: crypto.randomUUID(),
    message_id: input.messageId ?? crypto.randomUUID(),
    name: input.name,
    correlation_key: input.correlationKey,
    origin: input.origin,
  };
  const expiresAt = new Date(now.getTime() + svc.config.messageTtlMs);
  await em
    .createQueryBuilder(Message)
    .insert({
      id: msg.id,
      messageId: msg.message_id,
      name: msg.name,
      correlationKey: msg.correlation_key,
      variables: JSON.stringify(input.variables),
      scope: input.scope ? JSON.stringify(input.scope) : null,
      origin: msg.origin,
      status: 'pending',
      instanceId: null,
      sentBy: acting.actor.id,
      createdAt: now,
      expiresAt,
      correlatedAt: null,
    })
    .onConflict('messageId')
    .ignore()
    .execute();
  if (input.messageId) {
    // The same message id sent twice at once: the first insert waits for or follows the other's
    // commit and does nothing, so the repeat answers `duplicate` instead of a 409.
    const stored = await em.findOne(Message, { messageId: input.messageId }, SNAPSHOT);
    if (stored && stored.id !== msg.id) return { done: duplicate(stored) };
  }
  const subs = await em.find(
    MessageSubscription,
    { messageName: input.name, correlationKey: input.correlationKey, ...(input.origin === 'api' && { external: true }) },
    { orderBy: { createdAt: 'asc', id: 'asc' }, ...SNAPSHOT },
  );
  return {
    done: null,
    msg,
    subscriptions: subs
      .filter((sub) => inScope(input.scope, sub.unitPath ?? null))
      .map((sub) => ({
        id: sub.id,
        instance_id: sub.instanceId,
        execution_id: sub.executionId,
        activity_id: sub.activityId,
        unit_path: sub.unitPath ?? null,
      })),
    starts: await messageStarts(em, input.name, input.origin),
    expiresAt,
  };
}

/** A message that started an instance at its message start event: the message row, audit record and event. */
export async function recordStart(
  em: EntityManager,
  deps: EngineDeps,
  acting: Acting,
  msg: MessageFacts,
  start: StartCandidate,
  instance: { id: string; unitId: string | null },
): Promise<void> {
  await recordCorrelation(
    em,
    deps,
    acting,
    msg,
    { instanceId: instance.id, unitId: instance.unitId, activityId: start.activityId },
    { started: true },
  );
}

/**
 * The message row marked correlated, its audit record (with `detail`: the variables it carried,
 * or that it started the instance) and the `message.correlated` event.
 */
async function recordCorrelation(
  em: EntityManager,
  deps: EngineDeps,
  acting: Acting,
  msg: MessageFacts,
  to: { instanceId: string; unitId: string | null; activityId: string },
  detail: { variables: string[] } | { started: true },
): Promise<void> {
  await em.nativeUpdate(
    Message,
    { id: msg.id },
    { status: 'correlated', instanceId: to.instanceId, activityId: to.activityId, correlatedAt: deps.clock.now() },
  );
  const facts = {
    name: msg.name,
    correlationKey: msg.correlation_key,
    messageId: msg.message_id,
    origin: msg.origin,
    activityId: to.activityId,
  };
  await audit(
    em,
    deps,
    acting,
    'message.correlated',
    { type: 'process_instance', id: to.instanceId, unitId: to.unitId },
    { ...facts, ...detail },
  );
  await deps.events.publish(em, 'message.correlated', { ...facts, instanceId: to.instanceId, started: 'started' in detail }, acting);
}

/** No subscription took the message and no message start event: it waits, until its time-to-live runs out. */
export async function buffer(
  em: EntityManager,
  deps: EngineDeps,
  acting: Acting,
  msg: MessageFacts,
  expiresAt: Date,
): Promise<PublishResult> {
  // Pending until now, so that no command run before this one could take it as a buffered message.
  await em.nativeUpdate(Message, { id: msg.id }, { status: 'buffered' });
  await audit(
    em,
    deps,
    acting,
    'message.buffered',
    { type: 'message', id: msg.id },
    {
      name: msg.name,
      correlationKey: msg.correlation_key,
      messageId: msg.message_id,
      origin: msg.origin,
      expiresAt: expiresAt.toISOString(),
    },
  );
  return { messageId: msg.message_id, status: 'buffered', instanceId: null, expiresAt: expiresAt.toISOString() };
}

/**
 * After every command, in its transaction: reconcile the instance's subscriptions with its
 * waiting message activities (rows written here), and answer with the follow-up commands: the
 * messages of throw events, message end events and send tasks that ended (`publish`), and the
 * new subscriptions that a buffered message may match (`deliverBuffered`).
 */
export async function messageEffects(
  em: EntityManager,
  svc: EngineDeps,
  acting: Acting,
  def: LoadedDefinition,
  instance: { id: string; unitId: string | null; unitPath: string | null; businessKey: string | null },
  result: RunResult,
  /** The instance's message subscriptions, read at the start of the command (instance-rows.ts). */
  rows: ExecutionRow[],
): Promise<Command[]> {
  const waits = result.waiting.map((w) => ({ w, name: messageWaitOf(def, w) })).filter((x) => x.name);
  const live = new Set(waits.map((x) => x.w.executionId));
  const gone = rows.filter((r) => !live.has(r.execution_id)).map((r) => r.id);
  await deleteSubscriptions(em, gone);
  const known = new Set(rows.map((r) => r.execution_id));
  const throws = result.history.filter(
    (h) => h.endedAt && !h.discarded && THROWING.has(def.activities[h.activityId]?.type ?? '') && def.activities[h.activityId]?.message,
  );
  const businessKey = instance.businessKey;
  const now = svc.clock.now();
  const fresh: FreshSubscription[] = [];
  for (const { w, name } of waits) {
    if (known.has(w.executionId)) continue;
    fresh.push({
      id: crypto.randomUUID(),
      instance_id: instance.id,
      execution_id: w.executionId,
      activity_id: w.activityId,
      unit_path: instance.unitPath,
      name: name!,
      key: correlationKeyOf(def, w.activityId, result.variables, businessKey),
      external: def.activities[w.activityId]?.externalMessage === true,
    });
  }
  await insertSubscriptions(em, fresh, now);
  const follow: Command[] = throws.map((h) => ({
    kind: 'publish',
    acting,
    input: {
      name: def.activities[h.activityId]!.message!,
      origin: 'process',
      correlationKey: correlationKeyOf(def, h.activityId, result.variables, businessKey),
      variables: result.variables,
      messageId: `${instance.id}:${h.executionId}`,
      scope: null,
      unit: { id: instance.unitId, path: instance.unitPath },
    },
  }));
  if (fresh.length) follow.push({ kind: 'deliverBuffered', acting, subscriptions: fresh });
  return follow;
}

/** The oldest buffered message in reach that a new subscription matches (a message from the API: only an external one). */
export async function bufferedFor(
  em: EntityManager,
  svc: EngineDeps,
  sub: FreshSubscription,
): Promise<(MessageFacts & { variables: string }) | null> {
  const buffered = await em.find(
    Message,
    {
      status: 'buffered',
      name: sub.name,
      correlationKey: sub.key,
      ...(!sub.external && { origin: 'process' }),
      expiresAt: { $gt: svc.clock.now() },
    },
    { orderBy: { createdAt: 'asc', id: 'asc' }, ...SNAPSHOT },
  );
  const found = buffered.find((m) => inScope(m.scope ? (JSON.parse(m.scope) as string[]) : null, sub.unit_path));
  return found ? { ...factsOf(found), variables: found.variables } : null;
}
