import { attr, asArray, label, type ModdleElement } from './moddle.ts';

/**
 * Deploy-time check of `motcua:sendBack` (ADR 0020): a step so marked that the engine would refuse
 * to send back whatever happens at run time is reported as a deploy warning, the way other marks
 * the engine cannot honour are (set-aside.ts), so the analyst sees it in the designer and in
 * `POST /api/definitions` instead of a clerk meeting 422 on the day. Warnings, not refusals: a
 * refused send-back changes nothing, and a diagram marking more than the engine moves still runs.
 *
 * It mirrors send-back.ts (planSendBack) on the drawn model:
 * - a step inside a sub-process, or multi-instance: never sent back (`task.send_back_not_allowed`);
 * - no user task of the process before it from which it is reached without a parallel, inclusive
 *   or complex gateway (a first step, a step right after a join): `task.no_previous_step`;
 * - what follows it reaches such a gateway: `task.send_back_not_allowed`;
 * - what follows it leads back to every step right before it (so to the one completed last when
 *   it opened): `task.send_back_not_allowed`.
 */

const JOINS = new Set(['bpmn:ParallelGateway', 'bpmn:InclusiveGateway', 'bpmn:ComplexGateway']);

const id = (el: ModdleElement) => el.id ?? '';

/** The process's sequence flows, both ways (a diagram need not list `incoming` / `outgoing` on its nodes). */
interface Flows {
  incoming(el: ModdleElement): ModdleElement[];
  outgoing(el: ModdleElement): ModdleElement[];
}

function flowsOf(nodes: ModdleElement[]): Flows {
  const into = new Map<string, ModdleElement[]>();
  const out = new Map<string, ModdleElement[]>();
  for (const f of nodes) {
    if (f.$type !== 'bpmn:SequenceFlow') continue;
    const source = f.sourceRef as ModdleElement | undefined;
    const target = f.targetRef as ModdleElement | undefined;
    if (!source || !target) continue;
    into.set(id(target), [...(into.get(id(target)) ?? []), source]);
    out.set(id(source), [...(out.get(id(source)) ?? []), target]);
  }
  return { incoming: (el) => into.get(id(el)) ?? [], outgoing: (el) => out.get(id(el)) ?? [] };
}
const isPlainUserTask = (el: ModdleElement) => el.$type === 'bpmn:UserTask' && !el.loopCharacteristics;

/** The boundary events attached to an activity of the process. */
function boundaryOf(nodes: ModdleElement[], activity: ModdleElement): ModdleElement[] {
  return nodes.filter((n) => n.$type === 'bpmn:BoundaryEvent' && (n.attachedToRef as ModdleElement | undefined)?.id === activity.id);
}

/**
 * The user tasks right before a step: those it is reached from along flows with neither a join nor
 * another user task between. The one completed last when the step opens is one of them.
 */
function candidates(flows: Flows, step: ModdleElement): ModdleElement[] {
  const found: ModdleElement[] = [];
  const seen = new Set<string>([id(step)]);
  const queue = [step];
  while (queue.length) {
    for (const source of flows.incoming(queue.shift()!)) {
      if (seen.has(id(source))) continue;
      seen.add(id(source));
      if (isPlainUserTask(source)) found.push(source);
      else if (!JOINS.has(source.$type)) queue.push(source);
    }
  }
  return found;
}

/** Everything reached from the step (and its boundary events) along flows, not through the step itself. */
function after(flows: Flows, nodes: ModdleElement[], step: ModdleElement): ModdleElement[] {
  const seen = new Map<string, ModdleElement>();
  const queue = [step, ...boundaryOf(nodes, step)];
  while (queue.length) {
    for (const next of flows.outgoing(queue.shift()!)) {
      if (next === step || seen.has(id(next))) continue;
      seen.set(id(next), next);
      queue.push(next, ...boundaryOf(nodes, next));
    }
  }
  return [...seen.values()];
}

/** Warnings for the send-back marks of a process and its sub-processes. */
export function sendBackWarnings(process: ModdleElement): string[] {
  const warnings: string[] = [];
  const nodes = asArray(process.flowElements);
  const flows = flowsOf(nodes);
  const visit = (scope: ModdleElement, nested: boolean) => {
    for (const el of asArray(scope.flowElements)) {
      if (Array.isArray(el.flowElements)) visit(el, true);
      if (attr(el, 'motcua:sendBack') !== true) continue;
      const refused = (why: string) => warnings.push(`${label(el)}: motcua:sendBack ${why}; a send-back from it is refused at run time`);
      if (nested) refused('on a step inside a sub-process (only steps of the process itself are sent back)');
      else if (el.loopCharacteristics) refused('on a multi-instance step');
      else if (el.$type !== 'bpmn:UserTask') refused('on an activity that is not a user task');
      else {
        const previous = candidates(flows, el);
        const later = after(flows, nodes, el);
        const join = later.find((n) => JOINS.has(n.$type));
        if (!previous.length)
          refused('on a step with no user task before it on its path (the first step, or a step after a joining gateway)');
        else if (join) refused(`on a step whose path leads to the joining gateway "${id(join)}"`);
        else if (previous.every((p) => later.includes(p)))
          refused(`on a step whose path leads back to the step before it ("${id(previous[0])}"): model that return in the diagram`);
      }
    }
  };
  visit(process, false);
  return warnings;
}
