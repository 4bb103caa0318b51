import type { EntityManager } from '@mikro-orm/knex';
import type { Services } from '../context.ts';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import { DefinitionStore, type LoadedDefinition } from './definitions.ts';
import { runEngine, type RunResult, type Signal } from './run.ts';
import { dueDateFrom } from './due-date.ts';
import { taskAttributes } from './task-attributes.ts';
import { hasExpression } from './expressions.ts';
import { syncTimerJobs, type FiringJob } from './timer-jobs.ts';
import { syncServiceJobs, syncServiceTasks, type HandlerOutcome } from './service-tasks.ts';
import { resolveInstanceIncidents, settleIncidents } from './incidents.ts';
import { loadInstanceRows } from './instance-rows.ts';
import { afterCommand } from './messages.ts';
import { receivedVariables } from './message-variables.ts';
import { ACTIVE, csv, type InstanceRow, type InstanceStatus, type TaskRow } from './rows.ts';
import { afterCalls, cancelChildren, endedByError, childCancelled, type ParentLink } from './call-activities.ts';

export type { InstanceRow, InstanceStatus, TaskRow } from './rows.ts';
export { csv } from './rows.ts';

const HUMAN_TASKS = new Set(['bpmn:UserTask', 'bpmn:ManualTask']);

/** The part of a task row every task event carries. */
const taskFacts = (t: TaskRow, businessKey: string | null) => ({
  taskId: t.id,
  instanceId: t.instance_id,
  definitionKey: t.definition_key,
  activityId: t.activity_id,
  name: t.name,
  unitId: t.unit_id,
  businessKey,
});

/** What `persist` needs to know of the instance a command ran on. */
interface Target {
  id: string;
  lockVersion: number;
  unitId: string | null;
  unitPath: string | null;
  /** The parent instance of a called instance (call-activities.ts). */
  parentId: string | null;
  /** For the domain events (core/events). */
  businessKey: string | null;
}

const target = (r: InstanceRow): Target => ({
  id: r.id,
  lockVersion: r.lock_version,
  unitId: r.unit_id,
  unitPath: r.unit_path,
  parentId: r.parent_id ?? null,
  businessKey: r.business_key,
});

/** The answer for a missing instance, and for one the caller may not see (ADR 0004). */
export const instanceNotFound = (id: string) => new AppError('process.instance_not_found', `No process instance ${id}`);
/** The answer for a missing task, and for one the caller may not see (ADR 0004). */
export const taskNotFound = (id: string) => new AppError('task.not_found', `No task ${id}`);

/**
 * Durable process execution. Every command is one transaction of the caller's: load the
 * instance → recover the engine from its saved state → signal → run until every path waits
 * → write tasks, history and audit rows → save state under optimistic locking.
 */
export class ProcessRuntime {
  readonly definitions: DefinitionStore;

  constructor(private readonly svc: Services) {
    this.definitions = new DefinitionStore(svc);
  }

  async start(
    em: EntityManager,
    acting: Acting,
    input: {
      definitionKey: string;
      version?: number | null;
      businessKey?: string | null;
      variables?: Record<string, unknown>;
      unitId?: string | null;
      unitPath?: string | null;
      /** Started by this timer start event (job runner): its timer fires at once. */
      timerStart?: { definitionId: string; activityId: string };
      /** Started by a message (messages.ts): this message start event catches it at once, with the variables. */
      messageStart?: { definitionId: string; activityId: string };
      /** Started by a parent's call activity (call-activities.ts). */
      parent?: ParentLink;
    },
  ): Promise<string> {
    const pinned = input.timerStart ?? input.messageStart;
    const def = pinned
      ? await this.definitions.byId(em, pinned.definitionId)
      : await this.definitions.resolve(em, input.definitionKey, input.version);
    const id = crypto.randomUUID();
    const now = this.svc.clock.now();
    const variables = input.variables ?? {};
    const parent = input.parent ?? null;
    await em.execute(
      `INSERT INTO process_instances (id, definition_id, definition_key, definition_version, business_key, status, unit_id, unit_path, state, variables, parent_id, parent_activity_id, parent_execution_id, root_id, started_by, started_at, updated_at, lock_version)
       VALUES (?, ?, ?, ?, ?, 'running', ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
      [
        id,
        def.id,
        def.key,
        def.version,
        input.businessKey ?? null,
        input.unitId ?? null,
        input.unitPath ?? null,
        JSON.stringify(variables),
        parent?.instanceId ?? null,
        parent?.activityId ?? null,
        parent?.executionId ?? null,
        parent?.rootId ?? id,
        acting.actor.id,
        now,
        now,
      ],
    );
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
        ...(parent && { parentId: parent.instanceId, callActivity: parent.activityId }),
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
          parentId: parent?.instanceId ?? null,
          startedBy: acting.actor.id,
        },
        acting,
      );
    }
    const fire = input.timerStart ? { activityId: input.timerStart.activityId } : undefined;
    const next = syncServiceTasks(this.svc, em, def, { id, businessKey: input.businessKey ?? null });
    const signal = input.messageStart ? { activityId: input.messageStart.activityId, executionId: '', variables } : undefined;
    const result = await runEngine(def, this.svc.clock, { instanceId: id, variables, fire, signal, next });
    await this.persist(
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
      },
      result,
      null,
    );
    return id;
  }

  /**
   * Fires the waiting timer of a `timer` job (job runner): recover → the timer expires → run
   * until every path waits → persist. False, changing nothing, when the instance no longer
   * runs or the timer no longer waits.
   */
  async fireTimer(em: EntityManager, acting: Acting, job: FiringJob & { instanceId: string; executionId: string }): Promise<boolean> {
    const instance = await this.loadInstance(em, job.instanceId);
    if (!ACTIVE.has(instance.status) || !instance.state) return false;
    const def = await this.definitions.byId(em, instance.definition_id);
    const result = await runEngine(def, this.svc.clock, {
      instanceId: instance.id,
      state: JSON.parse(instance.state) as object,
      variables: JSON.parse(instance.variables) as Record<string, unknown>,
      fire: { executionId: job.executionId },
      next: syncServiceTasks(this.svc, em, def, { id: instance.id, businessKey: instance.business_key }),
    });
    if (!result.fired) return false;
    await this.persist(em, acting, def, target(instance), result, null, job);
    await this.svc.audit.append(em, {
      ...acting,
      action: 'timer.fired',
      targetType: 'process_instance',
      targetId: instance.id,
      unitId: instance.unit_id,
      summary: { jobId: job.id, activityId: job.activityId, executionId: job.executionId, dueAt: job.dueAt.toISOString() },
    });
    return true;
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
    return this.signal(em, acting, to.instanceId, { activityId: to.activityId, executionId: to.executionId, message });
  }

  /**
   * One command on a waiting activity: complete it with variables, or throw a BPMN error from
   * it (an async service task's outcome, a message, a called child's end). False, changing
   * nothing, when the instance or the activity no longer waits.
   */
  async signal(em: EntityManager, acting: Acting, instanceId: string, signal: Signal, firing: FiringJob | null = null): Promise<boolean> {
    const instance = await this.loadInstance(em, instanceId);
    if (!ACTIVE.has(instance.status) || !instance.state) return false;
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
    if (!result.signalled) return false;
    if (firing && result.waiting.some((w) => w.executionId === signal.executionId)) {
      throw new AppError(
        'process.engine_error',
        `Activity ${signal.activityId} still waits after its signal (multi-instance service tasks are not supported)`,
      );
    }
    await this.persist(em, acting, def, target(instance), result, signal.executionId, firing);
    return true;
  }

  async loadInstance(em: EntityManager, id: string): Promise<InstanceRow> {
    const [row] = await em.execute<InstanceRow[]>('SELECT * FROM process_instances WHERE id = ?', [id]);
    if (!row) throw instanceNotFound(id);
    return { ...row, definition_version: Number(row.definition_version), lock_version: Number(row.lock_version) };
  }

  async loadTask(em: EntityManager, id: string): Promise<TaskRow> {
    const [row] = await em.execute<TaskRow[]>('SELECT * FROM tasks WHERE id = ?', [id]);
    if (!row) throw taskNotFound(id);
    return row;
  }

  /** Completes an open user task; a task no longer open answers 409 and changes nothing. */
  async completeTask(em: EntityManager, acting: Acting, task: TaskRow, variables: Record<string, unknown>): Promise<void> {
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
    await this.persist(em, acting, def, target(instance), result, task.execution_id);
    await this.svc.audit.append(em, {
      ...acting,
      action: 'task.completed',
      targetType: 'task',
      targetId: task.id,
      unitId: task.unit_id ?? instance.unit_id,
      summary: { instanceId: instance.id, activityId: task.activity_id, variables: Object.keys(variables) },
    });
  }

  async cancel(em: EntityManager, acting: Acting, instance: InstanceRow, reason: string | null): Promise<void> {
    if (instance.status !== 'running' && instance.status !== 'incident')
      throw new AppError('process.not_running', `Instance ${instance.id} is ${instance.status}`);
    const now = this.svc.clock.now();
    const res = await em.execute<{ affectedRows: number }>(
      "UPDATE process_instances SET status = 'cancelled', ended_at = ?, updated_at = ?, lock_version = lock_version + 1 WHERE id = ? AND lock_version = ?",
      [now, now, instance.id, instance.lock_version],
      'run',
    );
    if (res.affectedRows !== 1) throw new AppError('conflict.stale', 'The instance changed meanwhile: reload and retry');
    const events = this.svc.events;
    const cancelled = events.has('task.cancelled')
      ? await em.execute<TaskRow[]>("SELECT * FROM tasks WHERE instance_id = ? AND status = 'open' ORDER BY created_at, id", [instance.id])
      : [];
    await em.execute("UPDATE tasks SET status = 'cancelled', completed_at = ? WHERE instance_id = ? AND status = 'open'", [
      now,
      instance.id,
    ]);
    for (const t of cancelled)
      await events.publish(em, 'task.cancelled', { ...taskFacts(t, instance.business_key), reason: 'instance_cancelled' }, acting);
    await em.execute('UPDATE activity_history SET ended_at = ? WHERE instance_id = ? AND ended_at IS NULL', [now, instance.id]);
    await em.execute("DELETE FROM jobs WHERE instance_id = ? AND status = 'pending'", [instance.id]);
    await em.execute('DELETE FROM message_subscriptions WHERE instance_id = ?', [instance.id]);
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
        },
        acting,
      );
    }
    await cancelChildren(em, this.svc, acting, instance.id);
    await childCancelled(em, this.svc, instance);
  }

  /** Writes what one engine command produced. `signalled` is the execution the actor completed. */
  private async persist(
    em: EntityManager,
    acting: Acting,
    def: LoadedDefinition,
    instance: Target,
    ran: RunResult,
    signalled: string | null,
    firing: FiringJob | null = null,
  ): Promise<void> {
    const now = this.svc.clock.now();
    // A called instance ends at a BPMN error end event nothing in it catches: the error goes to its parent.
    const result = ran.thrown && instance.parentId ? endedByError(ran) : ran;
    const rows = await loadInstanceRows(em, instance.id);
    const status: InstanceStatus = result.completed ? 'completed' : rows.failedIncidents.length ? 'incident' : 'running';
    const saved = await em.execute<{ affectedRows: number }>(
      `UPDATE process_instances SET state = ?, variables = ?, status = ?, ended_at = ?, updated_at = ?, lock_version = lock_version + 1
       WHERE id = ? AND lock_version = ?`,
      [
        result.completed ? null : JSON.stringify(result.state),
        JSON.stringify(result.variables),
        status,
        result.completed ? now : null,
        now,
        instance.id,
        instance.lockVersion,
      ],
      'run',
    );
    if (saved.affectedRows !== 1) throw new AppError('conflict.stale', 'The instance changed meanwhile: reload and retry');

    for (const h of result.history) {
      const actor = h.executionId === signalled ? acting.actor.id : null;
      if (h.startedAt) {
        await em.execute(
          'INSERT INTO activity_history (instance_id, activity_id, execution_id, name, type, started_at, ended_at, actor_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          [instance.id, h.activityId, h.executionId, h.name, h.type, h.startedAt, h.endedAt ?? null, actor],
        );
      } else if (h.endedAt) {
        await em.execute(
          'UPDATE activity_history SET ended_at = ?, actor_id = COALESCE(?, actor_id) WHERE instance_id = ? AND execution_id = ?',
          [h.endedAt, actor, instance.id, h.executionId],
        );
      }
    }

    const events = this.svc.events;
    const open = rows.openTasks;
    const waitingIds = new Set(result.waiting.map((w) => w.executionId));
    for (const t of open) {
      if (waitingIds.has(t.execution_id)) continue;
      const done = t.execution_id === signalled;
      await em.execute('UPDATE tasks SET status = ?, completed_at = ?, completed_by = ? WHERE id = ?', [
        done ? 'completed' : 'cancelled',
        now,
        done ? acting.actor.id : null,
        t.id,
      ]);
      if (done ? events.has('task.completed') : events.has('task.cancelled')) {
        const facts = taskFacts(await this.loadTask(em, t.id), instance.businessKey);
        if (done) await events.publish(em, 'task.completed', { ...facts, completedBy: acting.actor.id }, acting);
        else await events.publish(em, 'task.cancelled', { ...facts, reason: 'path_ended' }, acting);
      }
    }
    const known = new Set(open.map((t) => t.execution_id));
    for (const w of result.waiting) {
      if (known.has(w.executionId) || !HUMAN_TASKS.has(w.type)) continue;
      const activity = def.activities[w.activityId];
      const own = w.locals || w.inputs ? { ...w.locals, ...w.inputs } : null;
      const attrs = taskAttributes(w.activityId, activity?.userTask, activity?.step, { ...result.variables, ...own });
      const unit = await this.taskUnit(em, def, w.activityId, instance, attrs.unit);
      const taskId = crypto.randomUUID();
      const dueAt = dueDateFrom(attrs.dueDate, now, this.svc.calendar, unit.id, activity?.step?.budgetHours ?? null);
      await em.execute(
        `INSERT INTO tasks (id, instance_id, definition_key, activity_id, execution_id, name, form_key, assignee, candidate_groups, candidate_users, unit_id, unit_path, due_at, status, created_at, variables)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
        [
          taskId,
          instance.id,
          def.key,
          w.activityId,
          w.executionId,
          w.name ?? activity?.name ?? null,
          activity?.userTask?.formKey ?? null,
          attrs.assignee,
          csv(attrs.candidateGroups),
          csv(attrs.candidateUsers),
          unit.id,
          unit.path,
          dueAt,
          now,
          own ? JSON.stringify(own) : null,
        ],
      );
      if (events.has('task.created')) {
        await events.publish(
          em,
          'task.created',
          {
            taskId,
            instanceId: instance.id,
            definitionKey: def.key,
            activityId: w.activityId,
            name: w.name ?? activity?.name ?? null,
            unitId: unit.id,
            businessKey: instance.businessKey,
            assignee: attrs.assignee,
            candidateGroups: attrs.candidateGroups,
            candidateUsers: attrs.candidateUsers,
            dueAt: dueAt?.toISOString() ?? null,
          },
          acting,
        );
      }
    }
    await syncTimerJobs(
      em,
      this.svc,
      { id: instance.id, definitionId: def.id, unitId: instance.unitId },
      result.timers,
      firing,
      rows.timerJobs,
    );
    await syncServiceJobs(em, this.svc, { id: instance.id, definitionId: def.id }, def, result.waiting, firing, rows.serviceJobs);
    await settleIncidents(
      em,
      this.svc,
      acting,
      instance.id,
      new Set([...result.waiting, ...result.timers].map((w) => w.executionId)),
      rows.failedIncidents,
    );
    if (result.completed && events.has('instance.ended')) {
      const error = result !== ran;
      await events.publish(
        em,
        'instance.ended',
        {
          instanceId: instance.id,
          definitionKey: def.key,
          businessKey: instance.businessKey,
          unitId: instance.unitId,
          outcome: error ? 'error' : 'completed',
          parentId: instance.parentId,
          reason: error ? `BPMN error ${ran.thrown!.code} at ${ran.thrown!.activityId}` : null,
        },
        acting,
      );
    }
    await afterCommand(em, this.svc, acting, def, instance, result, rows.subscriptions);
    await afterCalls(em, this.svc, acting, def, instance, result);
  }

  /**
   * The unit a task belongs to: the step's `motcua:unit` (a unit code or id; `evaluated` when it
   * was an expression, task-attributes.ts) or else the instance's unit.
   */
  async taskUnit(
    em: EntityManager,
    def: LoadedDefinition,
    activityId: string,
    instance: { unitId: string | null; unitPath: string | null },
    evaluated?: string | null,
  ) {
    const code = evaluated !== undefined ? evaluated : def.activities[activityId]?.step?.unit;
    if (code && !hasExpression(code)) {
      const [u] = await em.execute<{ id: string; path: string }[]>('SELECT id, path FROM units WHERE code = ? OR id = ?', [code, code]);
      if (u) return { id: u.id, path: u.path };
    }
    return { id: instance.unitId, path: instance.unitPath };
  }
}
