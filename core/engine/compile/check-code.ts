import { AppError } from '../../errors.ts';
import { checkCondition, checkFormalCondition, checkValue, formalBody } from './check-expressions.ts';
import { asArray, attr, extensions, extensionsOf, label, str, type ModdleElement } from './moddle.ts';

/** Types that do their work outside the engine: they need an external topic. */
export const SERVICE_TYPES = new Set(['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask']);

function refuseCode(el: ModdleElement, what: string): never {
  throw new AppError(
    'bpmn.script_refused',
    `${label(el)}: ${what}. The server runs no code from diagrams: use an external topic handled by a plugin`,
    { elementId: el.id },
  );
}

/**
 * The external topic of a service-like task: `camunda:type="external"` + `camunda:topic`, a
 * Camunda 8 `zeebe:taskDefinition type`, or for a business-rule task the decision it calls
 * (`camunda:decisionRef`, `zeebe:calledDecision`), read as topic `dmn:<decision id>`.
 */
export function serviceTopic(el: ModdleElement): string | null {
  if (attr(el, 'camunda:type') === 'external') return str(attr(el, 'camunda:topic'));
  const zeebe = extensionsOf(el, 'zeebe:taskDefinition')[0];
  if (zeebe && str(zeebe.type)) return String(zeebe.type);
  if (el.$type === 'bpmn:BusinessRuleTask') {
    const decision = str(attr(el, 'camunda:decisionRef')) ?? str(extensionsOf(el, 'zeebe:calledDecision')[0]?.decisionId);
    if (decision) return `dmn:${decision}`;
  }
  return null;
}

function checkService(el: ModdleElement, hasTopic: (topic: string) => boolean): void {
  for (const key of ['class', 'delegateExpression', 'expression']) {
    if (str(attr(el, `camunda:${key}`))) refuseCode(el, `camunda:${key} binds the task to code`);
  }
  if (extensionsOf(el, 'camunda:Connector').length) {
    throw new AppError('bpmn.unsupported', `${label(el)}: camunda:connector is not supported: use camunda:type="external" with a topic`, {
      elementId: el.id,
    });
  }
  if (extensionsOf(el, 'camunda:ErrorEventDefinition').length) refuseCode(el, 'camunda:errorEventDefinition evaluates JUEL');
  const implementation = str(el.implementation);
  if (implementation?.includes('${')) refuseCode(el, `implementation ${JSON.stringify(implementation)} resolves a function`);
  const type = str(attr(el, 'camunda:type'));
  if (type && type !== 'external') {
    throw new AppError('bpmn.unsupported', `${label(el)}: camunda:type="${type}" is not supported: only "external"`, { elementId: el.id });
  }
  const topic = serviceTopic(el);
  // A send task with a message and no topic publishes its message (core/engine/messages.ts).
  if (!topic && el.$type === 'bpmn:SendTask' && el.messageRef) return;
  if (!topic) {
    throw new AppError(
      'bpmn.missing_topic',
      `${label(el)} has no implementation: set camunda:type="external" and camunda:topic to a topic a plugin handles`,
      { elementId: el.id },
    );
  }
  if (topic.includes('${') || topic.startsWith('=')) {
    throw new AppError('bpmn.invalid_attribute', `${label(el)}: the topic ${JSON.stringify(topic)} must be a literal name`, {
      elementId: el.id,
      topic,
    });
  }
  if (!hasTopic(topic)) {
    throw new AppError('bpmn.unknown_topic', `${label(el)}: no plugin handles the topic "${topic}"`, { elementId: el.id, topic });
  }
}

/** camunda:inputParameter / outputParameter definitions: text, list, map, never a script. */
function checkIoDefinition(el: ModdleElement, what: string, def: ModdleElement | undefined, text: unknown): void {
  if (!def) return checkValue(el, what, text);
  switch (def.$type) {
    case 'camunda:Script':
      return refuseCode(el, `${what} is a ${str(def.scriptFormat) ?? ''} script`);
    case 'camunda:List':
      for (const item of asArray(def.items)) checkIoDefinition(el, what, item.$type === 'camunda:Value' ? undefined : item, item.value);
      return;
    case 'camunda:Map':
      for (const entry of asArray(def.entries))
        checkIoDefinition(el, `${what}["${String(entry.key)}"]`, entry.definition as ModdleElement | undefined, entry.value);
      return;
    default:
      return checkValue(el, what, def.value);
  }
}

function checkMappings(el: ModdleElement): void {
  for (const io of extensionsOf(el, 'camunda:InputOutput')) {
    for (const p of [...asArray(io.inputParameters), ...asArray(io.outputParameters)]) {
      checkIoDefinition(
        el,
        `${p.$type === 'camunda:InputParameter' ? 'input' : 'output'} parameter "${String(p.name)}"`,
        p.definition as ModdleElement | undefined,
        p.value,
      );
    }
  }
  for (const io of extensionsOf(el, 'zeebe:ioMapping')) {
    for (const p of asArray(io.$children)) checkValue(el, `zeebe mapping to "${String(p.target)}"`, p.source);
  }
  for (const binding of [...extensionsOf(el, 'camunda:In'), ...extensionsOf(el, 'camunda:Out')]) {
    checkValue(el, `${binding.$type} sourceExpression`, binding.sourceExpression);
    const vars = str(binding.variables);
    if (vars && vars !== 'all') {
      throw new AppError('bpmn.invalid_attribute', `${label(el)}: ${binding.$type} variables="${vars}": only "all" is supported`, {
        elementId: el.id,
      });
    }
  }
}

function checkEventDefinitions(el: ModdleElement): void {
  for (const def of asArray(el.eventDefinitions)) {
    if (def.$type === 'bpmn:ConditionalEventDefinition')
      checkFormalCondition(el, 'the event condition', def.condition as ModdleElement | undefined);
    if (def.$type === 'bpmn:TimerEventDefinition') {
      for (const key of ['timeDate', 'timeDuration', 'timeCycle']) checkValue(el, key, formalBody(def[key]));
    }
    if (def.$type === 'bpmn:MessageEventDefinition') {
      for (const key of ['class', 'delegateExpression', 'expression']) {
        if (str(attr(def, `camunda:${key}`))) refuseCode(el, `camunda:${key} on its message definition binds it to code`);
      }
    }
    for (const key of ['messageRef', 'signalRef', 'escalationRef', 'errorRef']) {
      const ref = def[key] as ModdleElement | undefined;
      if (ref) checkValue(el, `${key} name`, ref.name);
    }
  }
}

/**
 * Refuses every form of code a diagram can carry (script tasks, scripts in conditions and
 * mappings, listeners, delegate classes and expressions) and checks every expression it has.
 */
export function checkCode(el: ModdleElement, hasTopic: (topic: string) => boolean): void {
  if (el.$type === 'bpmn:ScriptTask')
    refuseCode(el, `a script task${str(el.scriptFormat) ? ` (${String(el.scriptFormat)})` : ''} runs code`);
  for (const ext of extensions(el)) {
    const t = ext.$type.toLowerCase();
    if (t === 'camunda:executionlistener' || t === 'camunda:tasklistener')
      refuseCode(el, `${ext.$type} runs code (class, expression, delegate or script)`);
    if (t.startsWith('zeebe:') && t.endsWith('script')) refuseCode(el, `${ext.$type} runs code`);
  }
  if (str(attr(el, 'camunda:formHandlerClass'))) refuseCode(el, 'camunda:formHandlerClass binds the form to code');
  if (str(attr(el, 'camunda:variableMappingClass')) || str(attr(el, 'camunda:variableMappingDelegateExpression'))) {
    refuseCode(el, 'a camunda variable-mapping delegate runs code');
  }
  if (SERVICE_TYPES.has(el.$type)) checkService(el, hasTopic);
  checkMappings(el);
  checkEventDefinitions(el);
  if (el.$type === 'bpmn:SequenceFlow') checkFormalCondition(el, 'the condition', el.conditionExpression as ModdleElement | undefined);
  if (el.$type === 'bpmn:UserTask') {
    for (const key of ['assignee', 'candidateGroups', 'candidateUsers', 'dueDate', 'followUpDate', 'priority', 'formKey'])
      checkValue(el, `camunda:${key}`, attr(el, `camunda:${key}`));
  }
  if (el.$type === 'bpmn:CallActivity') checkValue(el, 'calledElement', el.calledElement);
  checkValue(el, 'motcua:unit', attr(el, 'motcua:unit'));
  const loop = el.loopCharacteristics as ModdleElement | undefined;
  if (loop) {
    checkValue(el, 'loopCardinality', formalBody(loop.loopCardinality));
    if (loop.completionCondition) checkCondition(el, 'completionCondition', formalBody(loop.completionCondition));
    if (loop.loopCondition) checkCondition(el, 'loopCondition', formalBody(loop.loopCondition));
    checkValue(el, 'camunda:collection', attr(loop, 'camunda:collection'));
    for (const z of extensionsOf(loop, 'zeebe:loopCharacteristics')) checkValue(el, 'zeebe inputCollection', z.inputCollection);
  }
}
