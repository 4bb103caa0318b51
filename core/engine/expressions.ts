import { evaluateFeel, FEEL_LIMITS } from './feel.ts';

/**
 * The two expression forms a diagram may use (docs/bpmn-extensions.md):
 * - `${a.b[0]}`: a plain variable path: `${approved}` is the process variable (or the
 *   activity's own value, e.g. a multi-instance element variable), and `environment.…`,
 *   `content.…` read what bpmn-elements passes; no operators, no calls, never returns a function;
 * - `=<FEEL>`: FEEL over the process variables (`environment.variables`), bounded (feel.ts).
 * Any other text is a literal.
 */
const IDENT = String.raw`[\p{L}_$][\p{L}\p{N}_$]*`;
const SEGMENT = String.raw`(?:\.${IDENT}|\[-?\d+\]|\['[^'\]]*'\]|\["[^"\]]*"\])`;
const PATH = new RegExp(String.raw`^${IDENT}${SEGMENT}*$`, 'u');
const FORBIDDEN = new Set([
  '__proto__',
  'prototype',
  'constructor',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);
const TEMPLATE = /\$\{([^}]*)\}/g;

/** Literals the engine's own resolver also accepts inside `${…}`. */
function literal(inner: string): { value: unknown } | null {
  if (inner === 'true') return { value: true };
  if (inner === 'false') return { value: false };
  if (inner === 'null') return { value: null };
  if (/^-?\d+(\.\d+)?$/.test(inner)) return { value: Number(inner) };
  return null;
}

function segments(path: string): string[] {
  const out: string[] = [];
  const re = new RegExp(String.raw`^(${IDENT})|\.(${IDENT})|\[(-?\d+)\]|\['([^'\]]*)'\]|\["([^"\]]*)"\]`, 'gu');
  for (const m of path.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5]);
  return out;
}

/** Why `inner` (the text between `${` and `}`) is not allowed, or null. */
export function pathProblem(inner: string): string | null {
  const text = inner.trim();
  if (literal(text)) return null;
  if (!PATH.test(text)) return `\${${inner}} is not a plain variable path (no operators or calls: use =FEEL)`;
  const bad = segments(text).find((s) => FORBIDDEN.has(s));
  return bad ? `\${${inner}} reaches "${bad}"` : null;
}

/** Roots of what bpmn-elements passes to an expression; any other first name is a variable. */
const CONTEXT_ROOTS = new Set(['environment', 'content', 'properties', 'fields']);

const own = (o: unknown, key: string): o is Record<string, unknown> => !!o && typeof o === 'object' && Object.hasOwn(o, key);

/**
 * Where a path's first name is looked up. In bpmn-elements' context (it has `environment`), a
 * name that is not one of its roots is a variable, as in Camunda: `${approved}` reads the
 * process variable, else the activity's own value of that name (a multi-instance iteration's
 * element variable lives in its message content). Elsewhere (input/output mappings, task
 * attributes) the context already is the variables.
 */
function scopeOf(context: unknown, first: string): unknown {
  if (!own(context, 'environment') || CONTEXT_ROOTS.has(first)) return context;
  const vars = (context.environment as { variables?: unknown } | null)?.variables;
  if (own(vars, first)) return vars;
  if (own(context.content, first)) return context.content;
  return vars ?? context;
}

/** Reads a plain path; never calls a function, never returns one. */
export function readPath(context: unknown, inner: string): unknown {
  const text = inner.trim();
  const lit = literal(text);
  if (lit) return lit.value;
  const problem = pathProblem(text);
  if (problem) throw new Error(problem);
  const path = segments(text);
  let value: unknown = scopeOf(context, path[0]);
  for (const seg of path) {
    if (value === null || value === undefined) return undefined;
    if (typeof value !== 'object') return undefined;
    if (Array.isArray(value) && /^-\d+$/.test(seg)) value = value[value.length + Number(seg)];
    else value = (value as Record<string, unknown>)[seg];
  }
  return typeof value === 'function' ? undefined : value;
}

export function isFeel(text: string): boolean {
  return text.trimStart().startsWith('=');
}

/** Does the text hold an expression (`=FEEL`, or a `${path}` alone or inside text), rather than a literal? */
export function hasExpression(text: string): boolean {
  return isFeel(text) || text.includes('${');
}

function variablesOf(context: unknown): Record<string, unknown> {
  const env = (context as { environment?: { variables?: unknown } } | null)?.environment;
  const vars = env?.variables;
  return vars && typeof vars === 'object' ? (vars as Record<string, unknown>) : {};
}

/** Resolves a value as bpmn-elements asks for it (conditions, timers, names, loops, …). */
export function resolveValue(text: unknown, context: unknown, budgetMs = FEEL_LIMITS.budgetMs): unknown {
  if (typeof text !== 'string') return text;
  if (isFeel(text)) return evaluateFeel(text.trimStart().slice(1), variablesOf(context), budgetMs);
  if (!text.includes('${')) return text;
  const whole = /^\$\{([^}]*)\}$/.exec(text);
  if (whole) return readPath(context, whole[1]);
  return text.replace(TEMPLATE, (_m, inner: string) => {
    const v = readPath(context, inner);
    return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

export const FEEL_LANGUAGE = /^(feel|https?:\/\/www\.omg\.org\/spec\/(FEEL|DMN)\/.*)$/i;

interface ScriptElement {
  id: string;
  type: string;
  behaviour?: {
    conditionExpression?: { language?: string; body?: string };
    scriptFormat?: string;
    script?: string;
  };
}

interface ExecutionScope {
  environment?: { variables?: Record<string, unknown> };
}

class FeelScript {
  constructor(
    readonly id: string,
    private readonly body: string,
    private readonly budgetMs: number,
  ) {}

  execute(scope: ExecutionScope, callback?: (err: Error | null, result?: unknown) => void): unknown {
    const text = this.body.trimStart().replace(/^=/, '');
    let result: unknown;
    try {
      result = evaluateFeel(text, scope.environment?.variables ?? {}, this.budgetMs);
    } catch (err) {
      if (callback) return callback(err as Error);
      throw err;
    }
    return callback ? callback(null, result) : result;
  }
}

/**
 * The `scripts` option: FEEL conditions only. Anything else (script tasks, JavaScript
 * conditions, scripts on conditional events) throws: deploy refuses them first, this is the
 * second fence, so a leftover script can never be returned as a truthy string.
 */
export class FeelOnlyScripts {
  constructor(private readonly budgetMs = FEEL_LIMITS.budgetMs) {}

  register(element: ScriptElement): FeelScript | undefined {
    return this.scriptFor(element);
  }

  getScript(_language: string | undefined, element: ScriptElement): FeelScript | undefined {
    return this.scriptFor(element);
  }

  private scriptFor({ id, type, behaviour = {} }: ScriptElement): FeelScript | undefined {
    if (type === 'bpmn:SequenceFlow') {
      const cond = behaviour.conditionExpression;
      if (!cond?.language) return undefined;
      if (!FEEL_LANGUAGE.test(cond.language)) throw new Error(`<${id}> condition in ${cond.language} refused: only FEEL runs`);
      return new FeelScript(id, cond.body ?? '', this.budgetMs);
    }
    if (type === 'bpmn:ScriptTask') throw new Error(`<${id}> script task refused`);
    if (behaviour.scriptFormat === undefined && behaviour.script === undefined) return undefined;
    if (!behaviour.scriptFormat || !FEEL_LANGUAGE.test(behaviour.scriptFormat))
      throw new Error(`<${id}> ${behaviour.scriptFormat ?? 'script'} refused: only FEEL runs`);
    return new FeelScript(id, behaviour.script ?? '', this.budgetMs);
  }
}

export interface EngineOptions {
  expressions: {
    resolveExpression(text: unknown, context: unknown, fnContext?: unknown): unknown;
    isExpression(text: unknown): boolean;
    hasExpression(text: unknown): boolean;
  };
  scripts: FeelOnlyScripts;
}

/**
 * What to pass to every `new Engine(…)` (and again on every recover: options are not part of
 * the saved state). Stateless: one instance may serve every engine.
 */
export function engineOptions(options: { feelBudgetMs?: number } = {}): EngineOptions {
  const budget = options.feelBudgetMs ?? FEEL_LIMITS.budgetMs;
  return {
    expressions: {
      resolveExpression: (text, context) => resolveValue(text, context, budget),
      isExpression: (text) => typeof text === 'string' && (isFeel(text) || /^\$\{[^}]*\}$/.test(text)),
      hasExpression: (text) => typeof text === 'string' && hasExpression(text),
    },
    scripts: new FeelOnlyScripts(budget),
  };
}
