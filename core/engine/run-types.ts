import type { ArmedTimer } from './timers.ts';
import type { Variables } from './io-mapping.ts';

/** What one engine command (run.ts `runEngine`) takes and gives back. */

/** An activity that waits after the command: a user task, a timer, a message catch… */
export interface Waiting {
  activityId: string;
  executionId: string;
  type: string;
  name: string | null;
  /** Its input parameters (camunda:inputOutput), evaluated when it started: its local variables. */
  inputs?: Variables;
  /** A multi-instance iteration's own values: `loopCounter`, and the element variable of a collection loop. */
  locals?: Variables;
}

export interface HistoryEvent {
  activityId: string;
  executionId: string;
  name: string | null;
  type: string;
  startedAt?: Date;
  endedAt?: Date;
  /** Left on a path not taken (bpmn-elements discards it): it did nothing, so a throw event publishes no message. */
  discarded?: boolean;
}

/**
 * What to tell a waiting activity: complete it (with output variables), or throw a BPMN error
 * from it (a service task's business error), which a matching error boundary event catches.
 */
export interface Signal {
  activityId: string;
  executionId: string;
  variables?: Record<string, unknown>;
  error?: { code: string; message: string };
  /** A message delivered: the runtime turns it into `variables` (messages.ts `receivedVariables`). */
  message?: { name: string; variables: Record<string, unknown> };
}

/** Most signals a command gives through `next` (service tasks run inside it): a last-resort cap. */
export const MAX_STEPS_PER_COMMAND = 1_000;

export interface RunInput {
  instanceId: string;
  /** Saved state to recover; absent for a new instance. */
  state?: object;
  /** Process variables (merged into the engine before it continues). */
  variables: Record<string, unknown>;
  /** Complete this waiting activity, with output variables (or throw a BPMN error from it). */
  signal?: Signal;
  /**
   * Asked each time the engine has settled: the next signal to give (a synchronous service
   * task that has run), or null when every path waits for something outside the command.
   */
  next?: (waiting: Waiting[], variables: Record<string, unknown>) => Promise<Signal | null>;
  /** Make this waiting timer expire now: by its execution id, or (a start event's) activity id. */
  fire?: { executionId?: string; activityId?: string };
  /** Send this waiting user task back: run the step `to` again, then discard the task (send-back.ts). */
  sendBack?: SendBack;
}

/** A send-back (ADR 0020): the waiting task, and the activity of the same scope to run again. */
export interface SendBack {
  activityId: string;
  executionId: string;
  to: string;
  /** Activities that may wait beside the task: its boundary events. Anything else waiting refuses. */
  alongside: string[];
}

export interface RunResult {
  state: object;
  completed: boolean;
  waiting: Waiting[];
  history: HistoryEvent[];
  variables: Record<string, unknown>;
  /** Timers waiting after the command: they become jobs. */
  timers: ArmedTimer[];
  /** Whether `fire` found its timer waiting (and fired it). */
  fired: boolean;
  /** Whether `signal` found its activity waiting (and signalled it). */
  signalled: boolean;
  /** Whether `sendBack` found its task waiting (and sent it back). */
  sentBack: boolean;
  /** A BPMN error an error end event threw and nothing in the process caught (a called child's error for its parent). */
  thrown: { code: string; message: string; activityId: string } | null;
}
