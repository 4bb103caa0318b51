import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import type { LoadedDefinition } from './definitions.ts';
import { DurableTimers, type ArmedTimer } from './timers.ts';
import { engineOptions } from './expressions.ts';

/** An activity that waits after the command: a user task, a timer, a message catch… */
export interface Waiting {
  activityId: string;
  executionId: string;
  type: string;
  name: string | null;
}

export interface HistoryEvent {
  activityId: string;
  executionId: string;
  name: string | null;
  type: string;
  startedAt?: Date;
  endedAt?: Date;
}

/**
 * What to tell a waiting activity: complete it (with output variables), or throw a BPMN error
 * from it (a service task's business error), which a matching error boundary event catches.
 */
export interface Signal {
  activityId: string;
  executionId: string;
  variables?: Record<string, unknown>;
  error?: { code: string; message: string };
}

/** Most signals a command gives through `next` (service tasks run inside it): a last-resort cap. */
export const MAX_STEPS_PER_COMMAND = 1_000;

export interface RunInput {
  instanceId: string;
  /** Saved state to recover; absent for a new instance. */
  state?: object;
  /** Process variables (merged into the engine before it continues). */
  variables: Record<string, unknown>;
  /** Complete this waiting activity, with output variables (or throw a BPMN error from it). */
  signal?: Signal;
  /**
   * Asked each time the engine has settled: the next signal to give (a synchronous service
   * task that has run), or null when every path waits for something outside the command.
   */
  next?: (waiting: Waiting[], variables: Record<string, unknown>) => Promise<Signal | null>;
  /** Make this waiting timer expire now: by its execution id, or (a start event's) activity id. */
  fire?: { executionId?: string; activityId?: string };
}

export interface RunResult {
  state: object;
  completed: boolean;
  waiting: Waiting[];
  history: HistoryEvent[];
  variables: Record<string, unknown>;
  /** Timers waiting after the command: they become jobs. */
  timers: ArmedTimer[];
  /** Whether `fire` found its timer waiting (and fired it). */
  fired: boolean;
  /** Whether `signal` found its activity waiting (and signalled it). */
  signalled: boolean;
}

/** Keys bpmn-elements itself writes into process variables; never shown as process data. */
const ENGINE_KEYS = new Set(['fields', 'content', 'properties']);

const silentLogger = () => ({ debug() {}, error() {}, warn() {} });

function publicVariables(vars: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(vars ?? {})) if (!ENGINE_KEYS.has(k)) out[k] = v;
  return out;
}

interface PostponedApi {
  id: string;
  type: string;
  executionId: string;
  name?: string;
  owner?: { name?: string };
  getPostponed?: () => PostponedApi[];
  sendApiMessage(action: string, content?: Record<string, unknown>): void;
  signal(message?: unknown): void;
}

/** The activities waiting inside a sub-process (which lists itself among them: left out). */
function childApis(api: PostponedApi): PostponedApi[] {
  if (api.type !== 'bpmn:SubProcess' && api.type !== 'bpmn:Transaction') return [];
  return (api.getPostponed?.() ?? []).filter((c) => c.id !== api.id && c.executionId !== api.executionId);
}

function findWaiting(apis: PostponedApi[], executionId: string): PostponedApi | null {
  for (const api of apis) {
    if (api.executionId === executionId) return api;
    const inner = findWaiting(childApis(api), executionId);
    if (inner) return inner;
  }
  return null;
}

/** A BPMN error thrown by a service task that no error boundary event (or event sub-process) caught. */
function uncaught(signal: Signal, failure: Error): AppError | null {
  if (!signal.error || String((failure as { code?: unknown }).code) !== signal.error.code) return null;
  return new AppError('process.bpmn_error_uncaught', `Activity ${signal.activityId} reported business error "${signal.error.code}" (${signal.error.message}) and no error event catches it`, {
    errorCode: signal.error.code,
    activityId: signal.activityId,
  });
}

function collectWaiting(apis: PostponedApi[], out: Waiting[] = []): Waiting[] {
  for (const api of apis) {
    const children = childApis(api);
    if (children.length) collectWaiting(children, out);
    else if (api.type !== 'bpmn:SequenceFlow') out.push({ activityId: api.id, executionId: api.executionId, type: api.type, name: api.owner?.name ?? api.name ?? null });
  }
  return out;
}

/**
 * One engine command: recover (or start) → merge variables → signal → run until every path
 * waits → capture the state. The engine object is dropped afterwards: nothing is kept in memory.
 */
export async function runEngine(def: LoadedDefinition, clock: Clock, input: RunInput): Promise<RunResult> {
  // Timers are never armed in memory: they become rows in the job table (timers.ts).
  const timers = new DurableTimers();
  const engine = new Engine({
    name: input.instanceId,
    sourceContext: def.sourceContext,
    Logger: silentLogger,
    timers,
    ...engineOptions(),
  });
  const listener = new EventEmitter();
  const history = new Map<string, HistoryEvent>();
  const event = (kind: 'startedAt' | 'endedAt') => (api: PostponedApi) => {
    if (api.type === 'bpmn:Process' || api.type === 'bpmn:SequenceFlow') return;
    const h = history.get(api.executionId) ?? { activityId: api.id, executionId: api.executionId, name: api.owner?.name ?? api.name ?? null, type: api.type };
    h[kind] = clock.now();
    history.set(api.executionId, h);
  };
  listener.on('activity.start', event('startedAt'));
  listener.on('activity.end', event('endedAt'));
  // An activity that leaves without ending (a task interrupted by a boundary event, a discarded boundary event) has ended too.
  listener.on('activity.leave', (api: PostponedApi) => {
    if (!history.get(api.executionId)?.endedAt) event('endedAt')(api);
  });
  let completed = false;
  let failure: Error | null = null;
  engine.once('end', () => {
    completed = true;
  });
  engine.once('error', (err: Error) => {
    failure = err;
  });

  try {
    if (input.state) {
      engine.recover(input.state as never);
      await engine.resume({ listener });
    } else {
      await engine.execute({ listener, variables: { ...input.variables } } as never);
    }
    const proc = engine.execution?.definitions[0]?.getProcesses().find((p: { id: string }) => p.id === def.key) as
      | { environment: { variables: Record<string, unknown> } }
      | undefined;
    const postponed = () => (completed ? [] : ((engine.execution?.getPostponed() ?? []) as PostponedApi[]));
    const give = (signal: Signal): boolean => {
      // No execution id: the waiting activity of that id (a message start event of a new instance).
      const api = signal.executionId ? findWaiting(postponed(), signal.executionId) : (postponed().find((a) => a.id === signal.activityId) ?? null);
      if (!api) return false;
      if (signal.error) {
        // bpmn-elements turns it into an ActivityError with this code: error boundary events match it against errorCode.
        api.sendApiMessage('error', { message: signal.error.message, code: signal.error.code, name: 'BpmnBusinessError' });
        return true;
      }
      if (proc && signal.variables) Object.assign(proc.environment.variables, signal.variables);
      // A waiting message event (catch, boundary, start) is answered through its own api.
      if (api.type === 'bpmn:MessageEventDefinition') api.signal({ ...(signal.variables ?? {}) });
      else engine.execution!.signal({ id: signal.activityId, executionId: signal.executionId, output: signal.variables ?? {} });
      return true;
    };
    const settle = async (signal: Signal | undefined) => {
      await new Promise((r) => setImmediate(r));
      if (failure) throw (signal && uncaught(signal, failure)) || failure;
    };
    const signalled = input.signal ? give(input.signal) : false;
    const fired = input.fire ? timers.fire(input.fire) : false;
    await settle(input.signal);
    for (let steps = 0; input.next && !completed; steps++) {
      const step = await input.next(collectWaiting(postponed()), publicVariables(proc?.environment.variables ?? input.variables));
      if (!step) break;
      if (steps >= MAX_STEPS_PER_COMMAND) throw new AppError('process.engine_error', `Process ${def.key} v${def.version}: more than ${MAX_STEPS_PER_COMMAND} service tasks in one command`);
      if (!give(step)) throw new AppError('process.engine_error', `Process ${def.key} v${def.version}: activity ${step.activityId} no longer waits`);
      await settle(step);
      // A multi-instance task waits per iteration, not at the execution signalled: never call its handler again and again.
      if (findWaiting(postponed(), step.executionId)) {
        throw new AppError('process.engine_error', `Process ${def.key} v${def.version}: activity ${step.activityId} still waits after its signal (multi-instance service tasks are not supported)`);
      }
    }
    const waiting = collectWaiting(postponed());
    const state = (await engine.getState()) as { definitions: { source?: unknown }[] };
    for (const d of state.definitions) delete d.source;
    return {
      state,
      completed,
      waiting,
      history: [...history.values()],
      variables: publicVariables(proc?.environment.variables ?? input.variables),
      timers: completed ? [] : timers.armed(),
      fired,
      signalled,
    };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('process.engine_error', `Process ${def.key} v${def.version}: ${(err as Error).message}`);
  }
}
