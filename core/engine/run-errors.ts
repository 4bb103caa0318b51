import type { ErrorCode } from '../http/route.ts';

/**
 * What running a process on to its next wait may raise, for the routes that do it (start,
 * complete, message, retry, migrate): the diagram or its data refusing a step, a business error
 * nothing catches, nesting too deep, a failing service task, or another command first.
 */
export const runErrors = [
  'process.engine_error',
  'process.bpmn_error_uncaught',
  'process.call_too_deep',
  'process.service_task_failed',
  'message.too_deep',
  'conflict.stale',
] as const satisfies readonly ErrorCode[];

/** What compiling a BPMN file may refuse it with, for the routes that deploy (definitions, pack import). */
export const compileErrors = [
  'bpmn.malformed',
  'bpmn.unsafe_xml',
  'bpmn.too_deep',
  'bpmn.script_refused',
  'bpmn.invalid_expression',
  'bpmn.unknown_topic',
  'bpmn.missing_topic',
  'bpmn.unsupported',
  'bpmn.invalid_attribute',
  'bpmn.unbounded_loop',
  'bpmn.no_executable_process',
] as const satisfies readonly ErrorCode[];
