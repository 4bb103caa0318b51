import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import type { PublishInput } from './types.ts';
import type { Waiting } from './run-types.ts';

/**
 * Follow-up commands: what one engine command asks of other instances, as data (ADR 0017).
 * The runtime's drain loop runs them breadth-first inside the caller's transaction; no module
 * of core/engine calls back into the runtime while it writes a command's rows.
 */
export type Command =
  /** A message thrown by a process (throw event, message end event, send task): correlate, start or buffer it. */
  | { kind: 'publish'; acting: Acting; input: PublishInput }
  /** New message subscriptions of an instance: hand the first of them that matches a buffered message its message. */
  | { kind: 'deliverBuffered'; acting: Acting; subscriptions: FreshSubscription[] }
  /** A waiting call activity: start its child unless it has one (or an incident). */
  | { kind: 'startChild'; acting: Acting; instanceId: string; call: Waiting }
  /** A called instance ended (normally or by an uncaught BPMN error): resume its parent's call activity. */
  | {
      kind: 'resumeParent';
      acting: Acting;
      childId: string;
      childKey: string;
      thrown: { code: string; message: string } | null;
      variables: Record<string, unknown>;
    }
  /** A child whose parent was cancelled, or whose call activity no longer waits. */
  | { kind: 'cancel'; acting: Acting; instanceId: string; reason: string };

/** A message subscription written by the command that made it (messages.ts). */
export interface FreshSubscription {
  id: string;
  instance_id: string;
  execution_id: string;
  activity_id: string;
  unit_path: string | null;
  name: string;
  key: string | null;
  external: boolean;
}

/** What one command did: its own answer, and the commands it asks for. */
export interface Step<T> {
  value: T;
  follow: Command[];
}

/** Most generations of follow-up commands in one transaction (A answers B answers A …). */
export const MAX_DEPTH = 20;
/** Most follow-up commands in one transaction, whatever their depth: a last-resort cap. */
export const MAX_COMMANDS = 1_000;

const CALLS = new Set<Command['kind']>(['startChild', 'resumeParent', 'cancel']);

/** The clear error of a chain of commands that does not stop: call activities, else messages. */
export function tooDeep(command: Command, what: 'deep' | 'many'): AppError {
  const limit = what === 'deep' ? `more than ${MAX_DEPTH} levels deep` : `to more than ${MAX_COMMANDS} commands`;
  return CALLS.has(command.kind)
    ? new AppError('process.call_too_deep', `Call activities and messages went ${limit} in one command (a process that calls itself?)`)
    : new AppError('message.too_deep', `Messages between instances went ${limit} in one command`);
}

/**
 * Runs the follow-ups of a first step breadth-first: each command's own follow-ups queue behind
 * the ones already waiting, one generation deeper. Any failure throws, and the caller's
 * transaction rolls back everything, the first step included.
 */
export async function drain<T>(first: Step<T>, run: (command: Command) => Promise<Step<unknown>>): Promise<T> {
  const queue = first.follow.map((command) => ({ command, depth: 1 }));
  let ran = 0;
  for (let next = queue.shift(); next; next = queue.shift()) {
    if (next.depth > MAX_DEPTH) throw tooDeep(next.command, 'deep');
    if (++ran > MAX_COMMANDS) throw tooDeep(next.command, 'many');
    const step = await run(next.command);
    for (const command of step.follow) queue.push({ command, depth: next.depth + 1 });
  }
  return first.value;
}
