import type { CallActivityModel, IoMappingModel, IoValue } from './model.ts';
import { resolveValue } from './expressions.ts';

/**
 * Variable mappings (docs/bpmn-extensions.md §5b), evaluated by the runtime, never scripts:
 * - `camunda:inputOutput` / `zeebe:ioMapping`: input parameters when an activity starts
 *   (its local variables: a user task's `variables`, a service handler's input), output
 *   parameters when it ends (written to the process variables);
 * - `camunda:in` / `camunda:out` of a call activity: parent → child at the child's start,
 *   child → parent at the child's end.
 * A string value is a literal, a `${path}` or a `=FEEL` expression; a list is an array, a map
 * an object (evaluated item by item). `${path}` reads the variables directly (`${dossier.code}`)
 * or as the engine writes it (`${environment.variables.dossier.code}`).
 */

export type Variables = Record<string, unknown>;

/** Process variables as an expression context: `${a.b}`, `${environment.variables.a.b}` and FEEL `a.b` all read `a.b`. */
export function scopeOf(variables: Variables): unknown {
  return { ...variables, environment: { variables } };
}

/** One mapped value: literal, `${path}`, `=FEEL`, or a list / map of them. */
export function evaluateIo(value: IoValue, variables: Variables): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map((v) => evaluateIo(v, variables));
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluateIo(v, variables)]));
  const out = resolveValue(value, scopeOf(variables));
  return out === undefined ? null : out;
}

/** Parameters in order: a later one sees the earlier ones (as Camunda evaluates them). */
export function evaluateParams(params: IoMappingModel['inputs'], variables: Variables): Variables {
  const out: Variables = {};
  for (const p of params) {
    try {
      out[p.name] = evaluateIo(p.value, { ...variables, ...out });
    } catch (err) {
      throw new Error(`parameter "${p.name}": ${(err as Error).message}`);
    }
  }
  return out;
}

type Binding = CallActivityModel['in'][number];

/**
 * `camunda:in` / `camunda:out`: from the source instance's variables to the target's.
 * `variables="all"` copies every variable; `source` → `target` copies one (same name when no
 * target); `sourceExpression` (`${path}` / `=FEEL`) → `target` evaluates over the source's variables.
 * No binding at all maps nothing (Camunda 7).
 */
export function mapBindings(bindings: Binding[], source: Variables): Variables {
  const out: Variables = {};
  for (const b of bindings) {
    if (b.variables === 'all') Object.assign(out, structuredClone(source));
    else if (b.sourceExpression !== undefined) {
      const target = b.target ?? b.source;
      if (target) out[target] = evaluateIo(b.sourceExpression, source);
    } else if (b.source !== undefined) {
      const value = source[b.source];
      out[b.target ?? b.source] = value === undefined ? null : structuredClone(value);
    }
  }
  return out;
}
