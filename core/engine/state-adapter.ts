import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AppError } from '../errors.ts';

/**
 * The one place that reads or writes inside bpmn-engine's saved state (`engine.getState()`),
 * whose format neither bpmn-engine nor bpmn-elements documents or versions. Everything else
 * treats the state as opaque: `recover()` and `resume()` take it back whole.
 *
 * Fields this module touches, as the versions in STATE_FORMAT write them:
 *
 * - `definitions[].source` — written: removed before saving (`withoutSources`); the runtime
 *   gives the engine its source context itself. Tolerant: if the field disappears, nothing
 *   breaks; if it is renamed, saved states grow but stay correct.
 * - `definitions[].execution.processes[].execution.children[]` — read (`runningActivities`):
 *   each child is an activity, `{ id, status, execution: { children[], executions[].children[] } }`;
 *   a `status` means it is running (waiting, joining, holding a timer), and the nested
 *   `children` are those of a sub-process (`executions[]`: one per sub-process iteration).
 * - Anywhere in the state, outside the subtrees `environment`, `variables`, `output`, `input`,
 *   `properties`, `fields`, `message` and `error` (process data or broker bookkeeping, never
 *   renamed) — written (`renameActivities`): string values of the keys `id`, `targetId`,
 *   `sourceId` and `attachedTo` name an activity, a sequence flow or the definitions element.
 *   In a state of bpmn-engine 25.0 those are:
 *   - `definitions[].id` (the definitions element) and `….processes[].id`;
 *   - `….processes[].execution.children[].id` (activities; nested likewise in sub-processes)
 *     and `….processes[].execution.flows[].id` (sequence flows);
 *   - in the broker messages kept by the definitions, each process and each activity
 *     (`….broker.queues[].messages[].content`): `id`, `parent.id`, `parent.path[].id`,
 *     `attachedTo`, and `inbound[]` (recursively) `id`, `parent.id`, `sourceId`, `targetId`.
 *   After renaming, a `children` array may hold two entries of one id (an idle child and a
 *   renamed running one): the running one is kept.
 * - Execution ids (`executionId`, `…_<n>`) are never changed: task rows, timer jobs and message
 *   subscriptions keyed by them keep pointing at the same waits.
 *
 * Migration must not rewrite a state whose format it was not checked against: every rewrite
 * starts with `assertStateFormat()`, which compares the installed bpmn-engine and
 * bpmn-elements with STATE_FORMAT (major and minor) and refuses with
 * `process.engine_version_unsupported` when they differ. `core/engine/state-adapter.test.ts`
 * fails on such an upgrade and says what to re-check. See ADR 0014.
 */

/** The versions (major.minor) whose state format this module was written and tested against. */
export const STATE_FORMAT = { 'bpmn-engine': '25.0', 'bpmn-elements': '17.3' } as const;

export type EnginePackage = keyof typeof STATE_FORMAT;

const require = createRequire(import.meta.url);

/** The version in the package.json of the package that `entry` (a resolved file) belongs to. */
function versionAt(entry: string, name: string): string {
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look further up
    }
    if (dirname(dir) === dir) throw new Error(`No package.json of ${name} above ${entry}`);
  }
}

let installed: Record<EnginePackage, string> | null = null;

/** The installed versions: bpmn-engine as the runtime resolves it, bpmn-elements as bpmn-engine resolves it. */
export function installedEngineVersions(): Record<EnginePackage, string> {
  if (!installed) {
    const engine = require.resolve('bpmn-engine');
    const elements = createRequire(engine).resolve('bpmn-elements');
    installed = { 'bpmn-engine': versionAt(engine, 'bpmn-engine'), 'bpmn-elements': versionAt(elements, 'bpmn-elements') };
  }
  return installed;
}

const majorMinor = (version: string) => version.split('.').slice(0, 2).join('.');

/** The packages whose installed major.minor differs from STATE_FORMAT, with both versions. */
export function stateFormatMismatches(
  versions: Record<EnginePackage, string> = installedEngineVersions(),
): { name: EnginePackage; installed: string; supported: string }[] {
  return (Object.keys(STATE_FORMAT) as EnginePackage[])
    .filter((name) => majorMinor(versions[name]) !== STATE_FORMAT[name])
    .map((name) => ({ name, installed: versions[name], supported: STATE_FORMAT[name] }));
}

/** Refuses (`process.engine_version_unsupported`) unless the installed engine writes the state format this module knows. */
export function assertStateFormat(versions?: Record<EnginePackage, string>): void {
  const wrong = stateFormatMismatches(versions);
  if (wrong.length === 0) return;
  throw new AppError(
    'process.engine_version_unsupported',
    `Instance migration rewrites the engine's saved state and was written for ${wrong.map((w) => `${w.name} ${w.supported}.x`).join(', ')}; ` +
      `this server runs ${wrong.map((w) => `${w.name} ${w.installed}`).join(', ')}. Upgrade motcua, or install the supported version.`,
    {
      installed: Object.fromEntries(wrong.map((w) => [w.name, w.installed])),
      supported: Object.fromEntries(wrong.map((w) => [w.name, w.supported])),
    },
  );
}

/** Removes the embedded source of each definition: the runtime passes the source context itself. */
export function withoutSources<T extends { definitions: { source?: unknown }[] }>(state: T): T {
  for (const d of state.definitions) delete d.source;
  return state;
}

/** Subtrees holding process data or broker bookkeeping, never activity ids to rename. */
const OPAQUE = new Set(['environment', 'variables', 'output', 'input', 'properties', 'fields', 'message', 'error']);
/** Keys whose string value names an activity (or the definitions element). */
const ID_KEYS = new Set(['id', 'targetId', 'sourceId', 'attachedTo']);

/** A copy of the state with every activity id renamed through `ids`. Call `assertStateFormat()` first. */
export function renameActivities<T>(value: T, ids: Map<string, string>, key = ''): T {
  if (Array.isArray(value)) return value.map((v) => renameActivities(v, ids, key)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = OPAQUE.has(k) ? v : renameActivities(v, ids, k);
    if (Array.isArray(out.children)) out.children = dedupeChildren(out.children as { id: string; status?: string }[]);
    return out as T;
  }
  if (typeof value === 'string' && ID_KEYS.has(key)) return (ids.get(value) ?? value) as T;
  return value;
}

/** After renaming, an idle child may share its id with a renamed running one: the running one stays. */
function dedupeChildren(children: { id: string; status?: string }[]) {
  const keep = new Map<string, { id: string; status?: string }>();
  for (const c of children) if (!keep.has(c.id) || (c.status && !keep.get(c.id)!.status)) keep.set(c.id, c);
  return children.filter((c) => keep.get(c.id) === c);
}

interface ChildState {
  id: string;
  status?: string;
  execution?: { children?: ChildState[]; executions?: { children?: ChildState[] }[] };
}

/** Activities the state holds as running (waiting, joining, holding a timer…), sub-processes included. */
export function runningActivities(state: object): Set<string> {
  const out = new Set<string>();
  const visit = (children: ChildState[] | undefined) => {
    for (const c of children ?? []) {
      if (!c.status) continue;
      out.add(c.id);
      visit(c.execution?.children);
      for (const e of c.execution?.executions ?? []) visit(e.children);
    }
  };
  const defs =
    (state as { definitions?: { execution?: { processes?: { execution?: { children?: ChildState[] } }[] } }[] }).definitions ?? [];
  for (const d of defs) for (const p of d.execution?.processes ?? []) visit(p.execution?.children);
  return out;
}
