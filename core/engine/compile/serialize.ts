import serializer, { deserialize } from 'moddle-context-serializer';
import { AppError } from '../../errors.ts';
import { typeResolver } from '../elements.ts';
import type { ModdleElement, ParsedBpmn } from './moddle.ts';
import { referencedRoots } from './set-aside.ts';

/** Moddle trees the serializer copies into each element's behaviour, unused by the engine. */
const BULKY = ['flowElements', 'artifacts', 'laneSets', 'resources', 'incoming', 'outgoing'];

const KEPT_EXTENSIONS = /^(camunda|zeebe|motcua):/i;

/** Drops foreign tool data (Signavio, Trisotech, ADONIS … extension elements): read by nobody. */
function trimExtensions(behaviour: Record<string, unknown> | undefined): void {
  const ext = behaviour?.extensionElements as { values?: { $type?: string }[] } | undefined;
  if (ext?.values) ext.values = ext.values.filter((v) => KEPT_EXTENSIONS.test(v.$type ?? ''));
  for (const def of (behaviour?.eventDefinitions as { behaviour?: Record<string, unknown> }[] | undefined) ?? [])
    trimExtensions(def.behaviour);
}

interface Serialized {
  definition: Record<string, unknown>;
  processes: { id: string; behaviour: Record<string, unknown> }[];
  activities: { id: string; type: string; behaviour: Record<string, unknown> }[];
  sequenceFlows: { id: string; behaviour: Record<string, unknown> }[];
  messageFlows: unknown[];
  participants: unknown[];
  [key: string]: unknown;
}

/**
 * bpmn-engine's source context for one process: the process (marked executable) and the
 * definitions it refers to, nothing from other pools. Returned as the JSON string the runtime
 * stores and deserializes once.
 */
export function serializeProcess(parsed: ParsedBpmn, process: ModdleElement): string {
  const defs = parsed.rootElement;
  const rootElement = {
    $type: 'bpmn:Definitions',
    id: defs.id,
    name: defs.name,
    targetNamespace: defs.targetNamespace,
    rootElements: [process, ...referencedRoots(defs, process)],
  };
  let json: Serialized;
  try {
    const ctx = serializer({ rootElement, references: parsed.references, elementsById: parsed.elementsById }, typeResolver);
    json = JSON.parse(ctx.serialize()) as Serialized;
  } catch (err) {
    throw new AppError('bpmn.unsupported', `Process "${process.id}" cannot be prepared for the engine: ${(err as Error).message}`, {
      elementId: process.id,
    });
  }
  for (const p of json.processes) {
    p.behaviour.isExecutable = true;
    trimExtensions(p.behaviour);
    for (const key of BULKY) delete p.behaviour[key];
  }
  for (const a of json.activities) for (const key of BULKY) delete a.behaviour[key];
  for (const el of [...json.processes, ...json.activities, ...json.sequenceFlows]) trimExtensions(el.behaviour);
  json.messageFlows = [];
  json.participants = [];
  json.definition = { id: defs.id, type: 'bpmn:Definitions', name: defs.name, targetNamespace: defs.targetNamespace };
  const context = JSON.stringify(json);
  try {
    deserialize(JSON.parse(context) as object, typeResolver);
  } catch (err) {
    throw new AppError('bpmn.unsupported', `Process "${process.id}" cannot be loaded by the engine: ${(err as Error).message}`, {
      elementId: process.id,
    });
  }
  return context;
}
