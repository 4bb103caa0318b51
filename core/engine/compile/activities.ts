import { AppError } from '../../errors.ts';
import type { ActivityModel, CallActivityModel, IoMappingModel, IoValue, MotcuaStepModel, UserTaskModel } from '../model.ts';
import { SERVICE_TYPES, serviceTopic } from './check-code.ts';
import { asArray, attr, extensionsOf, flowElements, isFlowNode, label, lanesOf, str, type ModdleElement } from './moddle.ts';

function list(value: unknown): string[] {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

function invalid(el: ModdleElement, what: string): never {
  throw new AppError('bpmn.invalid_attribute', `${label(el)}: ${what}`, { elementId: el.id });
}

/** bpmn:potentialOwner / humanPerformer with a formal expression, as Camunda 7 reads them. */
function performers(el: ModdleElement): { assignee: string | null; users: string[]; groups: string[] } {
  const out = { assignee: null as string | null, users: [] as string[], groups: [] as string[] };
  for (const r of asArray(el.resources)) {
    const body = str((r.resourceAssignmentExpression as { expression?: { body?: unknown } } | undefined)?.expression?.body);
    if (!body) continue;
    if (r.$type === 'bpmn:HumanPerformer') out.assignee = body.trim();
    else if (r.$type === 'bpmn:PotentialOwner') {
      for (const part of list(body)) {
        const m = /^(user|group)\((.+)\)$/.exec(part);
        if (m?.[1] === 'user') out.users.push(m[2].trim());
        else out.groups.push(m ? m[2].trim() : part);
      }
    }
  }
  return out;
}

function userTask(el: ModdleElement, lane: ModdleElement | undefined): UserTaskModel {
  const zeebeAssign = extensionsOf(el, 'zeebe:assignmentDefinition')[0];
  const zeebeForm = extensionsOf(el, 'zeebe:formDefinition')[0];
  const fromResources = performers(el);
  const model: UserTaskModel = {
    assignee: str(attr(el, 'camunda:assignee')) ?? str(zeebeAssign?.assignee) ?? fromResources.assignee,
    candidateGroups: [...list(attr(el, 'camunda:candidateGroups')), ...list(zeebeAssign?.candidateGroups), ...fromResources.groups],
    candidateUsers: [...list(attr(el, 'camunda:candidateUsers')), ...list(zeebeAssign?.candidateUsers), ...fromResources.users],
    dueDate: str(attr(el, 'camunda:dueDate')) ?? str(extensionsOf(el, 'zeebe:taskSchedule')[0]?.dueDate),
    formKey: str(attr(el, 'camunda:formKey')) ?? str(zeebeForm?.formKey),
  };
  if (!model.assignee && model.candidateGroups.length === 0 && model.candidateUsers.length === 0 && lane) {
    model.candidateGroups = list(attr(lane, 'motcua:candidateGroups'));
  }
  return model;
}

function step(el: ModdleElement): MotcuaStepModel | undefined {
  const unit = str(attr(el, 'motcua:unit'));
  const budget = attr(el, 'motcua:budgetHours');
  const status = attr(el, 'motcua:statusCode');
  const sendBack = attr(el, 'motcua:sendBack') === true;
  const given = unit !== null || budget !== undefined || status !== undefined || sendBack;
  if (!given && el.$type !== 'bpmn:UserTask') return undefined;
  if (budget !== undefined && !(typeof budget === 'number' && Number.isFinite(budget) && budget > 0))
    invalid(el, 'motcua:budgetHours must be a positive number of working hours');
  if (status !== undefined && !(typeof status === 'number' && Number.isInteger(status) && status >= 1 && status <= 10))
    invalid(el, 'motcua:statusCode must be a national dossier status code, 1 to 10');
  return { unit, budgetHours: (budget as number | undefined) ?? null, statusCode: (status as number | undefined) ?? null, sendBack };
}

function retries(el: ModdleElement): { retries: number; retryCycle: string | null } {
  const cycle = str(extensionsOf(el, 'camunda:FailedJobRetryTimeCycle')[0]?.body);
  const m = cycle ? /^R(\d+)\//.exec(cycle.trim()) : null;
  return { retries: m ? Number(m[1]) : 3, retryCycle: cycle };
}

function ioDefinition(def: ModdleElement | undefined, text: unknown): IoValue {
  if (!def) return typeof text === 'string' ? text : null;
  if (def.$type === 'camunda:List')
    return asArray(def.items).map((i) =>
      i.$type === 'camunda:Value' ? ((i.value as string | undefined) ?? null) : ioDefinition(i, i.value),
    );
  if (def.$type === 'camunda:Map')
    return Object.fromEntries(
      asArray(def.entries).map((e) => [String(e.key), ioDefinition(e.definition as ModdleElement | undefined, e.value)]),
    );
  return typeof def.value === 'string' ? def.value : null;
}

function io(el: ModdleElement): IoMappingModel | undefined {
  const out: IoMappingModel = { inputs: [], outputs: [] };
  for (const m of extensionsOf(el, 'camunda:InputOutput')) {
    for (const p of asArray(m.inputParameters))
      out.inputs.push({ name: String(p.name), value: ioDefinition(p.definition as ModdleElement | undefined, p.value) });
    for (const p of asArray(m.outputParameters))
      out.outputs.push({ name: String(p.name), value: ioDefinition(p.definition as ModdleElement | undefined, p.value) });
  }
  for (const m of extensionsOf(el, 'zeebe:ioMapping')) {
    for (const c of asArray(m.$children)) {
      const entry = { name: String(c.target), value: typeof c.source === 'string' ? c.source : null };
      if (c.$type.toLowerCase() === 'zeebe:input') out.inputs.push(entry);
      else if (c.$type.toLowerCase() === 'zeebe:output') out.outputs.push(entry);
    }
  }
  return out.inputs.length || out.outputs.length ? out : undefined;
}

function callActivity(el: ModdleElement, warnings: string[]): CallActivityModel {
  const zeebe = extensionsOf(el, 'zeebe:calledElement')[0];
  let binding = str(attr(el, 'camunda:calledElementBinding')) ?? 'latest';
  if (binding === 'deployment') {
    warnings.push(`${label(el)}: calledElementBinding="deployment" is read as "latest"`);
    binding = 'latest';
  }
  const version = str(attr(el, 'camunda:calledElementVersion'));
  const bind = (b: ModdleElement) => ({
    ...(str(b.source) && { source: String(b.source) }),
    ...(str(b.target) && { target: String(b.target) }),
    ...(b.variables === 'all' && { variables: 'all' as const }),
    ...(str(b.sourceExpression) && { sourceExpression: String(b.sourceExpression) }),
  });
  const model: CallActivityModel = {
    calledElement: str(el.calledElement) ?? str(zeebe?.processId) ?? '',
    binding: binding === 'version' ? 'version' : 'latest',
    version: binding === 'version' && version ? Number(version) : null,
    in: extensionsOf(el, 'camunda:In').map(bind),
    out: extensionsOf(el, 'camunda:Out').map(bind),
  };
  if (zeebe) {
    model.in.push({ variables: 'all' });
    if (zeebe.propagateAllChildVariables !== 'false') model.out.push({ variables: 'all' });
  }
  return model;
}

function refOf(el: ModdleElement, key: 'messageRef' | 'signalRef'): ModdleElement | undefined {
  const own = el[key] as ModdleElement | undefined;
  const def = asArray(el.eventDefinitions).find((d) => d[key]);
  return own ?? (def?.[key] as ModdleElement | undefined);
}

function refName(el: ModdleElement, key: 'messageRef' | 'signalRef'): string | undefined {
  const ref = refOf(el, key);
  return ref ? (str(ref.name) ?? ref.id) : undefined;
}

/** Elements that receive a message: catch and start events (boundary included) and receive tasks. */
const RECEIVING = new Set(['bpmn:StartEvent', 'bpmn:IntermediateCatchEvent', 'bpmn:BoundaryEvent', 'bpmn:ReceiveTask']);

/** `motcua:external="true"` on the receiving element or on the bpmn:Message it catches. */
function externalMessage(el: ModdleElement): boolean {
  if (!RECEIVING.has(el.$type)) return false;
  const message = refOf(el, 'messageRef');
  return !!message && (attr(el, 'motcua:external') === true || attr(message, 'motcua:external') === true);
}

/** The activity model of every flow node of a process (sub-processes included). */
export function activityModels(process: ModdleElement, warnings: string[]): Record<string, ActivityModel> {
  const laneOf = new Map<string, ModdleElement>();
  for (const lane of lanesOf(process)) for (const node of asArray(lane.flowNodeRef)) if (node.id) laneOf.set(node.id, lane);
  const out: Record<string, ActivityModel> = {};
  for (const { el } of flowElements(process)) {
    if (!el.id || !isFlowNode(el)) continue;
    const lane = laneOf.get(el.id);
    const model: ActivityModel = { id: el.id, type: el.$type, name: str(el.name) };
    if (el.$type === 'bpmn:UserTask') model.userTask = userTask(el, lane);
    const s = step(el);
    if (s) model.step = s;
    const publishes = el.$type === 'bpmn:SendTask' && !!el.messageRef && !serviceTopic(el);
    if (SERVICE_TYPES.has(el.$type) && !publishes) {
      const async = attr(el, 'camunda:asyncBefore') === true || attr(el, 'camunda:async') === true;
      model.serviceTask = { topic: serviceTopic(el) ?? '', async, ...retries(el) };
    }
    if (el.$type === 'bpmn:CallActivity') model.callActivity = callActivity(el, warnings);
    const message = refName(el, 'messageRef');
    if (message) model.message = message;
    const correlationKey = str(attr(el, 'motcua:correlationKey'));
    if (message && correlationKey) model.correlationKey = correlationKey;
    if (message && externalMessage(el)) model.externalMessage = true;
    const signal = refName(el, 'signalRef');
    if (signal) model.signal = signal;
    const timer = asArray(el.eventDefinitions).find((d) => d.$type === 'bpmn:TimerEventDefinition');
    if (timer && (attr(timer, 'motcua:workingTime') === true || attr(el, 'motcua:workingTime') === true)) model.workingTime = true;
    if (lane) model.lane = { id: lane.id!, name: str(lane.name) };
    const mapping = io(el);
    if (mapping) model.io = mapping;
    out[el.id] = model;
  }
  return out;
}
