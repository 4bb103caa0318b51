import vm from 'node:vm';
import { evaluate, parseExpression } from 'feelin';

/**
 * FEEL, bounded. Two fences keep an expression from hanging the server:
 * 1. at deploy, `checkFeel` refuses what cannot be bounded statically: a long or large
 *    expression, user-defined functions (recursion), iteration nested more than
 *    `maxIterationDepth` deep, and iterated ranges whose bounds are not small literals;
 * 2. at run time, `evaluateFeel` runs any expression that iterates, filters or calls a
 *    function under a wall-clock budget (node:vm's watchdog interrupts the evaluation).
 * Plain comparisons and paths (`amount > 100`, `applicant.age >= 18`) are linear in their
 * text and run without the watchdog.
 */
export const FEEL_LIMITS = {
  maxLength: 2_000,
  maxNodes: 400,
  maxIterationDepth: 2,
  maxRangeSpan: 10_000,
  budgetMs: 50,
};

const ITERATING = new Set(['ForExpression', 'QuantifiedExpression', 'FilterExpression']);
const COSTLY = new Set([...ITERATING, 'FunctionInvocation', 'FunctionDefinition']);
const NUMBER = /^-?\d+(\.\d+)?$/;

export interface FeelCheck {
  /** Why the expression is refused, or null when it may be deployed. */
  problem: string | null;
  /** Does the expression need the run-time budget (iteration, filters, calls)? */
  costly: boolean;
}

interface LezerNode {
  name: string;
  from: number;
  to: number;
  type: { isError: boolean };
  node: { firstChild: LezerSyntax | null };
}
interface LezerSyntax {
  name: string;
  from: number;
  to: number;
  nextSibling: LezerSyntax | null;
}

function children(node: LezerSyntax | null): LezerSyntax[] {
  const out: LezerSyntax[] = [];
  for (let c = node; c; c = c.nextSibling) out.push(c);
  return out;
}

function rangeProblem(expr: string, ctx: LezerNode): string | null {
  const parts = children(ctx.node.firstChild);
  const dots = parts.findIndex((p) => p.name === '..');
  if (dots < 0) return null;
  const lo = expr.slice(parts[0].from, parts[dots - 1]?.to ?? parts[0].to).trim();
  const hi = expr.slice(parts[dots + 1]?.from ?? ctx.to, ctx.to).trim();
  if (!NUMBER.test(lo) || !NUMBER.test(hi)) return `the range ${lo}..${hi} is iterated: its bounds must be number literals`;
  if (Math.abs(Number(hi) - Number(lo)) > FEEL_LIMITS.maxRangeSpan)
    return `the range ${lo}..${hi} is iterated: at most ${FEEL_LIMITS.maxRangeSpan} steps`;
  return null;
}

const cache = new Map<string, FeelCheck>();

/** Static check of a FEEL expression (without the leading `=`). */
export function checkFeel(expr: string): FeelCheck {
  const hit = cache.get(expr);
  if (hit) return hit;
  const result = analyse(expr);
  if (cache.size > 2_000) cache.clear();
  cache.set(expr, result);
  return result;
}

function analyse(expr: string): FeelCheck {
  if (!expr.trim()) return { problem: 'the expression is empty', costly: false };
  if (expr.length > FEEL_LIMITS.maxLength)
    return { problem: `the expression is longer than ${FEEL_LIMITS.maxLength} characters`, costly: true };
  let tree;
  try {
    tree = parseExpression(expr, {}, undefined);
  } catch (err) {
    return { problem: `FEEL syntax error: ${(err as Error).message}`, costly: true };
  }
  let problem: string | null = null;
  let nodes = 0;
  let depth = 0;
  let costly = false;
  tree.iterate({
    enter(ref: LezerNode) {
      if (problem) return false;
      nodes++;
      if (ref.type.isError) problem = `FEEL syntax error at character ${ref.from + 1}`;
      else if (nodes > FEEL_LIMITS.maxNodes) problem = `the expression has more than ${FEEL_LIMITS.maxNodes} parts`;
      else if (ref.name === 'FunctionDefinition') problem = 'user-defined functions are not allowed';
      else if (ref.name === 'IterationContext') problem = rangeProblem(expr, ref);
      if (COSTLY.has(ref.name)) costly = true;
      if (ITERATING.has(ref.name) && ++depth > FEEL_LIMITS.maxIterationDepth) {
        problem = `iteration (for / some / every / filter) is nested more than ${FEEL_LIMITS.maxIterationDepth} deep`;
      }
      return undefined;
    },
    leave(ref: LezerNode) {
      if (ITERATING.has(ref.name)) depth--;
    },
  } as never);
  return { problem, costly };
}

const watchdog = vm.createContext({ job: null as (() => unknown) | null });
const runJob = new vm.Script('job()');

// Warm feelin up once, outside any budget: its first costly evaluation in a process (parser
// tables, JIT) takes ~10 ms idle and several times that on a loaded machine, which a 50 ms
// budget must not be spent on.
try {
  evaluate('some x in [1, 2] satisfies x > 1 and count([x][item > 0]) = 1', {});
  runJob.runInContext(Object.assign(watchdog, { job: () => null }), { timeout: 1_000 });
} catch {
  // A warm-up only.
} finally {
  (watchdog as { job: unknown }).job = null;
}

/** CPU time this process has used, in ms (user + system). */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * Runs a costly evaluation under the budget. The watchdog counts wall-clock time, so on a
 * loaded machine a thread that was merely waiting for a core can run out of it: when the
 * attempt used less than half its budget in CPU time, it was starved, not runaway, and it runs
 * once more with four times the budget (FEEL is pure, so running it again changes nothing).
 * A runaway expression spends its budget in CPU and fails at once.
 */
export function withBudget<T>(job: () => T, ms: number, cpuNow: () => number = cpuMs): T {
  const started = cpuNow();
  try {
    return runOnce(job, ms);
  } catch (err) {
    if (!(err instanceof BudgetExceeded) || cpuNow() - started >= ms / 2) throw budgetError(err, ms);
    try {
      return runOnce(job, ms * 4);
    } catch (again) {
      throw budgetError(again, ms);
    }
  }
}

class BudgetExceeded extends Error {}

const budgetError = (err: unknown, ms: number) =>
  err instanceof BudgetExceeded ? new Error(`FEEL expression exceeded its ${ms} ms budget`) : err;

function runOnce<T>(job: () => T, ms: number): T {
  (watchdog as { job: unknown }).job = job;
  try {
    return runJob.runInContext(watchdog, { timeout: ms }) as T;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new BudgetExceeded();
    throw err;
  } finally {
    (watchdog as { job: unknown }).job = null;
  }
}

/** FEEL values back to plain data: dates, durations and ranges as their FEEL text. */
export function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'function') return null;
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto !== Object.prototype && proto !== null) return String(value);
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}

/**
 * Evaluates a FEEL expression (without the leading `=`) against the variables. Refuses, at run
 * time too, what `checkFeel` refuses; costly expressions run under the budget.
 */
export function evaluateFeel(expr: string, variables: Record<string, unknown>, budgetMs = FEEL_LIMITS.budgetMs): unknown {
  const check = checkFeel(expr);
  if (check.problem) throw new Error(`FEEL expression refused: ${check.problem}`);
  const run = () => evaluate(expr, variables).value;
  return toPlain(check.costly ? withBudget(run, budgetMs) : run());
}
