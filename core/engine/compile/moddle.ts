import { createRequire } from 'node:module';
import { BpmnModdle } from 'bpmn-moddle';
import { AppError } from '../../errors.ts';

const require = createRequire(import.meta.url);
const camunda = require('camunda-bpmn-moddle/resources/camunda.json') as object;
const motcua = require('../motcua-moddle.json') as object;

/** A parsed BPMN element as bpmn-moddle gives it (properties by local name, `get` by qualified name). */
export interface ModdleElement {
  $type: string;
  id?: string;
  name?: string;
  $parent?: ModdleElement;
  $attrs?: Record<string, string>;
  get?(name: string): unknown;
  [key: string]: unknown;
}

export interface ParsedBpmn {
  rootElement: ModdleElement;
  references: { element: ModdleElement; property: string; id: string }[];
  elementsById: Record<string, ModdleElement>;
  warnings: string[];
}

/** Parses well-formed XML (xml-guard.ts ran first) with the Camunda 7 and motcua packages. */
export async function parseBpmn(xml: string): Promise<ParsedBpmn> {
  const moddle = new BpmnModdle({ camunda, motcua });
  let parsed: Awaited<ReturnType<BpmnModdle['fromXML']>>;
  try {
    parsed = await moddle.fromXML(xml);
  } catch (err) {
    throw new AppError('bpmn.malformed', `Not a BPMN 2.0 file: ${(err as Error).message}`);
  }
  const rootElement = parsed.rootElement as ModdleElement;
  if (rootElement?.$type !== 'bpmn:Definitions')
    throw new AppError('bpmn.malformed', 'Not a BPMN 2.0 file: the root element is not <bpmn:definitions>');
  const warnings = parsed.warnings.slice(0, 20).map((w) => `XML: ${w.message.split('\n')[0]}`);
  if (parsed.warnings.length > 20) warnings.push(`XML: ${parsed.warnings.length - 20} more parser warnings`);
  return {
    rootElement,
    references: parsed.references as ParsedBpmn['references'],
    elementsById: parsed.elementsById as Record<string, ModdleElement>,
    warnings,
  };
}

/** `bpmn:UserTask "Task_1"`, for messages that name the element. */
export function label(el: ModdleElement): string {
  return `${el.$type} "${el.id ?? '?'}"${el.name ? ` (${JSON.stringify(el.name)})` : ''}`;
}

/** An attribute by qualified name (`camunda:assignee`, `motcua:unit`), or a generic one. */
export function attr(el: ModdleElement, qualified: string): unknown {
  const value = el.get ? el.get(qualified) : undefined;
  if (value !== undefined) return value;
  return el.$attrs?.[qualified];
}

export function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

export function asArray(value: unknown): ModdleElement[] {
  return Array.isArray(value) ? (value as ModdleElement[]) : [];
}

/** The element's extension elements (Camunda typed ones and generic ones such as zeebe:*). */
export function extensions(el: ModdleElement): ModdleElement[] {
  const ext = el.extensionElements as { values?: ModdleElement[] } | undefined;
  return ext?.values ?? [];
}

/** Extension elements of a type, compared without case (generic elements keep the XML case). */
export function extensionsOf(el: ModdleElement, type: string): ModdleElement[] {
  const wanted = type.toLowerCase();
  return extensions(el).filter((e) => e.$type.toLowerCase() === wanted);
}

/** Flow elements of a process or sub-process, depth first, with their containing scope. */
export function* flowElements(scope: ModdleElement): Generator<{ el: ModdleElement; scope: ModdleElement }> {
  for (const el of asArray(scope.flowElements)) {
    yield { el, scope };
    if (Array.isArray(el.flowElements)) yield* flowElements(el);
  }
}

/** Every lane of a process, nested lanes included. */
export function lanesOf(process: ModdleElement): ModdleElement[] {
  const out: ModdleElement[] = [];
  const visit = (sets: unknown) => {
    for (const set of asArray(sets)) {
      for (const lane of asArray(set.lanes)) {
        out.push(lane);
        if (lane.childLaneSet) visit([lane.childLaneSet]);
      }
    }
  };
  visit(process.laneSets);
  for (const { el } of flowElements(process)) if (el.laneSets) visit(el.laneSets);
  return out;
}

export function isFlowNode(el: ModdleElement): boolean {
  return !['bpmn:SequenceFlow', 'bpmn:DataObject', 'bpmn:DataObjectReference', 'bpmn:DataStoreReference'].includes(el.$type);
}
