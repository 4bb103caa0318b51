import { AppError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { LoadedDefinition } from './types.ts';
import type { HistoryEvent, Signal, Waiting } from './run-types.ts';
import { evaluateParams, type Variables } from './io-mapping.ts';

/**
 * The pure half of one engine command (run.ts is the other, the only code that talks to
 * bpmn-engine): what the engine reports (activity apis, listener events) translated into the
 * command's result: history, waiting activities, input/output variables, BPMN errors thrown.
 * Nothing here imports bpmn-engine or touches the database.
 */

/** Where the input parameters of running activities are kept in the saved state, by execution id (never process data). */
export const IO_KEY = 'motcua:io';

/** Keys bpmn-elements itself writes into process variables, and ours; never shown as process data. */
const ENGINE_KEYS = new Set(['fields', 'content', 'properties', IO_KEY]);

export function publicVariables(vars: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(vars ?? {})) if (!ENGINE_KEYS.has(k)) out[k] = v;
  return out;
}

/** What bpmn-engine hands listeners and `getPostponed`: the part of its activity api we read. */
export interface PostponedApi {
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
  discard(): void;
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

export function findWaiting(apis: PostponedApi[], executionId: string): PostponedApi | null {
  for (const api of apis) {
    if (api.executionId === executionId) return api;
    const inner = findWaiting([...childApis(api), ...iterationApis(api)], executionId);
    if (inner) return inner;
  }
  return null;
}

const nameOf = (api: PostponedApi) => api.owner?.name ?? api.name ?? null;

export function collectWaiting(apis: PostponedApi[], out: Waiting[] = []): Waiting[] {
  for (const api of apis) {
    const children = childApis(api);
    const iterations = children.length ? [] : iterationApis(api);
    if (children.length) collectWaiting(children, out);
    else if (iterations.length) {
      // One waiting item (one task row) per iteration, signalled by the iteration's execution id.
      for (const it of iterations)
        out.push({ activityId: api.id, executionId: it.executionId, type: api.type, name: nameOf(api), locals: iterationLocals(api, it) });
    } else if (api.type !== 'bpmn:SequenceFlow')
      out.push({ activityId: api.id, executionId: api.executionId, type: api.type, name: nameOf(api) });
  }
  return out;
}

/** Waiting activities with their input parameters (kept in the state under IO_KEY). */
export function withInputs(waiting: Waiting[], processVariables: Record<string, unknown> | undefined): Waiting[] {
  const store = (processVariables?.[IO_KEY] ?? {}) as Record<string, Variables>;
  return waiting.map((w) => (store[w.executionId] ? { ...w, inputs: store[w.executionId] } : w));
}

/** A BPMN error thrown by a service task that no error boundary event (or event sub-process) caught. */
export function uncaught(signal: Signal, failure: Error): AppError | null {
  if (!signal.error || String((failure as { code?: unknown }).code) !== signal.error.code) return null;
  return new AppError(
    'process.bpmn_error_uncaught',
    `Activity ${signal.activityId} reported business error "${signal.error.code}" (${signal.error.message}) and no error event catches it`,
    { errorCode: signal.error.code, activityId: signal.activityId },
  );
}

type Thrown = { code: string; message: string; activityId: string };

/**
 * What the listeners of one command saw, translated as it comes: activity history, input and
 * output parameters (camunda:inputOutput), BPMN errors thrown and caught. `env` finds the
 * process's variables (the adapter knows where the engine keeps them).
 */
export class RunRecorder {
  readonly history = new Map<string, HistoryEvent>();
  /** Variables a signal brought to an activity with output parameters: only its outputs reach the process. */
  readonly signalled = new Map<string, Variables>();
  ioFailure: Error | null = null;
  private readonly throws: Thrown[] = [];
  private readonly catches: string[] = [];

  constructor(
    private readonly def: LoadedDefinition,
    private readonly clock: Clock,
    private readonly env: (api: PostponedApi) => { variables: Record<string, unknown> },
  ) {}

  private mark(api: PostponedApi, kind: 'startedAt' | 'endedAt') {
    if (api.type === 'bpmn:Process' || api.type === 'bpmn:SequenceFlow') return;
    const h = this.history.get(api.executionId) ?? { activityId: api.id, executionId: api.executionId, name: nameOf(api), type: api.type };
    h[kind] = this.clock.now();
    this.history.set(api.executionId, h);
  }

  private locals(api: PostponedApi) {
    return (this.env(api).variables[IO_KEY] ?? {}) as Record<string, Variables>;
  }

  private io(api: PostponedApi, fn: () => void) {
    try {
      fn();
    } catch (err) {
      this.ioFailure ??= new Error(`${api.id}: ${(err as Error).message}`);
    }
  }

  private dropLocals(api: PostponedApi) {
    const vars = this.env(api).variables;
    const store = vars[IO_KEY] as Record<string, Variables> | undefined;
    if (!store || !(api.executionId in store)) return;
    delete store[api.executionId];
    if (Object.keys(store).length === 0) delete vars[IO_KEY];
  }

  /** An activity starts: its history row, its input parameters kept until it ends. */
  start(api: PostponedApi) {
    this.mark(api, 'startedAt');
    const inputs = this.def.activities[api.id]?.io?.inputs;
    if (!inputs?.length) return;
    this.io(api, () => {
      const vars = this.env(api).variables;
      vars[IO_KEY] = { ...this.locals(api), [api.executionId]: evaluateParams(inputs, publicVariables(vars)) };
    });
  }

  /** An activity ends: its history, its output parameters into the process. */
  end(api: PostponedApi) {
    this.mark(api, 'endedAt');
    const model = this.def.activities[api.id]?.io;
    if (!model) return;
    this.io(api, () => {
      const vars = this.env(api).variables;
      const own = this.locals(api)[api.executionId] ?? {};
      this.dropLocals(api);
      if (model.outputs.length)
        Object.assign(
          vars,
          evaluateParams(model.outputs, { ...publicVariables(vars), ...own, ...(this.signalled.get(api.executionId) ?? {}) }),
        );
    });
  }

  /** An activity that leaves without ending (interrupted by a boundary event, a discarded boundary event) has ended too. */
  leave(api: PostponedApi) {
    if (!this.history.get(api.executionId)?.endedAt) this.mark(api, 'endedAt');
    this.dropLocals(api);
  }

  /** An activity on a path not taken (an exclusive gateway's other branch): marked, so nothing treats it as done. */
  discard(api: PostponedApi) {
    if (api.type === 'bpmn:Process' || api.type === 'bpmn:SequenceFlow') return;
    const h = this.history.get(api.executionId) ?? { activityId: api.id, executionId: api.executionId, name: nameOf(api), type: api.type };
    h.discarded = true;
    this.history.set(api.executionId, h);
  }

  private static errorCode(api: PostponedApi) {
    const m = api.content?.message;
    return api.type === 'bpmn:ErrorEventDefinition' && m ? String(m.code ?? m.id ?? '') : null;
  }

  /** A BPMN error thrown (an error end event). */
  thrown(api: PostponedApi) {
    const code = RunRecorder.errorCode(api);
    if (code !== null) this.throws.push({ code, message: String(api.content?.message?.name ?? code), activityId: api.id });
  }

  /** A BPMN error caught (a boundary event, an event sub-process). */
  caught(api: PostponedApi) {
    const code = RunRecorder.errorCode(api);
    if (code !== null) this.catches.push(code);
  }

  /** The last BPMN error thrown that nothing caught, else null. */
  lastUncaught(): Thrown | null {
    const open = [...this.catches];
    const left = this.throws.filter((t) => {
      const i = open.indexOf(t.code);
      if (i < 0) return true;
      open.splice(i, 1);
      return false;
    });
    return left.at(-1) ?? null;
  }
}
