import type { EntityManager } from '@mikro-orm/knex';
import type { SerializedContext } from 'moddle-context-serializer';
import type { Acting } from '../org/actor.ts';
import type { Variables } from './io-mapping.ts';
import type { ActivityModel } from './model.ts';
import type { InstanceRow } from './rows.ts';

/**
 * Types the engine's files share, in a leaf file: importing one never imports the module that
 * implements it, so core/engine has no import circle (issue 14, point 2).
 */

export interface DefinitionRow {
  id: string;
  key: string;
  version: number;
  name: string | null;
  hash: string;
  deploymentId: string;
  createdAt: string;
}

/** A definition ready to run: the engine's source context is deserialised once and shared. */
export interface LoadedDefinition extends DefinitionRow {
  sourceContext: SerializedContext;
  activities: Record<string, ActivityModel>;
}

export type MessageOrigin = 'api' | 'process';

export interface PublishInput {
  name: string;
  /** `api`: sent through POST /api/messages, reaches only `motcua:external` receivers. */
  origin: MessageOrigin;
  correlationKey: string | null;
  variables: Record<string, unknown>;
  messageId?: string | null;
  /** Unit paths the message may reach (the sender's `process.message` scopes); null: any. */
  scope: string[] | null;
  /** Unit of an instance a message start event creates, unless its `motcua:unit` names one. */
  unit: { id: string | null; path: string | null };
}

export interface PublishResult {
  messageId: string;
  status: 'correlated' | 'started' | 'buffered' | 'duplicate';
  instanceId: string | null;
  expiresAt: string | null;
}

/** A timer or service-task job being run: its job row's facts. */
export interface FiringJob {
  id: string;
  activityId: string;
  dueAt: Date;
}

/** What a service-task handler answered: variables, or a BPMN business error. */
export type HandlerOutcome = { variables: Record<string, unknown> } | { error: { code: string; message: string } };

/** A child's link to the call activity that started it. */
export interface ParentLink {
  instanceId: string;
  activityId: string;
  executionId: string;
  rootId: string;
}

/** What starting an instance takes. */
export interface StartInput {
  definitionKey: string;
  version?: number | null;
  businessKey?: string | null;
  variables?: Record<string, unknown>;
  unitId?: string | null;
  unitPath?: string | null;
  /** Started by this timer start event (job runner): its timer fires at once. */
  timerStart?: { definitionId: string; activityId: string };
  /** Started by a message (messages.ts): this message start event catches it at once, with the variables. */
  messageStart?: { definitionId: string; activityId: string };
  /** Started by a parent's call activity (call-activities.ts). */
  parent?: ParentLink;
  /** Where steps that name no unit go (a dossier's desk and competent agency); a called child inherits its parent's. */
  routing?: Routing | null;
}

/** A unit a step may be routed to. */
export interface UnitRef {
  id: string;
  path: string;
}

/**
 * Where the steps of one instance go when the diagram does not name a unit (`motcua:unit`):
 * pinned at start by whoever starts it (the dossier module, from the receiving desk and the
 * case's competent agency), kept on the instance, so a diagram drawn without motcua attributes
 * still crosses units. A step's unit: its `motcua:unit`, else its lane's entry, else the entry
 * of its first candidate role that has one, else `otherwise`, else the instance's unit.
 */
export interface Routing {
  /** By lane id (a diagram whose lanes are the agencies, as Camunda Modeler draws them). */
  lanes?: Record<string, UnitRef>;
  /** By candidate role, e.g. `receptionist` → the receiving desk. */
  roles?: Record<string, UnitRef>;
  /** Every other step, e.g. the case's competent agency. */
  otherwise?: UnitRef;
}

/** A waiting activity a job signals: the job, its instance and the execution. */
export type JobTarget = FiringJob & { instanceId: string; executionId: string };

/**
 * The commands of the runtime that job kinds and other modules call (runtime.ts implements
 * it): a small interface, so that they never import the runtime.
 */
export interface EngineCommands {
  definitions: {
    resolve(em: EntityManager, key: string, version?: number | null): Promise<LoadedDefinition>;
    byId(em: EntityManager, id: string): Promise<LoadedDefinition>;
  };
  loadInstance(em: EntityManager, id: string): Promise<InstanceRow>;
  taskUnit(
    em: EntityManager,
    def: LoadedDefinition,
    activityId: string,
    instance: { unitId: string | null; unitPath: string | null; routing?: Routing | null },
    evaluated?: string | null,
  ): Promise<{ id: string | null; path: string | null }>;
  start(em: EntityManager, acting: Acting, input: StartInput): Promise<string>;
  fireTimer(em: EntityManager, acting: Acting, job: JobTarget): Promise<boolean>;
  completeServiceTask(em: EntityManager, acting: Acting, job: JobTarget, outcome: HandlerOutcome): Promise<boolean>;
  startCallChild(
    em: EntityManager,
    acting: Acting,
    instanceId: string,
    call: { activityId: string; executionId: string; inputs?: Variables },
  ): Promise<void>;
  publishMessage(em: EntityManager, acting: Acting, input: PublishInput): Promise<PublishResult>;
}
