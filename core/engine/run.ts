import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import type { LoadedDefinition } from './types.ts';
import { DurableTimers } from './timers.ts';
import { withoutSources } from './state-adapter.ts';
import type { RunInput, RunResult, SendBack, Signal, Waiting } from './run-types.ts';
import { MAX_STEPS_PER_COMMAND } from './run-types.ts';
import { engineOptions } from './expressions.ts';
import { collectWaiting, findWaiting, publicVariables, RunRecorder, uncaught, withInputs, type PostponedApi } from './run-translate.ts';

export type { Waiting, HistoryEvent, Signal, RunInput, RunResult, SendBack } from './run-types.ts';
export { MAX_STEPS_PER_COMMAND } from './run-types.ts';

/**
 * The engine adapter: the only code that talks to bpmn-engine (recover, listeners, signal,
 * state). What the engine reports is translated by run-translate.ts.
 */

const silentLogger = () => ({ debug() {}, error() {}, warn() {} });

type Env = { variables: Record<string, unknown> };

/** One engine, for one command: created, run and dropped (nothing is kept in memory). */
class EngineRun {
  // Timers are never armed in memory: they become rows in the job table (timers.ts).
  readonly timers = new DurableTimers();
  readonly engine: Engine;
  readonly listener = new EventEmitter();
  readonly recorder: RunRecorder;
  completed = false;
  failure: Error | null = null;
  private topEnv: Env | null = null;
  private proc: Env | undefined;

  constructor(
    private readonly def: LoadedDefinition,
    clock: Clock,
    private readonly input: RunInput,
  ) {
    this.engine = new Engine({
      name: input.instanceId,
      sourceContext: def.sourceContext,
      Logger: silentLogger,
      timers: this.timers,
      ...engineOptions(),
    });
    this.recorder = new RunRecorder(def, clock, (api) => this.processEnv(api));
    const r = this.recorder;
    this.listener.on('activity.start', (api: PostponedApi) => r.start(api));
    this.listener.on('activity.end', (api: PostponedApi) => r.end(api));
    this.listener.on('activity.leave', (api: PostponedApi) => r.leave(api));
    this.listener.on('activity.discard', (api: PostponedApi) => r.discard(api));
    this.listener.on('activity.throw', (api: PostponedApi) => r.thrown(api));
    this.listener.on('activity.catch', (api: PostponedApi) => r.caught(api));
    this.engine.once('end', () => (this.completed = true));
    this.engine.once('error', (err: Error) => (this.failure = err));
  }

  private findProcess(): Env | undefined {
    return (
      this.engine.execution?.definitions[0]?.getProcesses().find((p: { id: string }) => p.id === this.def.key) as
        { environment: Env } | undefined
    )?.environment;
  }

  /** The process's variables (camunda:inputOutput reads and writes them while the engine runs). */
  private processEnv(api: PostponedApi): Env {
    this.topEnv ??= this.findProcess() ?? null;
    if (!this.topEnv && api.content?.parent?.id === this.def.key && api.environment) this.topEnv = api.environment;
    return this.topEnv ?? api.environment ?? { variables: {} };
  }

  /** Recover the saved state and resume, or start a new instance. */
  async begin() {
    if (this.input.state) {
      this.engine.recover(this.input.state as never);
      await this.engine.resume({ listener: this.listener });
    } else {
      await this.engine.execute({ listener: this.listener, variables: { ...this.input.variables } } as never);
    }
    this.proc = this.findProcess();
  }

  postponed(): PostponedApi[] {
    return this.completed ? [] : ((this.engine.execution?.getPostponed() ?? []) as PostponedApi[]);
  }

  /** Gives a waiting activity its signal; false when it does not wait. */
  give(signal: Signal): boolean {
    // No execution id: the waiting activity of that id (a message start event of a new instance).
    const api = signal.executionId
      ? findWaiting(this.postponed(), signal.executionId)
      : (this.postponed().find((a) => a.id === signal.activityId) ?? null);
    if (!api) return false;
    if (signal.error) {
      // bpmn-elements turns it into an ActivityError with this code: error boundary events match it against errorCode.
      api.sendApiMessage('error', { message: signal.error.message, code: signal.error.code, name: 'BpmnBusinessError' });
      return true;
    }
    // With output parameters, what the signal brings is the activity's own: only the outputs reach the process.
    if (this.def.activities[signal.activityId]?.io?.outputs.length) this.recorder.signalled.set(api.executionId, signal.variables ?? {});
    else if (this.proc && signal.variables) Object.assign(this.proc.variables, signal.variables);
    // A waiting message event (catch, boundary, start) is answered through its own api.
    if (api.type === 'bpmn:MessageEventDefinition') api.signal({ ...(signal.variables ?? {}) });
    else this.engine.execution!.signal({ id: signal.activityId, executionId: signal.executionId, output: signal.variables ?? {} });
    return true;
  }

  /**
   * Sends a waiting user task back (ADR 0020), through bpmn-elements' public API only: the
   * previous activity of the same process is run again (`Activity.run`, so the process
   * execution tracks it like any activity it entered), then the task is discarded
   * (`Api.discard`), which discards what lies after it. In that order the process never finds
   * itself without a running activity. False when the task no longer waits; refused when
   * anything but the task and its boundary events waits (another path would be disturbed).
   */
  sendBack(back: SendBack): boolean {
    const apis = this.postponed();
    const api = apis.find((a) => a.executionId === back.executionId && a.id === back.activityId);
    if (!api) return false;
    const alongside = new Set([back.activityId, ...back.alongside]);
    const others = [...collectWaiting(apis).map((w) => w.activityId), ...this.timers.armed().map((t) => t.activityId)].filter(
      (id) => !alongside.has(id),
    );
    if (others.length) {
      throw new AppError(
        'task.send_back_not_allowed',
        `Step ${back.activityId} cannot be sent back while other paths of the process wait (${[...new Set(others)].join(', ')})`,
      );
    }
    const proc = this.engine.execution?.definitions[0]?.getProcesses().find((p: { id: string }) => p.id === this.def.key) as
      { getActivityById(id: string): { isRunning?: boolean; run(): void } | undefined } | undefined;
    const previous = proc?.getActivityById(back.to);
    if (!previous || previous.isRunning) throw this.error(`activity ${back.to} cannot run again`);
    previous.run();
    api.discard();
    return true;
  }

  /** Lets the engine run until every path waits; throws what failed meanwhile. */
  async settle(signal: Signal | undefined) {
    await new Promise((r) => setImmediate(r));
    if (this.failure) throw (signal && uncaught(signal, this.failure)) || this.failure;
    if (this.recorder.ioFailure) throw this.error(`an input or output parameter failed: ${this.recorder.ioFailure.message}`);
  }

  waitingNow(): Waiting[] {
    return withInputs(collectWaiting(this.postponed()), this.proc?.variables);
  }

  variables() {
    return publicVariables(this.proc?.variables ?? this.input.variables);
  }

  error(message: string) {
    return new AppError('process.engine_error', `Process ${this.def.key} v${this.def.version}: ${message}`);
  }

  /** Synchronous service tasks inside the command: ask `next` for each signal until none is left. */
  async steps() {
    for (let steps = 0; this.input.next && !this.completed; steps++) {
      const step = await this.input.next(this.waitingNow(), this.variables());
      if (!step) break;
      if (steps >= MAX_STEPS_PER_COMMAND) throw this.error(`more than ${MAX_STEPS_PER_COMMAND} service tasks in one command`);
      if (!this.give(step)) throw this.error(`activity ${step.activityId} no longer waits`);
      await this.settle(step);
      // A multi-instance task waits per iteration, not at the execution signalled: never call its handler again and again.
      if (findWaiting(this.postponed(), step.executionId))
        throw this.error(`activity ${step.activityId} still waits after its signal (multi-instance service tasks are not supported)`);
    }
  }

  async result(fired: boolean, signalled: boolean, sentBack = false): Promise<RunResult> {
    const waiting = this.waitingNow();
    const state = withoutSources((await this.engine.getState()) as { definitions: { source?: unknown }[] });
    return {
      state,
      completed: this.completed,
      waiting,
      history: [...this.recorder.history.values()],
      variables: this.variables(),
      timers: this.completed ? [] : this.timers.armed(),
      fired,
      signalled,
      sentBack,
      thrown: this.recorder.lastUncaught(),
    };
  }
}

/**
 * One engine command: recover (or start) → merge variables → signal → run until every path
 * waits → capture the state. The engine object is dropped afterwards: nothing is kept in memory.
 */
export async function runEngine(def: LoadedDefinition, clock: Clock, input: RunInput): Promise<RunResult> {
  const run = new EngineRun(def, clock, input);
  try {
    await run.begin();
    const signalled = input.signal ? run.give(input.signal) : false;
    const fired = input.fire ? run.timers.fire(input.fire) : false;
    const sentBack = input.sendBack ? run.sendBack(input.sendBack) : false;
    await run.settle(input.signal);
    await run.steps();
    return await run.result(fired, signalled, sentBack);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw run.error((err as Error).message);
  }
}
