import { createHash } from 'node:crypto';
import { activityModels } from './compile/activities.ts';
import { checkCode } from './compile/check-code.ts';
import { sendBackWarnings } from './compile/check-send-back.ts';
import { checkFlow, checkSupported, checkWaitlessCycles } from './compile/check-support.ts';
import { asArray, flowElements, isFlowNode, parseBpmn, type ModdleElement } from './compile/moddle.ts';
import { serializeProcess } from './compile/serialize.ts';
import { globalTaskIds, selectProcesses, setAsideWarnings, stripForEngine } from './compile/set-aside.ts';
import { guardXml } from './compile/xml-guard.ts';
import type { CompiledFile, CompiledProcess } from './model.ts';

export { typeResolver } from './elements.ts';

export interface CompileOptions {
  /** Largest file accepted, in bytes (UTF-8). */
  maxBytes: number;
  /** Does a plugin handle this service-task topic? */
  hasTopic(topic: string): boolean;
}

/** Every check that refuses a process: code, expressions, unsupported elements, endless loops. */
function checkProcess(process: ModdleElement, globals: Set<string>, hasTopic: (topic: string) => boolean): void {
  checkCode(process, hasTopic);
  for (const { el } of flowElements(process)) {
    checkCode(el, hasTopic);
    if (el.$type === 'bpmn:SequenceFlow') checkFlow(el);
    else if (isFlowNode(el)) checkSupported(el, globals);
  }
  for (const artifact of asArray(process.artifacts)) checkSupported(artifact, globals);
  checkWaitlessCycles(process);
}

/**
 * From a BPMN file to what the runtime deploys (docs/bpmn-extensions.md): checks the XML
 * (size, no DOCTYPE/ENTITY, well-formed), refuses diagram code and unbounded expressions,
 * sets aside what the engine cannot use (with warnings), reads the Camunda and motcua
 * attributes, and serializes one engine context per deployed process.
 */
export async function compileBpmn(xml: string, options: CompileOptions): Promise<CompiledFile> {
  const text = guardXml(xml, options.maxBytes);
  const parsed = await parseBpmn(text);
  const defs = parsed.rootElement;
  const warnings = [...parsed.warnings];
  const chosen = selectProcesses(defs, warnings);
  warnings.push(...setAsideWarnings(defs));
  const globals = globalTaskIds(defs);
  for (const process of chosen) checkProcess(process, globals, options.hasTopic);
  const processes: CompiledProcess[] = chosen.map((process) => {
    const activities = activityModels(process, warnings);
    warnings.push(...sendBackWarnings(process));
    stripForEngine(process, warnings);
    const context = serializeProcess(parsed, process);
    const hash = createHash('sha256').update(context).update('\n').update(JSON.stringify(activities)).digest('hex');
    return { key: process.id!, name: typeof process.name === 'string' ? process.name : null, hash, context, activities };
  });
  return { processes, warnings };
}
