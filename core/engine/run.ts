import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import type { LoadedDefinition } from './types.ts';
import { DurableTimers } from './timers.ts';
import { withoutSources } from './state-adapter.ts';
import type { HistoryEvent, RunInput, RunResult, Signal, Waiting } from './run-types.ts';
import { MAX_STEPS_PER_COMMAND } from './run-types.ts';
import { engineOptions } from './expressions.ts';
import { evaluateParams, type Variables } from './io-mapping.ts';

export type { Waiting, HistoryEvent, Signal, RunInput, RunResult } from './run-types.ts';
export { MAX_STEPS_PER_COMMAND } from './run-types.ts';

/** Where the input parameters of running activities are kept in the saved state, by execution id (never process data). */
const IO_KEY = 'motcua:io';

/** Keys bpmn-elements itself writes into process variables, and ours; never shown as process data. */
const ENGINE_KEYS = new Set(['fields', 'content', 'properties', IO_KEY]);

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
  owner?: {
    name?: string;
    /** A multi-instance activity's execution: its root scope and one postponed message per iteration. */
    execution?: { getPostponed(): PostponedApi[] };
    behaviour?: { loopCharacteristics?: { behaviour?: { elementVariable?: string; collection?: unknown } } };
  };
  environment?: { variables: Record<string, unknown> };
  content?: {
    parent?: { id?: string };
    message?: { type?: string; id?: string; name?: string; code?: unknown };
    isMultiInstance?: boolean;
    isRootScope?: boolean;
    index?: number;
    [key: string]: unknown;
  };
  getPostponed?: () => PostponedApi[];
  sendApiMessage(action: string, content?: Record<string, unknown>): void;
  signal(message?: unknown): void;
}

/** The activities waiting inside a sub-process (which lists itself among them: left out). */
function childApis(api: PostponedApi): PostponedApi[] {
  if (api.type !== 'bpmn:SubProcess' && api.type !== 'bpmn:Transaction') return [];
  return (api.getPostponed?.() ?? []).filter((c) => c.id !== api.id && c.executionId !== api.executionId);
}

/** The waiting iterations of a multi-instance task (parallel: all of them; sequential: the current one). */
function iterationApis(api: PostponedApi): PostponedApi[] {
  if (!api.content?.isMultiInstance || api.type === 'bpmn:SubProcess' || api.type === 'bpmn:Transaction') return [];
  return (api.owner?.execution?.getPostponed() ?? []).filter((c) => !c.content?.isRootScope && c.executionId !== api.executionId);
}

/** An iteration's own values: `loopCounter` and the element variable of a collection loop (Camunda's names). */
function iterationLocals(root: PostponedApi, it: PostponedApi): Variables {
  const loop = root.owner?.behaviour?.loopCharacteristics?.behaviour;
  const locals: Variables = { loopCounter: it.content?.index ?? 0 };
  if (loop?.collection) {
    const name = loop.elementVariable || 'item';
    locals[name] = it.content?.[name];
  }
  return locals;
}

function findWaiting(apis: PostponedApi[], executionId: string): PostponedApi | null {
  for (const api of apis) {
    if (api.executionId === executionId) return api;
    const inner = findWaiting([...childApis(api), ...iterationApis(api)], executionId);
    if (inner) return inner;
  }
  return null;
}

/** A BPMN error thrown by a service task that no error boundary event (or event sub-process) caught. */
function uncaught(signal: Signal, failure: Error): AppError | null {
  if (!signal.error || String((failure as { code?: unknown }).code) !== signal.error.code) return null;
  return new AppError(
    'process.bpmn_error_uncaught',
    `Activity ${signal.activityId} reported business error "${signal.error.code}" (${signal.error.message}) and no error event catches it`,
    {
      errorCode: signal.error.code,
      activityId: signal.activityId,
    },
  );
}

function collectWaiting(apis: PostponedApi[], out: Waiting[] = []): Waiting[] {
  for (const api of apis) {
    const children = childApis(api);
    const iterations = children.length ? [] : iterationApis(api);
    if (children.length) collectWaiting(children, out);
    else if (iterations.length) {
      // One waiting item (one task row) per iteration, signalled by the iteration's execution id.
      for (const it of iterations)
        out.push({
          activityId: api.id,
          executionId: it.executionId,
          type: api.type,
          name: api.owner?.name ?? api.name ?? null,
          locals: iterationLocals(api, it),
        });
    } else if (api.type !== 'bpmn:SequenceFlow')
      out.push({ activityId: api.id, executionId: api.executionId, type: api.type, name: api.owner?.name ?? api.name ?? null });
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
    const h = history.get(api.executionId) ?? {
      activityId: api.id,
      executionId: api.executionId,
      name: api.owner?.name ?? api.name ?? null,
      type: api.type,
    };
    h[kind] = clock.now();
    history.set(api.executionId, h);
  };
  // camunda:inputOutput: inputs when an activity starts (kept in the state until it ends), outputs when it ends.
  let topEnv: { variables: Record<string, unknown> } | null = null;
  const processEnv = (api: PostponedApi) => {
    topEnv ??=
      (
        engine.execution?.definitions[0]?.getProcesses().find((p: { id: string }) => p.id === def.key) as
          { environment: { variables: Record<string, unknown> } } | undefined
      )?.environment ?? null;
    if (!topEnv && api.content?.parent?.id === def.key && api.environment) topEnv = api.environment;
    return topEnv ?? api.environment ?? { variables: {} };
  };
  const locals = (api: PostponedApi) => (processEnv(api).variables[IO_KEY] ?? {}) as Record<string, Variables>;
  const signalled = new Map<string, Variables>();
  let ioFailure: Error | null = null;
  const io = (api: PostponedApi, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      ioFailure ??= new Error(`${api.id}: ${(err as Error).message}`);
    }
  };
  const dropLocals = (api: PostponedApi) => {
    const vars = processEnv(api).variables;
    const store = vars[IO_KEY] as Record<string, Variables> | undefined;
    if (!store || !(api.executionId in store)) return;
    delete store[api.executionId];
    if (Object.keys(store).length === 0) delete vars[IO_KEY];
  };
  listener.on('activity.start', (api: PostponedApi) => {
    event('startedAt')(api);
    const inputs = def.activities[api.id]?.io?.inputs;
    if (inputs?.length)
      io(api, () => {
        const vars = processEnv(api).variables;
        const values = evaluateParams(inputs, publicVariables(vars));
        vars[IO_KEY] = { ...locals(api), [api.executionId]: values };
      });
  });
  listener.on('activity.end', (api: PostponedApi) => {
    event('endedAt')(api);
    const model = def.activities[api.id]?.io;
    if (!model) return;
    io(api, () => {
      const vars = processEnv(api).variables;
      const own = locals(api)[api.executionId] ?? {};
      dropLocals(api);
      if (model.outputs.length)
        Object.assign(vars, evaluateParams(model.outputs, { ...publicVariables(vars), ...own, ...(signalled.get(api.executionId) ?? {}) }));
    });
  });
  // An activity that leaves without ending (a task interrupted by a boundary event, a discarded boundary event) has ended too.
  listener.on('activity.leave', (api: PostponedApi) => {
    if (!history.get(api.executionId)?.endedAt) event('endedAt')(api);
    dropLocals(api);
  });
  // BPMN errors thrown (error end events) and caught (boundary events, event sub-processes) in this command.
  const throws: { code: string; message: string; activityId: string }[] = [];
  const catches: string[] = [];
  const errorCode = (api: PostponedApi) => {
    const m = api.content?.message;
    return api.type === 'bpmn:ErrorEventDefinition' && m ? String(m.code ?? m.id ?? '') : null;
  };
  listener.on('activity.throw', (api: PostponedApi) => {
    const code = errorCode(api);
    if (code !== null) throws.push({ code, message: String(api.content?.message?.name ?? code), activityId: api.id });
  });
  listener.on('activity.catch', (api: PostponedApi) => {
    const code = errorCode(api);
    if (code !== null) catches.push(code);
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
      { environment: { variables: Record<string, unknown> } } | undefined;
    const postponed = () => (completed ? [] : ((engine.execution?.getPostponed() ?? []) as PostponedApi[]));
    const give = (signal: Signal): boolean => {
      // No execution id: the waiting activity of that id (a message start event of a new instance).
      const api = signal.executionId
        ? findWaiting(postponed(), signal.executionId)
        : (postponed().find((a) => a.id === signal.activityId) ?? null);
      if (!api) return false;
      if (signal.error) {
        // bpmn-elements turns it into an ActivityError with this code: error boundary events match it against errorCode.
        api.sendApiMessage('error', { message: signal.error.message, code: signal.error.code, name: 'BpmnBusinessError' });
        return true;
      }
      // With output parameters, what the signal brings is the activity's own: only the outputs reach the process.
      if (def.activities[signal.activityId]?.io?.outputs.length) signalled.set(api.executionId, signal.variables ?? {});
      else if (proc && signal.variables) Object.assign(proc.environment.variables, signal.variables);
      // A waiting message event (catch, boundary, start) is answered through its own api.
      if (api.type === 'bpmn:MessageEventDefinition') api.signal({ ...(signal.variables ?? {}) });
      else engine.execution!.signal({ id: signal.activityId, executionId: signal.executionId, output: signal.variables ?? {} });
      return true;
    };
    const settle = async (signal: Signal | undefined) => {
      await new Promise((r) => setImmediate(r));
      if (failure) throw (signal && uncaught(signal, failure)) || failure;
      if (ioFailure)
        throw new AppError(
          'process.engine_error',
          `Process ${def.key} v${def.version}: an input or output parameter failed: ${ioFailure.message}`,
        );
    };
    const waitingNow = () => {
      const store = (proc?.environment.variables[IO_KEY] ?? {}) as Record<string, Variables>;
      return collectWaiting(postponed()).map((w) => (store[w.executionId] ? { ...w, inputs: store[w.executionId] } : w));
    };
    const wasSignalled = input.signal ? give(input.signal) : false;
    const fired = input.fire ? timers.fire(input.fire) : false;
    await settle(input.signal);
    for (let steps = 0; input.next && !completed; steps++) {
      const step = await input.next(waitingNow(), publicVariables(proc?.environment.variables ?? input.variables));
      if (!step) break;
      if (steps >= MAX_STEPS_PER_COMMAND)
        throw new AppError(
          'process.engine_error',
          `Process ${def.key} v${def.version}: more than ${MAX_STEPS_PER_COMMAND} service tasks in one command`,
        );
      if (!give(step))
        throw new AppError('process.engine_error', `Process ${def.key} v${def.version}: activity ${step.activityId} no longer waits`);
      await settle(step);
      // A multi-instance task waits per iteration, not at the execution signalled: never call its handler again and again.
      if (findWaiting(postponed(), step.executionId)) {
        throw new AppError(
          'process.engine_error',
          `Process ${def.key} v${def.version}: activity ${step.activityId} still waits after its signal (multi-instance service tasks are not supported)`,
        );
      }
    }
    const waiting = waitingNow();
    const open = [...catches];
    const uncaughtThrows = throws.filter((t) => {
      const i = open.indexOf(t.code);
      if (i < 0) return true;
      open.splice(i, 1);
      return false;
    });
    const state = withoutSources((await engine.getState()) as { definitions: { source?: unknown }[] });
    return {
      state,
      completed,
      waiting,
      history: [...history.values()],
      variables: publicVariables(proc?.environment.variables ?? input.variables),
      timers: completed ? [] : timers.armed(),
      fired,
      signalled: wasSignalled,
      thrown: uncaughtThrows.at(-1) ?? null,
    };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('process.engine_error', `Process ${def.key} v${def.version}: ${(err as Error).message}`);
  }
}
