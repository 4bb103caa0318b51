import * as elements from 'bpmn-elements';
import { TypeResolver } from 'moddle-context-serializer';
import { DurableTimerEventDefinition } from './timer-definition.ts';

/** Most iterations a multi-instance activity may start; more stops the activity with an error. */
export const MAX_LOOP_ITERATIONS = 1_000;

type Ctor = new (...args: unknown[]) => Record<string, unknown>;
const lib = elements as unknown as Record<string, Ctor>;

interface LoopInner {
  characteristics: unknown;
  loopCardinality?: string | number;
  collection?: string;
  execute(message: { content: unknown }): unknown;
}

interface LoopActivity {
  id: string;
  environment: { resolveExpression(expr: unknown, message: unknown): unknown };
}

/**
 * Multi-instance with a ceiling: the cardinality or collection an expression yields is checked
 * before any iteration starts, so `${n}` = 10⁹ cannot flood the engine.
 */
function BoundedLoopCharacteristics(activity: LoopActivity, loopCharacteristics: unknown): LoopInner {
  const inner = new lib.MultiInstanceLoopCharacteristics(activity, loopCharacteristics) as unknown as LoopInner;
  const execute = inner.execute.bind(inner);
  inner.execute = (message) => {
    if (!inner.characteristics) {
      const env = activity.environment;
      const count =
        inner.collection !== undefined
          ? env.resolveExpression(inner.collection, message)
          : inner.loopCardinality !== undefined
            ? env.resolveExpression(inner.loopCardinality, message)
            : 0;
      const n = Array.isArray(count) ? count.length : Number(count);
      if (n > MAX_LOOP_ITERATIONS) {
        throw new lib.RunError(
          `<${activity.id}> multi-instance of ${n} iterations exceeds the limit of ${MAX_LOOP_ITERATIONS}`,
          message,
        ) as unknown as Error;
      }
    }
    return execute(message);
  };
  return inner;
}

interface ActivityDef {
  behaviour?: Record<string, unknown>;
}

/**
 * A call activity that only waits: bpmn-elements would run a process of the same id found in
 * the engine's own context (the process calling itself, in memory). The runtime starts the
 * called process as an instance of its own instead (call-activities.ts), so the engine is never
 * told what is called.
 */
function DetachedCallActivity(activityDef: ActivityDef, context: unknown): unknown {
  return (lib.CallActivity as unknown as (def: ActivityDef, ctx: unknown) => unknown)(
    { ...activityDef, behaviour: { ...activityDef.behaviour, calledElement: undefined } },
    context,
  );
}

/**
 * How the serialised context's element types map to bpmn-elements behaviours. Differences from
 * bpmn-engine's default:
 * - service, send and business-rule tasks wait like user tasks (`activity.wait`): the runtime
 *   runs their topic's handler as a durable job and signals the activity with its output;
 *   the engine never resolves a service function from the diagram;
 * - multi-instance is bounded (MAX_LOOP_ITERATIONS);
 * - call activities only wait: the runtime starts the called process (DetachedCallActivity);
 * - timers of an engine with `DurableTimers` never expire by the machine's clock: the job runner
 *   fires them (DurableTimerEventDefinition, timer-definition.ts).
 * Use it to deserialize `CompiledProcess.context`.
 */
export const typeResolver = TypeResolver(elements as unknown as Record<string, unknown>, (types: Record<string, unknown>) => {
  types['bpmn:ServiceTask'] = lib.SignalTask;
  types['bpmn:SendTask'] = lib.SignalTask;
  types['bpmn:BusinessRuleTask'] = lib.SignalTask;
  types['bpmn:MultiInstanceLoopCharacteristics'] = BoundedLoopCharacteristics;
  types['bpmn:CallActivity'] = DetachedCallActivity;
  types['bpmn:TimerEventDefinition'] = DurableTimerEventDefinition;
});

/** Can the engine build this BPMN type (after typeResolver's mapping)? */
export function isExecutableType(type: string): boolean {
  if (
    ['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask', 'bpmn:DataObjectReference', 'bpmn:Definitions', 'bpmn:Error'].includes(
      type,
    )
  )
    return true;
  const local = type.split(':').slice(1).join(':');
  return type.startsWith('bpmn:') && typeof lib[local] === 'function';
}
