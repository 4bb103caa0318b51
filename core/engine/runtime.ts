import type { EntityManager } from '@mikro-orm/knex';
import type { EngineDeps } from './deps.ts';
import { drain, type Command, type Step } from './commands.ts';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import { DefinitionStore, type LoadedDefinition } from './definitions.ts';
import { runEngine, type RunResult, type Signal } from './run.ts';
import { syncTimerJobs, type FiringJob } from './timer-jobs.ts';
import { syncServiceJobs, syncServiceTasks, type HandlerOutcome } from './service-tasks.ts';
import { resolveInstanceIncidents, settleIncidents } from './incidents.ts';
import { insertInstance, loadInstance, loadInstanceRows, loadTask, saveInstance, writeHistory } from './store.ts';
import { ActivityHistory, MessageSubscription, ProcessInstance, Task } from './entities.ts';
import { Job } from '../jobs/entities.ts';
import { SNAPSHOT } from './snapshots.ts';
import {
  buffer,
  bufferedFor,
  correlate,
  messageEffects,
  recordDelivery,
  recordStart,
  type PublishInput,
  type PublishResult,
} from './messages.ts';
import { receivedVariables } from './message-variables.ts';
import { ACTIVE, type InstanceRow, type InstanceStatus, type TaskRow } from './rows.ts';
import {
  callEffects,
  childCancels,
  childCancelled,
  childStart,
  childStarted,
  endedByError,
  needsChild,
  parentLink,
  parentResumed,
  resumeSignal,
} from './call-activities.ts';
import type { Variables } from './io-mapping.ts';

export type { InstanceRow, InstanceStatus, TaskRow } from './rows.ts';
export { csv } from './rows.ts';

import type { Routing, StartInput } from './types.ts';
import { parseRouting } from './routing.ts';
import { TaskDetails } from './task-details.ts';
import { TaskDueRules } from './task-due.ts';
import { retimeOpenTasks, type Retimed } from './task-retime.ts';
import { closeCommandTasks, openCommandTasks, taskFacts, taskUnit, type CommandTarget, type SentBack } from './task-writes.ts';
import { planSendBack } from './send-back.ts';

export type { StartInput } from './types.ts';

const target = (r: InstanceRow): CommandTarget => ({
  id: r.id,
  lockVersion: r.lock_version,
  unitId: r.unit_id,
  unitPath: r.unit_path,
  parentId: r.parent_id ?? null,
  businessKey: r.business_key,
  routing: parseRouting(r.routing),
});

/** The answers for a missing instance or task, and for one the caller may not see (ADR 0004). */
export { instanceNotFound, taskNotFound } from './store.ts';

/**
 * Durable process execution. Every command is one transaction of the caller's: load the
 * instance → recover the engine from its saved state → signal → run until every path waits
 * → write tasks, history and audit rows → save state under optimistic locking.
 */
export class ProcessRuntime {
  readonly definitions: DefinitionStore;
  /** What other modules add to listed tasks (task-details.ts): the dossiers module adds each task's dossier. */
  readonly taskDetails = new TaskDetails();
  /** What other modules say about a new task's due time (task-due.ts): the dossiers module caps steps at the appointment. */
  readonly taskDue = new TaskDueRules();

  constructor(private readonly svc: EngineDeps) {
    this.definitions = new DefinitionStore(svc);
  }

  /**
   * The due-time rules run again over the open tasks of a business key, in the caller's
   * transaction (task-retime.ts): e.g. the dossiers module's after the appointment moved.
   */
  retimeOpenTasks(em: EntityManager, businessKey: string): Promise<Retimed[]> {
    return retimeOpenTasks(em, { calendar: this.svc.calendar, dueRules: this.taskDue, definitions: this.definitions }, businessKey);
  }

  /** Runs the follow-up commands of a first step in this transaction (commands.ts `drain`). */
  private drain<T>(em: EntityManager, first: () => Promise<Step<T>>): Promise<T> {
    // The audit records of the whole command, follow-ups included, are written together at its end.
    return this.svc.audit.batch(em, async () => drain(await first(), (command) => this.run(em, command)));
  }

  /** One follow-up command: its own rows written, its follow-ups returned. */
  private async run(em: EntityManager, c: Command): Promise<Step<unknown>> {
    switch (c.kind) {
      case 'publish':
        return this.publishStep(em, c.acting, c.input);
      case 'deliverBuffered':
        // One buffered message at most: the delivery's own command hands out the next.
        for (const sub of c.subscriptions) {
          const msg = await bufferedFor(em, this.svc, sub);
          if (!msg) continue;
          const variables = JSON.parse(msg.variables) as Record<string, unknown>;
          const step = await this.deliverStep(em, c.acting, sub, msg, variables);
          if (step.value) return step;
        }
        return { value: false, follow: [] };
      case 'startChild': {
        if (!(await needsChild(em, c.instanceId, c.call.executionId))) return { value: null, follow: [] };
        return this.childStep(em, c.acting, c.instanceId, c.call, false);
      }
      case 'resumeParent': {
        const link = await parentLink(em, c.childId);
        if (!link) return { value: false, follow: [] };
        const parent = await this.loadInstance(em, link.parentId);
        if (!ACTIVE.has(parent.status)) return { value: false, follow: [] };
        const def = await this.definitions.byId(em, parent.definition_id);
        const signal = resumeSignal(def, link, c.childKey, c);
        const step = await this.signalStep(em, c.acting, parent.id, signal);
        if (step.value) await parentResumed(em, this.svc, c.acting, parent.id, signal, c.childId);
        return step;
      }
      case 'cancel': {
        const child = await this.loadInstance(em, c.instanceId);
        if (!ACTIVE.has(child.status)) return { value: null, follow: [] };
        return this.cancelStep(em, c.acting, child, c.reason);
      }
    }
  }

  /** Correlates, starts or buffers a message (messages.ts), with everything it causes, in this transaction. */
  async publishMessage(em: EntityManager, acting: Acting, input: PublishInput): Promise<PublishResult> {
    return this.drain(em, () => this.publishStep(em, acting, input));
  }

  private async publishStep(em: EntityManager, acting: Acting, input: PublishInput): Promise<Step<PublishResult>> {
    const found = await correlate(em, this.svc, acting, input);
    if (found.done) return { value: found.done, follow: [] };
    const { msg } = found;
    for (const sub of found.subscriptions) {
      const step = await this.deliverStep(em, acting, sub, msg, input.variables);
      if (step.value)
        return {
          value: { messageId: msg.message_id, status: 'correlated', instanceId: sub.instance_id, expiresAt: null },
          follow: step.follow,
        };
    }
    for (const start of found.starts) {
      const def = await this.definitions.byId(em, start.definitionId);
      const unit = await this.taskUnit(em, def, start.activityId, { unitId: input.unit.id, unitPath: input.unit.path });
      if (input.scope !== null && !(unit.path && input.scope.some((s) => unit.path!.startsWith(s)))) continue;
      const started = await this.startStep(em, acting, {
        definitionKey: start.key,
        businessKey: input.correlationKey,
        variables: input.variables,
        unitId: unit.id,
        unitPath: unit.path,
        messageStart: { definitionId: start.definitionId, activityId: start.activityId },
      });
      await recordStart(em, this.svc, acting, msg, start, { id: started.value, unitId: unit.id });
      return {
        value: { messageId: msg.message_id, status: 'started', instanceId: started.value, expiresAt: null },
        follow: started.follow,
      };
    }
    return { value: await buffer(em, this.svc, acting, msg, found.expiresAt), follow: [] };
  }

  /** Gives a subscription its message: false when the activity no longer waits. */
  private async deliverStep(
    em: EntityManager,
    acting: Acting,
    sub: { instance_id: string; activity_id: string; execution_id: string; unit_path: string | null; id: string },
    msg: Parameters<typeof recordDelivery>[4],
    variables: Record<string, unknown>,
  ): Promise<Step<boolean>> {
    const signal = { activityId: sub.activity_id, executionId: sub.execution_id, message: { name: msg.name, variables } };
    const step = await this.signalStep(em, acting, sub.instance_id, signal);
    if (step.value) await recordDelivery(em, this.svc, acting, sub, msg, variables);
    return step;
  }

  /** Starts the child of a waiting call activity (`failHard`: an incident's retry, which throws rather than opening another). */
  private async childStep(
    em: EntityManager,
    acting: Acting,
    parentId: string,
    call: { activityId: string; executionId: string; inputs?: Variables },
    failHard: boolean,
  ): Promise<Step<string | null>> {
    const parent = await this.loadInstance(em, parentId);
    const def = await this.definitions.byId(em, parent.definition_id);
    const start = await childStart(em, this.svc, this, def, parent, call, failHard);
    if (!start) return { value: null, follow: [] };
    const started = await this.startStep(em, acting, start.input);
    await childStarted(em, this.svc, acting, parent.id, call, { id: started.value, key: start.child.key, version: start.child.version });
    return started;
  }

  /** The job runner's retry of a call activity's incident: starts a new child, with everything it causes. */
  async startCallChild(
    em: EntityManager,
    acting: Acting,
    instanceId: string,
    call: { activityId: string; executionId: string; inputs?: Variables },
  ): Promise<void> {
    await this.drain(em, () => this.childStep(em, acting, instanceId, call, true));
  }

  async start(em: EntityManager, acting: Acting, input: StartInput): Promise<string> {
    return this.drain(em, () => this.startStep(em, acting, input));
  }

  private async startStep(em: EntityManager, acting: Acting, input: StartInput): Promise<Step<string>> {
    const pinned = input.timerStart ?? input.messageStart;
    const def = pinned
      ? await this.definitions.byId(em, pinned.definitionId)
      : await this.definitions.resolve(em, input.definitionKey, input.version);
    const id = crypto.randomUUID();
    const now = this.svc.clock.now();
    const variables = input.variables ?? {};
    const parent = input.parent ?? null;
    await insertInstance(em, {
      id,
      definition_id: def.id,
      definition_key: def.key,
      definition_version: def.version,
      business_key: input.businessKey ?? null,
      unit_id: input.unitId ?? null,
      unit_path: input.unitPath ?? null,
      routing: input.routing ? JSON.stringify(input.routing) : null,
      variables: JSON.stringify(variables),
      parent_id: parent?.instanceId ?? null,
      parent_activity_id: parent?.activityId ?? null,
      parent_execution_id: parent?.executionId ?? null,
      root_id: parent?.rootId ?? id,
      by: acting.actor.id,
      now,
    });
    await this.announceStart(em, acting, def, id, input);
    const fire = input.timerStart ? { activityId: input.timerStart.activityId } : undefined;
    const next = syncServiceTasks(this.svc, em, def, { id, businessKey: input.businessKey ?? null });
    const signal = input.messageStart ? { activityId: input.messageStart.activityId, executionId: '', variables } : undefined;
    const result = await runEngine(def, this.svc.clock, { instanceId: id, variables, fire, signal, next });
    const follow = await this.persist(
      em,
      acting,
      def,
      {
        id,
        lockVersion: 0,
        unitId: input.unitId ?? null,
        unitPath: input.unitPath ?? null,
        parentId: parent?.instanceId ?? null,
        businessKey: input.businessKey ?? null,
        routing: input.routing ?? null,
      },
      result,
      null,
    );
    return { value: id, follow };
  }

  /** `process.started` audited and published before the instance runs: what its first command does comes after it. */
  private async announceStart(em: EntityManager, acting: Acting, def: LoadedDefinition, id: string, input: StartInput): Promise<void> {
    // Audited before it runs: what the first command does (a called child, a message) comes after it in the trail.
    await this.svc.audit.append(em, {
      ...acting,
      action: 'process.started',
      targetType: 'process_instance',
      targetId: id,
      unitId: input.unitId ?? null,
      summary: {
        key: def.key,
        version: def.version,
        businessKey: input.businessKey ?? null,
        ...(input.timerStart && { timerStart: input.timerStart.activityId }),
        ...(input.parent && { parentId: input.parent.instanceId, callActivity: input.parent.activityId }),
      },
    });
    if (this.svc.events.has('instance.started')) {
      await this.svc.events.publish(
        em,
        'instance.started',
        {
          instanceId: id,
          definitionKey: def.key,
          definitionVersion: def.version,
          businessKey: input.businessKey ?? null,
          unitId: input.unitId ?? null,
          parentId: input.parent?.instanceId ?? null,
          startedBy: acting.actor.id,
        },
        acting,
      );
    }
  }

  /**
   * Fires the waiting timer of a `timer` job (job runner): recover → the timer expires → run
   * until every path waits → persist. False, changing nothing, when the instance no longer
   * runs or the timer no longer waits.
   */
  async fireTimer(em: EntityManager, acting: Acting, job: FiringJob & { instanceId: string; executionId: string }): Promise<boolean> {
    return this.drain(em, () => this.fireStep(em, acting, job));
  }

  private async fireStep(
    em: EntityManager,
    acting: Acting,
    job: FiringJob & { instanceId: string; executionId: string },
  ): Promise<Step<boolean>> {
    const instance = await this.loadInstance(em, job.instanceId);
    if (!ACTIVE.has(instance.status) || !instance.state) return { value: false, follow: [] };
    const def = await this.definitions.byId(em, instance.definition_id);
    const result = await runEngine(def, this.svc.clock, {
      instanceId: instance.id,
      state: JSON.parse(instance.state) as object,
      variables: JSON.parse(instance.variables) as Record<string, unknown>,
      fire: { executionId: job.executionId },
      next: syncServiceTasks(this.svc, em, def, { id: instance.id, businessKey: instance.business_key }),
    });
    if (!result.fired) return { value: false, follow: [] };
    const follow = await this.persist(em, acting, def, target(instance), result, null, job);
    await this.svc.audit.append(em, {
      ...acting,
      action: 'timer.fired',
      targetType: 'process_instance',
      targetId: instance.id,
      unitId: instance.unit_id,
      summary: { jobId: job.id, activityId: job.activityId, executionId: job.executionId, dueAt: job.dueAt.toISOString() },
    });
    return { value: true, follow };
  }

  /**
   * Completes a waiting async service task with its handler's outcome (job runner, in the
   * job's transaction): variables merged and the activity signalled, or the business error
   * thrown from it. False, changing nothing, when the instance or the activity no longer waits.
   */
  async completeServiceTask(
    em: EntityManager,
    acting: Acting,
    job: FiringJob & { instanceId: string; executionId: string },
    outcome: HandlerOutcome,
  ): Promise<boolean> {
    return this.signal(em, acting, job.instanceId, { activityId: job.activityId, executionId: job.executionId, ...outcome }, job);
  }

  /**
   * Gives a waiting message activity its message (messages.ts). Its variables reach the process
   * only as the element maps them (output parameters), else under `messages.<name>`
   * (`receivedVariables`). False when it no longer waits.
   */
  async deliverMessage(
    em: EntityManager,
    acting: Acting,
    to: { instanceId: string; activityId: string; executionId: string },
    message: { name: string; variables: Record<string, unknown> },
  ): Promise<boolean> {
    return this.drain(em, () =>
      this.signalStep(em, acting, to.instanceId, { activityId: to.activityId, executionId: to.executionId, message }),
    );
  }

  /**
   * One command on a waiting activity: complete it with variables, or throw a BPMN error from
   * it (an async service task's outcome, a message, a called child's end). False, changing
   * nothing, when the instance or the activity no longer waits.
   */
  async signal(em: EntityManager, acting: Acting, instanceId: string, signal: Signal, firing: FiringJob | null = null): Promise<boolean> {
    return this.drain(em, () => this.signalStep(em, acting, instanceId, signal, firing));
  }

  private async signalStep(
    em: EntityManager,
    acting: Acting,
    instanceId: string,
    signal: Signal,
    firing: FiringJob | null = null,
  ): Promise<Step<boolean>> {
    const instance = await this.loadInstance(em, instanceId);
    if (!ACTIVE.has(instance.status) || !instance.state) return { value: false, follow: [] };
    const def = await this.definitions.byId(em, instance.definition_id);
    const variables = JSON.parse(instance.variables) as Record<string, unknown>;
    if (signal.message) signal = { ...signal, variables: receivedVariables(def, signal.activityId, signal.message, variables) };
    const result = await runEngine(def, this.svc.clock, {
      instanceId: instance.id,
      state: JSON.parse(instance.state) as object,
      variables: signal.variables ? { ...variables, ...signal.variables } : variables,
      signal,
      next: syncServiceTasks(this.svc, em, def, { id: instance.id, businessKey: instance.business_key }),
    });
    if (!result.signalled) return { value: false, follow: [] };
    if (firing && result.waiting.some((w) => w.executionId === signal.executionId)) {
      throw new AppError(
        'process.engine_error',
        `Activity ${signal.activityId} still waits after its signal (multi-instance service tasks are not supported)`,
      );
    }
    return { value: true, follow: await this.persist(em, acting, def, target(instance), result, signal.executionId, firing) };
  }

  loadInstance(em: EntityManager, id: string): Promise<InstanceRow> {
    return loadInstance(em, id);
  }

  loadTask(em: EntityManager, id: string): Promise<TaskRow> {
    return loadTask(em, id);
  }

  /** Completes an open user task; a task no longer open answers 409 and changes nothing. */
  async completeTask(em: EntityManager, acting: Acting, task: TaskRow, variables: Record<string, unknown>): Promise<void> {
    await this.drain(em, () => this.completeStep(em, acting, task, variables));
  }

  private async completeStep(em: EntityManager, acting: Acting, task: TaskRow, variables: Record<string, unknown>): Promise<Step<void>> {
    if (task.status !== 'open') throw new AppError('task.not_open', `Task ${task.id} is ${task.status}`);
    if (task.claimed_by && task.claimed_by !== acting.actor.id) throw new AppError('task.claimed', 'Another user has claimed this task');
    const instance = await this.loadInstance(em, task.instance_id);
    if (!ACTIVE.has(instance.status)) throw new AppError('process.not_running', `Instance ${instance.id} is ${instance.status}`);
    const def = await this.definitions.byId(em, instance.definition_id);
    const result = await runEngine(def, this.svc.clock, {
      instanceId: instance.id,
      state: JSON.parse(instance.state!) as object,
      variables: { ...(JSON.parse(instance.variables) as Record<string, unknown>), ...variables },
      signal: { activityId: task.activity_id, executionId: task.execution_id, variables },
      next: syncServiceTasks(this.svc, em, def, { id: instance.id, businessKey: instance.business_key }),
    });
    const follow = await this.persist(em, acting, def, target(instance), result, task.execution_id);
    await this.svc.audit.append(em, {
      ...acting,
      action: 'task.completed',
      targetType: 'task',
      targetId: task.id,
      unitId: task.unit_id ?? instance.unit_id,
      summary: { instanceId: instance.id, activityId: task.activity_id, variables: Object.keys(variables) },
    });
    return { value: undefined, follow };
  }

  /**
   * Sends an open user task back to the step before it (ADR 0020, send-back.ts): that step's
   * task reopens, assigned to whoever completed it last; this one ends as `sent_back`.
   */
  async sendBackTask(em: EntityManager, acting: Acting, task: TaskRow, reason: string): Promise<{ toActivityId: string }> {
    return this.drain(em, () => this.sendBackStep(em, acting, task, reason));
  }

  private async sendBackStep(em: EntityManager, acting: Acting, task: TaskRow, reason: string): Promise<Step<{ toActivityId: string }>> {
    if (task.status !== 'open') throw new AppError('task.not_open', `Task ${task.id} is ${task.status}`);
    if (task.claimed_by && task.claimed_by !== acting.actor.id) throw new AppError('task.claimed', 'Another user has claimed this task');
    const instance = await this.loadInstance(em, task.instance_id);
    if (!ACTIVE.has(instance.status)) throw new AppError('process.not_running', `Instance ${instance.id} is ${instance.status}`);
    const def = await this.definitions.byId(em, instance.definition_id);
    const plan = await planSendBack(em, def, task);
    const result = await runEngine(def, this.svc.clock, {
      instanceId: instance.id,
      state: JSON.parse(instance.state!) as object,
      variables: JSON.parse(instance.variables) as Record<string, unknown>,
      sendBack: plan.engine,
      next: syncServiceTasks(this.svc, em, def, { id: instance.id, businessKey: instance.business_key }),
    });
    if (!result.sentBack) throw new AppError('task.not_open', `Task ${task.id} no longer waits`);
    const back: SentBack = {
      executionId: task.execution_id,
      reason,
      toActivityId: plan.previous.activityId,
      assignee: plan.previous.completedBy ?? null,
    };
    const follow = await this.persist(em, acting, def, target(instance), result, null, null, back);
    await this.svc.audit.append(em, {
      ...acting,
      action: 'task.sent_back',
      targetType: 'task',
      targetId: task.id,
      unitId: task.unit_id ?? instance.unit_id,
      summary: {
        instanceId: instance.id,
        activityId: task.activity_id,
        toActivityId: back.toActivityId,
        previousTaskId: plan.previous.id,
        reason,
      },
    });
    return { value: { toActivityId: back.toActivityId }, follow };
  }

  async cancel(em: EntityManager, acting: Acting, instance: InstanceRow, reason: string | null): Promise<void> {
    await this.drain(em, () => this.cancelStep(em, acting, instance, reason));
  }

  private async cancelStep(em: EntityManager, acting: Acting, instance: InstanceRow, reason: string | null): Promise<Step<null>> {
    if (instance.status !== 'running' && instance.status !== 'incident')
      throw new AppError('process.not_running', `Instance ${instance.id} is ${instance.status}`);
    const now = this.svc.clock.now();
    const res = await em.nativeUpdate(
      ProcessInstance,
      { id: instance.id, lockVersion: instance.lock_version },
      { status: 'cancelled', endedAt: now, updatedAt: now, lockVersion: instance.lock_version + 1 },
    );
    if (res !== 1) throw new AppError('conflict.stale', 'The instance changed meanwhile: reload and retry');
    const events = this.svc.events;
    const cancelled = events.has('task.cancelled')
      ? await em.find(Task, { instanceId: instance.id, status: 'open' }, { orderBy: { createdAt: 'asc', id: 'asc' }, ...SNAPSHOT })
      : [];
    await em.nativeUpdate(Task, { instanceId: instance.id, status: 'open' }, { status: 'cancelled', completedAt: now });
    for (const t of cancelled) {
      const facts = {
        id: t.id,
        instance_id: t.instanceId,
        definition_key: t.definitionKey,
        activity_id: t.activityId,
        name: t.name ?? null,
      };
      await events.publish(
        em,
        'task.cancelled',
        { ...taskFacts({ ...facts, unit_id: t.unitId ?? null }, instance.business_key), reason: 'instance_cancelled' },
        acting,
      );
    }
    await em.nativeUpdate(ActivityHistory, { instanceId: instance.id, endedAt: null }, { endedAt: now });
    await em.nativeDelete(Job, { instanceId: instance.id, status: 'pending' });
    await em.nativeDelete(MessageSubscription, { instanceId: instance.id });
    await resolveInstanceIncidents(em, this.svc, acting, instance.id);
    await this.svc.audit.append(em, {
      ...acting,
      action: 'process.cancelled',
      targetType: 'process_instance',
      targetId: instance.id,
      unitId: instance.unit_id,
      summary: { reason },
    });
    if (events.has('instance.ended')) {
      await events.publish(
        em,
        'instance.ended',
        {
          instanceId: instance.id,
          definitionKey: instance.definition_key,
          businessKey: instance.business_key,
          unitId: instance.unit_id,
          outcome: 'cancelled',
          parentId: instance.parent_id ?? null,
          reason,
          statusCode: null,
        },
        acting,
      );
    }
    const follow = await childCancels(em, acting, instance.id);
    await childCancelled(em, this.svc, instance);
    return { value: null, follow };
  }

  /** Writes what one engine command produced. `signalled` is the execution the actor completed. */
  private async persist(
    em: EntityManager,
    acting: Acting,
    def: LoadedDefinition,
    instance: CommandTarget,
    ran: RunResult,
    signalled: string | null,
    firing: FiringJob | null = null,
    back: SentBack | null = null,
  ): Promise<Command[]> {
    const now = this.svc.clock.now();
    // A called instance ends at a BPMN error end event nothing in it catches: the error goes to its parent.
    const result = ran.thrown && instance.parentId ? endedByError(ran) : ran;
    const rows = await loadInstanceRows(em, instance.id);
    const status: InstanceStatus = result.completed ? 'completed' : rows.failedIncidents.length ? 'incident' : 'running';
    await saveInstance(em, instance, {
      state: result.completed ? null : result.state,
      variables: result.variables,
      status,
      endedAt: result.completed ? now : null,
      now,
    });
    const acted = signalled ?? back?.executionId ?? null;
    await writeHistory(em, instance.id, result.history, (e) => (e === acted ? acting.actor.id : null));
    await closeCommandTasks(em, this.svc, acting, def, instance, result, rows.openTasks, signalled, now, back);
    const known = new Set(rows.openTasks.map((t) => t.execution_id));
    await openCommandTasks(em, { ...this.svc, dueRules: this.taskDue }, acting, def, instance, result, known, now, back);
    const ids = { id: instance.id, definitionId: def.id, unitId: instance.unitId };
    await syncTimerJobs(em, this.svc, ids, def, result.timers, firing, rows.timerJobs);
    await syncServiceJobs(em, this.svc, ids, def, result.waiting, firing, rows.serviceJobs);
    const stillWaiting = new Set([...result.waiting, ...result.timers].map((w) => w.executionId));
    await settleIncidents(em, this.svc, acting, instance.id, stillWaiting, rows.failedIncidents);
    if (result.completed) await this.ended(em, acting, def, instance, result === ran ? null : ran.thrown, result.history);
    return [
      ...(await messageEffects(em, this.svc, acting, def, instance, result, rows.subscriptions)),
      ...(await callEffects(em, this.svc, acting, def, instance, result)),
    ];
  }

  /** The instance reached its end (or a BPMN error nothing caught ended a called one): `instance.ended`. */
  private async ended(
    em: EntityManager,
    acting: Acting,
    def: LoadedDefinition,
    instance: CommandTarget,
    error: RunResult['thrown'],
    history: RunResult['history'],
  ) {
    if (!this.svc.events.has('instance.ended')) return;
    // The national dossier status the end event reached sets (`motcua:statusCode` on it), the last one when several paths ended.
    // Reached means started: an end event a gateway discarded in this command "leaves" with an end
    // time too (run-translate.ts), and its status must not count (a refusal end skipped by the gateway).
    const statusCode = error
      ? null
      : (history
          .filter((h) => h.startedAt && h.endedAt && def.activities[h.activityId]?.type === 'bpmn:EndEvent')
          .map((h) => def.activities[h.activityId]?.step?.statusCode ?? null)
          .filter((c): c is number => c !== null)
          .at(-1) ?? null);
    await this.svc.events.publish(
      em,
      'instance.ended',
      {
        instanceId: instance.id,
        definitionKey: def.key,
        businessKey: instance.businessKey,
        unitId: instance.unitId,
        outcome: error ? 'error' : 'completed',
        parentId: instance.parentId,
        reason: error ? `BPMN error ${error.code} at ${error.activityId}` : null,
        statusCode,
      },
      acting,
    );
  }

  /** The unit a step belongs to (task-writes.ts `taskUnit`). */
  taskUnit(
    em: EntityManager,
    def: LoadedDefinition,
    activityId: string,
    instance: { unitId: string | null; unitPath: string | null; routing?: Routing | null },
    evaluated?: string | null,
  ) {
    return taskUnit(em, def, activityId, instance, evaluated);
  }
}
