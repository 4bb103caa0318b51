import type { LoadedDefinition } from './types.ts';

/** The process variable under which received messages land when their element maps nothing. */
export const MESSAGES_VARIABLE = 'messages';

type Variables = Record<string, unknown>;

const isRecord = (v: unknown): v is Variables => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What a delivered message writes into the receiving instance (docs/bpmn-extensions.md §5,
 * "Messages"). A message never overwrites process variables by itself:
 * - when the receiving element has output parameters (`camunda:inputOutput`), the message's
 *   variables are the element's own and only its outputs reach the process;
 * - otherwise they arrive under one variable, `messages.<message name>`, replacing only the
 *   previous message of that name.
 */
export function receivedVariables(
  def: LoadedDefinition,
  activityId: string,
  message: { name: string; variables: Variables },
  current: Variables,
): Variables {
  if (def.activities[activityId]?.io?.outputs.length) return message.variables;
  const previous = isRecord(current[MESSAGES_VARIABLE]) ? current[MESSAGES_VARIABLE] : {};
  return { [MESSAGES_VARIABLE]: { ...previous, [message.name]: message.variables } };
}
