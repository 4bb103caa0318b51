import { AppError } from '../../errors.ts';
import { isExecutableType, MAX_LOOP_ITERATIONS } from '../elements.ts';
import { SERVICE_TYPES } from './check-code.ts';
import { formalBody } from './check-expressions.ts';
import { asArray, attr, extensionsOf, label, str, type ModdleElement } from './moddle.ts';

const WAITING = new Set([
  'bpmn:UserTask',
  'bpmn:ManualTask',
  'bpmn:ReceiveTask',
  'bpmn:CallActivity',
  'bpmn:EventBasedGateway',
  ...SERVICE_TYPES,
]);
const SCOPES = new Set(['bpmn:SubProcess', 'bpmn:AdHocSubProcess', 'bpmn:Transaction']);

function unsupported(el: ModdleElement, why: string): never {
  throw new AppError('bpmn.unsupported', `${label(el)}: ${why}`, { elementId: el.id, type: el.$type });
}

function isLinkCatch(el: ModdleElement): boolean {
  return el.$type === 'bpmn:IntermediateCatchEvent' && asArray(el.eventDefinitions).some((d) => d.$type === 'bpmn:LinkEventDefinition');
}

/** Does the element stop the engine until something outside happens (a person, a job, a message, time)? */
export function waits(el: ModdleElement): boolean {
  if (WAITING.has(el.$type)) return true;
  if (el.$type === 'bpmn:IntermediateCatchEvent') return !isLinkCatch(el);
  if (SCOPES.has(el.$type)) return asArray(el.flowElements).some(waits);
  return false;
}

/** Elements (not flows) the engine will build: each must have a behaviour in bpmn-elements. */
export function checkSupported(el: ModdleElement, globalIds: Set<string>): void {
  if (!isExecutableType(el.$type)) unsupported(el, 'this element type is not supported by the engine');
  if (el.$type === 'bpmn:BoundaryEvent' && !(el.attachedToRef as ModdleElement | undefined)?.id) {
    throw new AppError(
      'bpmn.invalid_attribute',
      `${label(el)} is attached to no activity of the process (attachedToRef missing or unknown)`,
      { elementId: el.id },
    );
  }
  for (const def of asArray(el.eventDefinitions)) {
    if (!isExecutableType(def.$type)) unsupported(el, `${def.$type} is not supported by the engine`);
  }
  const loop = el.loopCharacteristics as ModdleElement | undefined;
  if (loop) {
    if (!isExecutableType(loop.$type)) unsupported(el, `${loop.$type} is not supported by the engine`);
    checkLoopBounds(el, loop);
  }
  if (el.$type === 'bpmn:CallActivity') {
    const called = str(el.calledElement) ?? str(extensionsOf(el, 'zeebe:calledElement')[0]?.processId);
    if (!called) {
      throw new AppError('bpmn.invalid_attribute', `${label(el)} names no calledElement`, { elementId: el.id });
    }
    if (globalIds.has(called)) unsupported(el, `calls the global task "${called}": global tasks are not executable; call a process`);
    if (str(attr(el, 'camunda:caseRef'))) unsupported(el, 'CMMN cases (camunda:caseRef) are not supported');
    const binding = str(attr(el, 'camunda:calledElementBinding')) ?? 'latest';
    if (!['latest', 'version', 'deployment'].includes(binding))
      unsupported(el, `camunda:calledElementBinding="${binding}" is not supported (latest, version)`);
    const version = attr(el, 'camunda:calledElementVersion');
    if (binding === 'version' && !/^[1-9]\d*$/.test(String(version ?? ''))) {
      throw new AppError(
        'bpmn.invalid_attribute',
        `${label(el)}: calledElementBinding="version" needs camunda:calledElementVersion, a whole number ≥ 1`,
        { elementId: el.id },
      );
    }
  }
}

/** A sequence flow must join two elements the file defines. */
export function checkFlow(flow: ModdleElement): void {
  if (!(flow.sourceRef as ModdleElement | undefined)?.id || !(flow.targetRef as ModdleElement | undefined)?.id) {
    throw new AppError(
      'bpmn.invalid_attribute',
      `${label(flow)} does not join two elements of the process (sourceRef or targetRef missing or unknown)`,
      { elementId: flow.id },
    );
  }
}

function checkLoopBounds(el: ModdleElement, loop: ModdleElement): void {
  const literal = (text: string | undefined) => (text !== undefined && /^\s*\d+\s*$/.test(text) ? Number(text) : null);
  const cardinality = literal(formalBody(loop.loopCardinality));
  if (cardinality !== null && cardinality > MAX_LOOP_ITERATIONS) {
    throw new AppError('bpmn.unbounded_loop', `${label(el)}: loopCardinality ${cardinality} exceeds ${MAX_LOOP_ITERATIONS}`, {
      elementId: el.id,
    });
  }
  if (loop.$type === 'bpmn:StandardLoopCharacteristics' && !waits(el)) {
    const max = typeof loop.loopMaximum === 'number' ? loop.loopMaximum : Number(loop.loopMaximum ?? NaN);
    if (!(max > 0 && max <= MAX_LOOP_ITERATIONS)) {
      throw new AppError(
        'bpmn.unbounded_loop',
        `${label(el)} loops without waiting for anyone: set loopMaximum (at most ${MAX_LOOP_ITERATIONS}) or make it a user, receive or service task`,
        { elementId: el.id },
      );
    }
  }
}

/**
 * Refuses a cycle of sequence flows through which a token can run without ever waiting: the
 * engine would spin inside one command forever. Link events count as the jumps they are.
 */
export function checkWaitlessCycles(scope: ModdleElement): void {
  const elements = asArray(scope.flowElements);
  const nodes = new Map(elements.filter((e) => e.$type !== 'bpmn:SequenceFlow' && e.id).map((e) => [e.id!, e]));
  const edges = new Map<string, string[]>();
  const add = (from: string, to: string) => edges.set(from, [...(edges.get(from) ?? []), to]);
  for (const flow of elements.filter((e) => e.$type === 'bpmn:SequenceFlow')) {
    const from = (flow.sourceRef as ModdleElement | undefined)?.id;
    const to = (flow.targetRef as ModdleElement | undefined)?.id;
    if (from && to) add(from, to);
  }
  const linkName = (el: ModdleElement) => asArray(el.eventDefinitions).find((d) => d.$type === 'bpmn:LinkEventDefinition')?.name;
  const catches = elements.filter(isLinkCatch);
  for (const thrower of elements.filter((e) => e.$type === 'bpmn:IntermediateThrowEvent' && linkName(e) !== undefined)) {
    for (const c of catches.filter((c) => linkName(c) === linkName(thrower))) add(thrower.id!, c.id!);
  }
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): void => {
    state.set(id, 'open');
    path.push(id);
    for (const next of edges.get(id) ?? []) {
      const node = nodes.get(next);
      if (!node || waits(node)) continue;
      if (state.get(next) === 'open') {
        const cycle = [...path.slice(path.indexOf(next)), next];
        throw new AppError(
          'bpmn.unbounded_loop',
          `The flow ${cycle.join(' → ')} loops without a wait state: the engine would run it forever. Put a user, receive or service task, or a timer, on the loop`,
          { elementIds: cycle },
        );
      }
      if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(id, 'done');
  };
  for (const [id, node] of nodes) if (!state.has(id) && !waits(node)) visit(id);
  for (const el of elements) if (SCOPES.has(el.$type)) checkWaitlessCycles(el);
}
