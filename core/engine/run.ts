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

export interface RunInput {
  instanceId: string;
  /** Saved state to recover; absent for a new instance. */
  state?: object;
  /** Process variables (merged into the engine before it continues). */
  variables: Record<string, unknown>;
  /** Complete this waiting activity, with output variables. */
  signal?: { activityId: string; executionId: string; variables?: Record<string, unknown> };
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
}

function collectWaiting(apis: PostponedApi[], out: Waiting[] = []): Waiting[] {
  for (const api of apis) {
    const children = api.type === 'bpmn:SubProcess' || api.type === 'bpmn:Transaction' ? api.getPostponed?.() ?? [] : [];
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
    if (input.signal) {
      if (proc && input.signal.variables) Object.assign(proc.environment.variables, input.signal.variables);
      engine.execution!.signal({ id: input.signal.activityId, executionId: input.signal.executionId, output: input.signal.variables ?? {} });
    }
    const fired = input.fire ? timers.fire(input.fire) : false;
    await new Promise((r) => setImmediate(r));
    if (failure) throw failure;
    const waiting = completed ? [] : collectWaiting((engine.execution?.getPostponed() ?? []) as PostponedApi[]);
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
    };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('process.engine_error', `Process ${def.key} v${def.version}: ${(err as Error).message}`);
  }
}
