// Test helper (not shipped): runs a compiled process on raw bpmn-engine with the project's engine options,
// answering every wait at once. The durable runtime (runtime.ts) replaces this in production.
import { EventEmitter } from 'node:events';
import * as elements from 'bpmn-elements';
import { Engine } from 'bpmn-engine';
import { deserialize } from 'moddle-context-serializer';
import { typeResolver } from '../../core/engine/elements.ts';
import { engineOptions } from '../../core/engine/expressions.ts';
import type { CompiledProcess } from '../../core/engine/model.ts';

const { Timers } = elements as unknown as { Timers: new (options: { setTimeout: unknown; clearTimeout: unknown }) => object };

export interface RawRun {
  /** 'end', 'error: …' or 'stalled: …' (still running after `timeoutMs`). */
  outcome: string;
  /** Activities that waited (user, service, receive, call …), in order. */
  waited: string[];
  /** Every activity that ended, in order. */
  ended: string[];
}

interface ElementApi {
  id: string;
  signal(payload?: unknown): void;
}

/**
 * Executes from the compiled context: timers fire at once, every `activity.wait` and call
 * activity is signalled on the next turn, and the run resolves on `end`, `error` or timeout.
 */
export async function runRaw(proc: CompiledProcess, variables: Record<string, unknown> = {}, timeoutMs = 5_000): Promise<RawRun> {
  const sourceContext = deserialize(JSON.parse(proc.context) as object, typeResolver);
  const timers = new Timers({
    setTimeout: (fn: () => void) => setTimeout(fn, 0),
    clearTimeout: (ref: ReturnType<typeof setTimeout>) => clearTimeout(ref),
  });
  const engine = new Engine({ name: proc.key, sourceContext, ...engineOptions(), timers, variables });
  const listener = new EventEmitter();
  const run: RawRun = { outcome: 'running', waited: [], ended: [] };
  const answer = (api: ElementApi) => {
    run.waited.push(api.id);
    setTimeout(() => api.signal({ answeredBy: 'test' }), 0);
  };
  listener.on('wait', answer);
  listener.on('activity.call', answer);
  listener.on('activity.end', (api: ElementApi) => run.ended.push(api.id));
  const finished = new Promise<string>((resolve) => {
    engine.once('end', () => resolve('end'));
    engine.once('error', (err: Error) => resolve(`error: ${err.message}`));
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<string>((resolve) => {
    timer = setTimeout(() => {
      const pending = engine.execution?.getPostponed().map((a: { id: string }) => a.id) ?? [];
      resolve(`stalled: ${[...new Set(pending)].join(', ')}`);
    }, timeoutMs);
  });
  try {
    await engine.execute({ listener });
    run.outcome = await Promise.race([finished, stalled]);
  } catch (err) {
    run.outcome = `error: ${(err as Error).message}`;
  } finally {
    clearTimeout(timer);
    if (run.outcome !== 'end') void engine.stop();
  }
  return run;
}
