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
