import { asArray, extensionsOf, flowElements, label, str, type ModdleElement } from './moddle.ts';

/** Root elements a process context may carry (when the process refers to them). */
export const SHARED_ROOTS = new Set(['bpmn:Message', 'bpmn:Signal', 'bpmn:Error', 'bpmn:Escalation', 'bpmn:DataStore']);
const GLOBAL_TASK = /^bpmn:Global\w*Task$/;

/**
 * Chooses the processes to deploy: those marked executable, or (when none is) every process
 * that has flow nodes: interchange files such as the MIWG A.* set are drawn that way.
 */
export function selectProcesses(defs: ModdleElement, warnings: string[]): ModdleElement[] {
  const processes = asArray(defs.rootElements).filter((e) => e.$type === 'bpmn:Process');
  const marked = processes.filter((p) => p.isExecutable === true);
  if (marked.length) return marked;
  const drawn = processes.filter((p) => asArray(p.flowElements).some((e) => e.$type !== 'bpmn:SequenceFlow'));
  if (drawn.length) {
    warnings.push(`No process is marked executable: deploying every process that has flow elements (${drawn.map((p) => p.id).join(', ')})`);
  }
  return drawn;
}

/** Ids of global tasks (never executable; a call activity that calls one is refused). */
export function globalTaskIds(defs: ModdleElement): Set<string> {
  return new Set(
    asArray(defs.rootElements)
      .filter((e) => GLOBAL_TASK.test(e.$type) && e.id)
      .map((e) => e.id!),
  );
}

function participantName(p: ModdleElement | undefined): string {
  return p ? `"${str(p.name) ?? p.id}"` : 'an unknown pool';
}

/**
 * What a deployed process context leaves out, as warnings for the analyst: message flows (the
 * runtime correlates messages by name; a collapsed pool such as "Citizen" is an outside
 * participant), conversations, choreographies and global tasks. Nothing here is executable.
 */
export function setAsideWarnings(defs: ModdleElement): string[] {
  const warnings: string[] = [];
  const roots = asArray(defs.rootElements);
  const ownerOf = new Map<string, ModdleElement>();
  for (const proc of roots.filter((e) => e.$type === 'bpmn:Process')) {
    if (proc.id) ownerOf.set(proc.id, proc);
    for (const { el } of flowElements(proc)) if (el.id) ownerOf.set(el.id, proc);
  }
  for (const collab of roots.filter((e) => e.$type === 'bpmn:Collaboration')) {
    const participants = asArray(collab.participants);
    for (const p of participants) {
      if (p.id) ownerOf.set(p.id, p);
      const proc = p.processRef as ModdleElement | undefined;
      if (proc) for (const { el } of flowElements(proc)) if (el.id) ownerOf.set(el.id, p);
    }
    const groups = new Map<string, string[]>();
    for (const flow of asArray(collab.messageFlows)) {
      const ends = [flow.sourceRef, flow.targetRef].map((r) => ownerOf.get((r as ModdleElement | undefined)?.id ?? ''));
      const collapsed = ends.find((p) => p?.$type === 'bpmn:Participant' && !p.processRef);
      const key = collapsed
        ? `Collapsed pool ${participantName(collapsed)} (${collapsed.id}) is an outside participant: its message flows`
        : `Message flows between ${participantName(ends[0])} and ${participantName(ends[1])}`;
      groups.set(key, [...(groups.get(key) ?? []), flow.id ?? '?']);
    }
    for (const [key, ids] of groups) {
      warnings.push(
        `${key} (${ids.join(', ')}) were set aside: each process is deployed on its own and messages are correlated by message name`,
      );
    }
    if (asArray(collab.conversations).length)
      warnings.push(`Conversations of ${label(collab)} were set aside: they are documentation only`);
  }
  for (const el of roots) {
    if (GLOBAL_TASK.test(el.$type)) warnings.push(`${label(el)} was set aside: global tasks are not executable`);
    if (el.$type === 'bpmn:Choreography' || el.$type === 'bpmn:GlobalConversation')
      warnings.push(`${label(el)} was set aside: choreographies are not executable`);
  }
  return warnings;
}

/**
 * Prepares a process's moddle tree for the serializer: resource roles (performers, potential
 * owners: read into the activity model already) are removed, since the serializer crashes on
 * those without an expression; Camunda 8 multi-instance collections become camunda ones.
 */
export function stripForEngine(process: ModdleElement, warnings: string[]): void {
  const strip = (el: ModdleElement) => {
    const resources = asArray(el.resources);
    const bare = resources.filter((r) => !(r.resourceAssignmentExpression as { expression?: unknown } | undefined)?.expression);
    if (bare.length)
      warnings.push(`${label(el)}: ${bare.length} performer(s) without an expression set aside; use camunda:candidateGroups for roles`);
    if (resources.length) el.resources = undefined;
  };
  strip(process);
  for (const { el } of flowElements(process)) {
    strip(el);
    const loop = el.loopCharacteristics as ModdleElement | undefined;
    const zeebe = loop ? extensionsOf(loop, 'zeebe:loopCharacteristics')[0] : undefined;
    if (loop && zeebe && loop.collection === undefined && str(zeebe.inputCollection)) {
      loop.collection = zeebe.inputCollection;
      if (str(zeebe.inputElement)) loop.elementVariable = zeebe.inputElement;
    }
  }
}

/** Message, signal, error, escalation and data-store definitions the process refers to. */
export function referencedRoots(defs: ModdleElement, process: ModdleElement): ModdleElement[] {
  const ids = new Set<string>();
  const note = (ref: unknown) => {
    const id = (ref as ModdleElement | undefined)?.id;
    if (id) ids.add(id);
  };
  for (const { el } of flowElements(process)) {
    note(el.messageRef);
    note(el.dataStoreRef);
    for (const def of asArray(el.eventDefinitions))
      for (const key of ['messageRef', 'signalRef', 'errorRef', 'escalationRef']) note(def[key]);
  }
  return asArray(defs.rootElements).filter((e) => SHARED_ROOTS.has(e.$type) && e.id && ids.has(e.id));
}
