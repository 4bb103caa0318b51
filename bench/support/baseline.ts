// Baseline: the bench diagram driven by raw bpmn-engine in this process, no database, no HTTP.
// Per completion: JSON.parse(saved) → new Engine(…).recover(state) → resume → signal →
// getState() → JSON.stringify. Two variants:
//  - "source in state": plain bpmn-engine usage, new Engine({ source: xml }); the state embeds
//    the serialised diagram and every recover deserialises it again;
//  - "shared sourceContext": the diagram is parsed once and passed as `sourceContext`, the
//    source is stripped from the saved state (what core/engine/run.ts does per command).
import { setImmediate as tick } from 'node:timers/promises';
import { createRequire } from 'node:module';
import { Engine } from 'bpmn-engine';
import { BpmnModdle } from 'bpmn-moddle';
import * as elements from 'bpmn-elements';
import serializer, { deserialize, TypeResolver } from 'moddle-context-serializer';
import { TASKS } from './diagram.ts';

const require = createRequire(import.meta.url);
const camunda = require('camunda-bpmn-moddle/resources/camunda.json') as object;

export type Variant = 'source-in-state' | 'shared-source-context';

export interface BaselineResult {
  variant: Variant;
  completions: number;
  cpuSeconds: number;
  wallSeconds: number;
  /** Average JSON length of the saved state at the first user task. */
  stateChars: number;
}

interface Postponed {
  id: string;
  executionId: string;
}

/** Parses the XML once, as core/engine/compile.ts + definitions.ts do at deploy/cache time. */
async function sharedSourceContext(xml: string): Promise<unknown> {
  const moddle = new BpmnModdle({ camunda });
  const parsed = await moddle.fromXML(xml);
  const typeResolver = TypeResolver(elements);
  const serialized = serializer(parsed as never, typeResolver).serialize();
  return deserialize(JSON.parse(serialized) as object, typeResolver);
}

function stripSource(state: { definitions: { source?: unknown }[] }): object {
  for (const d of state.definitions) delete d.source;
  return state;
}

export interface Driver {
  variant: Variant;
  /** Starts instance i and returns its saved state (at the first user task). */
  start(i: number): Promise<string>;
  /** One completion: recover from the saved state, signal the waiting task, save again. */
  complete(i: number, saved: string): Promise<string>;
}

export async function driver(xml: string, variant: Variant): Promise<Driver> {
  const shared = variant === 'shared-source-context' ? await sharedSourceContext(xml) : null;
  const engineFor = (name: string, fresh: boolean) =>
    shared ? new Engine({ name, sourceContext: shared as never }) : new Engine(fresh ? { name, source: xml } : { name });
  const save = async (engine: Engine): Promise<string> => {
    const state = (await engine.getState()) as { definitions: { source?: unknown }[] };
    return JSON.stringify(shared ? stripSource(state) : state);
  };
  return {
    variant,
    async start(i) {
      const engine = engineFor(`b${i}`, true);
      await engine.execute();
      return save(engine);
    },
    async complete(i, saved) {
      const engine = engineFor(`b${i}`, false);
      engine.recover(JSON.parse(saved));
      await engine.resume();
      const [task] = engine.execution!.getPostponed() as unknown as Postponed[];
      if (!task) throw new Error(`baseline instance ${i}: nothing waiting`);
      engine.execution!.signal({ id: task.id, executionId: task.executionId });
      await tick();
      return save(engine);
    },
  };
}

/** Starts `instances` instances (untimed), then times 5 completions of each, round by round. */
export async function measureDriver(d: Driver, instances: number): Promise<BaselineResult> {
  const states: string[] = [];
  for (let i = 0; i < instances; i++) states.push(await d.start(i));
  const stateChars = states.reduce((sum, s) => sum + s.length, 0) / states.length;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let completions = 0;
  for (let round = 0; round < TASKS; round++) {
    for (let i = 0; i < instances; i++) {
      states[i] = await d.complete(i, states[i]);
      completions++;
    }
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // Every instance must have run to its end event.
  if ((JSON.parse(states[0]) as { state: string }).state === 'running')
    throw new Error('baseline: instance 0 still running after five completions');
  return { variant: d.variant, completions, cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds, stateChars };
}

/**
 * Both variants, warmed up first (the JIT favours whichever runs second otherwise), then
 * measured twice in alternation; each variant's passes are summed.
 */
export async function runBaselines(
  xml: string,
  instances: number,
  warmup: number,
): Promise<{ shared: BaselineResult; plain: BaselineResult; passes: BaselineResult[] }> {
  const drivers = [await driver(xml, 'shared-source-context'), await driver(xml, 'source-in-state')];
  for (const d of drivers) await measureDriver(d, warmup);
  const passes: BaselineResult[] = [];
  for (let pass = 0; pass < 2; pass++) for (const d of drivers) passes.push(await measureDriver(d, instances));
  const sum = (variant: Variant): BaselineResult => {
    const ps = passes.filter((p) => p.variant === variant);
    return {
      variant,
      completions: ps.reduce((a, p) => a + p.completions, 0),
      cpuSeconds: ps.reduce((a, p) => a + p.cpuSeconds, 0),
      wallSeconds: ps.reduce((a, p) => a + p.wallSeconds, 0),
      stateChars: ps[0].stateChars,
    };
  };
  return { shared: sum('shared-source-context'), plain: sum('source-in-state'), passes };
}
