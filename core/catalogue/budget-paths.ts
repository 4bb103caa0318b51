import { asArray, attr, parseBpmn, type ModdleElement } from '../engine/compile/moddle.ts';
import type { TimeLimit } from './schema.ts';

/**
 * The budget rule (DOMAIN §5, issue 17): along **every path** of a case's internal process,
 * the step budgets (`motcua:budgetHours`, working hours) must fit the case's statutory time.
 * The pack tests check it for every shipped diagram; the designer's lint reuses it.
 *
 * How paths are walked (from the BPMN, read with the engine's moddle packages):
 * - from each none start event of the case's process, along sequence flows, to any node with no
 *   way on (an end event); a boundary event is one more way out of the activity it sits on;
 * - every gateway's outgoing flows are alternatives, parallel ones included: a path follows one
 *   branch of a fork, so the longest path is the critical path through the join;
 * - a message hop inside the file counts along the chain: a throw event (or send task) whose
 *   message starts another process of the same file continues at that process's message start
 *   event, and an end event of that process throwing a message continues at the element of
 *   another process that catches it (a bundle's parent waiting for the agency's result);
 * - a loop is taken at most once: a path visits each node at most twice, so a supplement loop
 *   is walked once around, and never again;
 * - sub-processes count as one node (their inner budgets are not walked).
 *
 * What the clock counts on a path depends on the case's supplement policy (schema `supplement`):
 * steps with status code 5 wait for the applicant.
 * - `restart`: the clock restarts on the complete dossier, so only the steps after the last
 *   supplement step count;
 * - `pause_extend`: the clock pauses while the applicant supplements and the paused step resumes
 *   with what is left of its budget, so supplement steps do not count and each step counts once;
 * - `continue`: every step visit counts, supplement steps included.
 */

export type SupplementPolicy = 'restart' | 'pause_extend' | 'continue';

export interface PathStep {
  /** `processId/elementId` */
  ref: string;
  name: string | null;
  hours: number;
  statusCode: number | null;
}

export interface BudgetPath {
  /** Every node visited, in order, as `processId/elementId` (element id alone inside the start process). */
  nodes: string[];
  /** The visits of budgeted steps, in order. */
  steps: PathStep[];
}

interface Node {
  el: ModdleElement;
  processId: string;
  ref: string;
  next: Node[];
}

const MAX_VISITS = 2;

function messageName(el: ModdleElement): string | null {
  for (const def of asArray(el.eventDefinitions)) {
    if (def.$type !== 'bpmn:MessageEventDefinition') continue;
    const msg = def.messageRef as ModdleElement | undefined;
    if (msg) return (typeof msg.name === 'string' && msg.name) || msg.id || null;
  }
  if (el.$type === 'bpmn:SendTask' || el.$type === 'bpmn:ReceiveTask') {
    const msg = el.messageRef as ModdleElement | undefined;
    if (msg) return (typeof msg.name === 'string' && msg.name) || msg.id || null;
  }
  return null;
}

const THROWS = new Set(['bpmn:IntermediateThrowEvent', 'bpmn:SendTask']);
const CATCHES = new Set(['bpmn:IntermediateCatchEvent', 'bpmn:ReceiveTask', 'bpmn:BoundaryEvent']);

function numberAttr(el: ModdleElement, name: string): number | null {
  const v = attr(el, name);
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** Every start-to-end path of `processId` in the BPMN file (see the module comment). */
export async function budgetPaths(xml: string, processId: string, options: { maxPaths?: number } = {}): Promise<BudgetPath[]> {
  const maxPaths = options.maxPaths ?? 10_000;
  const { rootElement } = await parseBpmn(xml);
  const processes = asArray(rootElement.rootElements).filter((e) => e.$type === 'bpmn:Process');
  const main = processes.find((p) => p.id === processId);
  if (!main) throw new Error(`no process "${processId}" in the file`);

  const nodes = new Map<ModdleElement, Node>();
  for (const p of processes) {
    for (const el of asArray(p.flowElements)) {
      if (el.$type === 'bpmn:SequenceFlow' || el.$type.startsWith('bpmn:Data')) continue;
      const ref = p.id === processId ? el.id! : `${p.id}/${el.id}`;
      nodes.set(el, { el, processId: p.id!, ref, next: [] });
    }
  }
  // Sequence flows by their source (sourceRef/targetRef; <bpmn:outgoing> children are optional).
  const flowsFrom = new Map<Node, Node[]>();
  for (const p of processes) {
    for (const f of asArray(p.flowElements)) {
      if (f.$type !== 'bpmn:SequenceFlow') continue;
      const from = nodes.get(f.sourceRef as ModdleElement);
      const to = nodes.get(f.targetRef as ModdleElement);
      if (from && to) flowsFrom.set(from, [...(flowsFrom.get(from) ?? []), to]);
    }
  }
  // Message starts of other processes, and catchers, by message name.
  const starts = new Map<string, Node[]>();
  const catchers = new Map<string, Node[]>();
  for (const n of nodes.values()) {
    const name = messageName(n.el);
    if (!name) continue;
    if (n.el.$type === 'bpmn:StartEvent') starts.set(name, [...(starts.get(name) ?? []), n]);
    else if (CATCHES.has(n.el.$type)) catchers.set(name, [...(catchers.get(name) ?? []), n]);
  }
  for (const n of nodes.values()) {
    const name = messageName(n.el);
    const started = name && THROWS.has(n.el.$type) ? (starts.get(name) ?? []).filter((s) => s.processId !== n.processId) : [];
    if (started.length > 0) {
      n.next.push(...started);
      continue;
    }
    for (const target of flowsFrom.get(n) ?? []) n.next.push(target);
    if (n.el.$type === 'bpmn:EndEvent' && name) n.next.push(...(catchers.get(name) ?? []).filter((c) => c.processId !== n.processId));
  }
  for (const n of nodes.values()) {
    if (n.el.$type !== 'bpmn:BoundaryEvent') continue;
    const host = nodes.get(n.el.attachedToRef as ModdleElement);
    if (host) host.next.push(n);
  }

  const entries = [...nodes.values()].filter(
    (n) => n.processId === processId && n.el.$type === 'bpmn:StartEvent' && asArray(n.el.eventDefinitions).length === 0,
  );
  const paths: BudgetPath[] = [];
  const visits = new Map<Node, number>();
  const trail: Node[] = [];
  const walk = (n: Node) => {
    const seen = visits.get(n) ?? 0;
    if (seen >= MAX_VISITS) return;
    visits.set(n, seen + 1);
    trail.push(n);
    if (n.next.length === 0) {
      if (paths.length >= maxPaths) throw new Error(`more than ${maxPaths} paths through "${processId}"`);
      paths.push({
        nodes: trail.map((t) => t.ref),
        steps: trail.flatMap((t) => {
          const hours = numberAttr(t.el, 'motcua:budgetHours');
          return hours === null
            ? []
            : [
                {
                  ref: t.ref,
                  name: typeof t.el.name === 'string' ? t.el.name : null,
                  hours,
                  statusCode: numberAttr(t.el, 'motcua:statusCode'),
                },
              ];
        }),
      });
    } else for (const m of n.next) walk(m);
    trail.pop();
    visits.set(n, seen);
  };
  for (const e of entries) walk(e);
  return paths;
}

/** The working hours a path takes on the statutory clock under the case's supplement policy. */
export function clockedHours(path: BudgetPath, policy: SupplementPolicy): number {
  const SUPPLEMENT = 5;
  if (policy === 'continue') return path.steps.reduce((s, x) => s + x.hours, 0);
  if (policy === 'restart') {
    let last = -1;
    path.steps.forEach((x, i) => {
      if (x.statusCode === SUPPLEMENT) last = i;
    });
    return path.steps.slice(last + 1).reduce((s, x) => s + x.hours, 0);
  }
  const once = new Map<string, number>();
  for (const x of path.steps) if (x.statusCode !== SUPPLEMENT) once.set(x.ref, x.hours);
  return [...once.values()].reduce((s, h) => s + h, 0);
}

/**
 * A statutory time in working hours (1 working day = 8 h). Calendar days count conservatively as
 * the whole weeks' working days they surely contain (⌊days × 5 / 7⌋ × 8 h; holidays not deducted).
 */
export function statutoryHours(time: TimeLimit): number {
  if (time.unit === 'working_hours') return time.value;
  if (time.unit === 'working_days') return time.value * 8;
  return Math.floor((time.value * 5) / 7) * 8;
}

export interface BudgetViolation {
  path: BudgetPath;
  hours: number;
  limitHours: number;
  message: string;
}

/** Paths of `processId` whose clocked hours exceed `limitHours`, each with a message naming the path and the sums. */
export async function budgetViolations(
  xml: string,
  processId: string,
  limitHours: number,
  policy: SupplementPolicy,
  label = processId,
): Promise<BudgetViolation[]> {
  const out: BudgetViolation[] = [];
  for (const path of await budgetPaths(xml, processId)) {
    const hours = clockedHours(path, policy);
    if (hours <= limitHours) continue;
    const sums = path.steps.map((s) => `${s.ref} ${s.hours}`).join(' + ');
    out.push({
      path,
      hours,
      limitHours,
      message: `${label}: path ${path.nodes.join(' → ')} takes ${hours} h > ${limitHours} h (steps, supplement policy ${policy}: ${sums})`,
    });
  }
  return out;
}
