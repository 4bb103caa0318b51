/**
 * What the engine needs to know about a deployed process, extracted once at deploy time from
 * the BPMN (Camunda 7 attributes and the motcua namespace, docs/bpmn-extensions.md).
 * The runtime reads this, never the XML.
 */

export interface UserTaskModel {
  assignee: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  /** An ISO date/duration or an expression, evaluated when the task is created. */
  dueDate: string | null;
  formKey: string | null;
}

export interface MotcuaStepModel {
  /** Unit scope of the task: a unit code, or an expression resolving to a unit id or code. */
  unit: string | null;
  /** Step budget in working hours. */
  budgetHours: number | null;
  /** National dossier status code (DOMAIN §2) the step sets when it starts. */
  statusCode: number | null;
  /** May the step send the dossier back to the previous step? */
  sendBack: boolean;
}

/**
 * A service, send or business-rule task. The engine parks it like a user task
 * (`activity.wait`, see elements.ts); the runtime runs the topic's handler and signals the
 * activity with the handler's output.
 */
export interface ServiceTaskModel {
  topic: string;
  /** camunda:asyncBefore: run as a job with retries instead of inside the command. */
  async: boolean;
  retries: number;
  /** camunda:failedJobRetryTimeCycle as written (e.g. `R5/PT10M`), when given. */
  retryCycle?: string | null;
}

/**
 * A mapped value: a string is a literal, a `${path}` or a `=FEEL` expression (checked at
 * deploy); an array is a camunda:list; an object is a camunda:map.
 */
export type IoValue = string | null | IoValue[] | { [key: string]: IoValue };

/** camunda:inputOutput (or zeebe:ioMapping): evaluated by the runtime, never scripts. */
export interface IoMappingModel {
  inputs: { name: string; value: IoValue }[];
  outputs: { name: string; value: IoValue }[];
}

export interface CallActivityModel {
  calledElement: string;
  binding: 'latest' | 'version';
  version: number | null;
  in: { source?: string; target?: string; variables?: 'all'; sourceExpression?: string }[];
  out: { source?: string; target?: string; variables?: 'all'; sourceExpression?: string }[];
}

export interface ActivityModel {
  id: string;
  type: string;
  name: string | null;
  userTask?: UserTaskModel;
  step?: MotcuaStepModel;
  serviceTask?: ServiceTaskModel;
  callActivity?: CallActivityModel;
  /** Message name of a catching or throwing message element. */
  message?: string;
  /** motcua:correlationKey of a message element (literal, `${path}` or `=FEEL`); default the business key. */
  correlationKey?: string;
  /**
   * A receiving message element that accepts the message from outside the engine
   * (`motcua:external="true"` on it or on its bpmn:Message): `POST /api/messages` reaches only these.
   */
  externalMessage?: true;
  /** Signal name of a catching or throwing signal element. */
  signal?: string;
  /** A timer event whose timeDuration counts in working time (`motcua:workingTime="true"`). */
  workingTime?: boolean;
  /** The lane the element sits in (innermost), if any. */
  lane?: { id: string; name: string | null };
  /** Input and output mappings. */
  io?: IoMappingModel;
}

export interface CompiledProcess {
  /** The process id: the definition key. */
  key: string;
  name: string | null;
  /** SHA-256 of the process's normalised content: same content → same version. */
  hash: string;
  /**
   * bpmn-engine's serialized source context in which only this process is executable, as a
   * JSON string (what `moddle-context-serializer`'s `serialize()` returns).
   */
  context: string;
  activities: Record<string, ActivityModel>;
}

export interface CompiledFile {
  processes: CompiledProcess[];
  /** Non-fatal remarks to show the analyst (e.g. a collapsed pool's message flows were set aside). */
  warnings: string[];
}
