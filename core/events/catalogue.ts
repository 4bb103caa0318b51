import type { AuditActor } from '../audit/audit-log.ts';

/**
 * The catalogue of core domain events (docs/events.md, ADR 0016). Names follow the audit
 * actions' `<entity>.<past-verb>`; a plugin's own events start with its id
 * (`queue.ticket.called`). Payloads are plain JSON: ids, codes, ISO dates, never secrets or
 * process variables (their names at most).
 */
export interface CoreEvents {
  /** A user or manual task was created for a waiting activity (runtime persist). */
  'task.created': TaskFacts & {
    assignee: string | null;
    candidateGroups: string[];
    candidateUsers: string[];
    /** ISO instant, or null without a due date. */
    dueAt: string | null;
    /** The national dossier status the step's `motcua:statusCode` sets while it is worked on (1–10), else null. */
    statusCode: number | null;
  };
  /** The task's activity was completed by `completedBy` (runtime persist). */
  'task.completed': TaskFacts & { completedBy: string | null };
  /** The task stopped waiting without being completed: a boundary event, the end of its path, or its instance cancelled. */
  'task.cancelled': TaskFacts & { reason: 'path_ended' | 'instance_cancelled' };
  /**
   * The task was sent back by `sentBackBy` to the step before it (`toActivityId`, reopened in
   * the same command: its `task.created` follows), with the reason given (task.sent_back).
   */
  'task.sent_back': TaskFacts & { sentBackBy: string | null; reason: string; toActivityId: string };
  /** A process instance was created (before its first command ran). */
  'instance.started': InstanceFacts & {
    definitionVersion: number;
    /** The parent instance of a called child (call activity), else null. */
    parentId: string | null;
    startedBy: string | null;
  };
  /**
   * The instance ended: `completed` (an end event, every path done), `cancelled` (by a user,
   * its parent or its call activity), `error` (a called child ended by an uncaught BPMN error,
   * thrown to its parent).
   */
  'instance.ended': InstanceFacts & {
    outcome: 'completed' | 'cancelled' | 'error';
    parentId: string | null;
    reason: string | null;
    /** The `motcua:statusCode` of the end event a `completed` instance reached (the last one when several paths ended), else null. */
    statusCode: number | null;
  };
  /** A message reached a waiting instance, or started one through a message start event. */
  'message.correlated': {
    name: string;
    messageId: string;
    correlationKey: string | null;
    origin: 'api' | 'process';
    instanceId: string;
    activityId: string;
    /** True when the message started the instance. */
    started: boolean;
  };
  /** A job of an instance failed its last attempt (or failed again after a retry). */
  'incident.opened': {
    incidentId: string;
    instanceId: string;
    jobId: string;
    kind: string;
    activityId: string | null;
    topic: string | null;
    message: string;
    again: boolean;
  };
  /** An incident was resolved: its job succeeded, its activity stopped waiting, or the instance was cancelled. */
  'incident.resolved': { incidentId: string; instanceId: string; jobId: string; reason: string; resolvedBy: string | null };
  /** A procedure version became the published one (catalogue publish, or a pack import). */
  'procedure.published': { code: string; version: number; effectiveFrom: string; previous: number | null; via: 'publish' | 'import' };
  /** A dossier was received at a desk (status 2): its process started, its appointment set. */
  'dossier.received': DossierFacts & { instanceId: string; appointmentAt: string; receivedAt: string };
  /** A dossier was refused at reception (status 3, form 03). */
  'dossier.refused': DossierFacts & { reasons: string[] };
  /** A supplement was requested (form 02): before receipt (no appointment, no process), or once during processing (status 5). */
  'dossier.supplement_requested': DossierFacts & { missing: string[] };
  /** The supplement asked during processing was received at the desk (back to 4); the appointment before and after by the case's policy. */
  'dossier.supplement_received': DossierFacts & {
    policy: 'restart' | 'pause_extend' | 'continue';
    requestedAt: string;
    receivedAt: string;
    previousAppointmentAt: string | null;
    appointmentAt: string | null;
  };
  /** Apology and extension (form 04): the late unit's leader set a later appointment; the status does not change. */
  'dossier.appointment_extended': DossierFacts & {
    previousAppointmentAt: string;
    appointmentAt: string;
    reason: string;
    lateUnitId: string;
  };
  /** The processing agency asked the applicant to pay (status 6): the amount due and what for. */
  'dossier.payment_requested': DossierFacts & { amount: number; reason: string | null };
  /** The payment was recorded (`payment_status` paid); the dossier is back in the status it had. */
  'dossier.payment_recorded': DossierFacts & { amount: number; mode: string; paidAt: string };
  /** The applicant withdrew the dossier (status 7); its processes were cancelled. */
  'dossier.withdrawn': DossierFacts & { reason: string; requestedBy: string };
  /** The processing agency stopped the dossier (status 8, form 05); its processes were cancelled. */
  'dossier.stopped': DossierFacts & { reasons: string[]; legalGround: string };
  /** The dossier's process (every part of a bundle) ended: resolved, result not yet returned (status 9). */
  'dossier.resolved': DossierFacts & { resolvedAt: string; instanceId: string };
  /** The result was handed over (status 10): at the desk, by post or online, or by the process's own return step. */
  'dossier.result_returned': DossierFacts & { returnedAt: string; method: string | null };
  /**
   * The dossier's national status changed (`status` is the new one): at reception, by a step's
   * `motcua:statusCode`, by a branch. Published beside the specific events above, so one
   * subscription sees every move.
   */
  'dossier.status_changed': DossierFacts & { from: number | null; reason: string | null };
  /**
   * Something the national portal is told about changed on the dossier besides (or with) its
   * status: a branch (an extension's new appointment, a supplement, a payment, a return of the
   * result, a lapse) or a hand-over between units (a hop). `what` says which; one command may
   * publish several, and the portal outbox writes one row per command (docs/portal-sync.md).
   */
  'dossier.changed': DossierFacts & { what: DossierChangeKind; reason: string | null };
}

/** What a `dossier.changed` reports: a branch's action (transitions.ts), `lapse` (the applicant's supplement deadline passed) or `hop`. */
export type DossierChangeKind =
  | 'request_payment'
  | 'record_payment'
  | 'withdraw'
  | 'stop'
  | 'return_result'
  | 'request_supplement'
  | 'receive_supplement'
  | 'extend'
  | 'lapse'
  | 'hop';

type DossierFacts = {
  dossierId: string;
  code: string;
  procedureCode: string;
  procedureVersion: number;
  caseKey: string;
  /** 1 in person, 2 online, 3 postal. */
  channel: number;
  status: number;
  /** The desk unit that received it. */
  unitId: string;
};

type TaskFacts = {
  taskId: string;
  instanceId: string;
  definitionKey: string;
  activityId: string;
  name: string | null;
  unitId: string | null;
  /** The instance's business key: the dossier code. */
  businessKey: string | null;
};

type InstanceFacts = {
  instanceId: string;
  definitionKey: string;
  businessKey: string | null;
  unitId: string | null;
};

export type CoreEventType = keyof CoreEvents;

/** Every core event name (docs/events.md lists them; a plugin may not publish these). */
export const CORE_EVENT_TYPES = [
  'task.created',
  'task.completed',
  'task.cancelled',
  'task.sent_back',
  'instance.started',
  'instance.ended',
  'message.correlated',
  'incident.opened',
  'incident.resolved',
  'procedure.published',
  'dossier.received',
  'dossier.refused',
  'dossier.supplement_requested',
  'dossier.status_changed',
  'dossier.payment_requested',
  'dossier.payment_recorded',
  'dossier.withdrawn',
  'dossier.stopped',
  'dossier.resolved',
  'dossier.result_returned',
  'dossier.supplement_received',
  'dossier.appointment_extended',
  'dossier.changed',
] as const satisfies readonly CoreEventType[];

/** A core event name, or a plugin's (`<id>.<entity>.<past-verb>`). */
export type EventType = CoreEventType | (string & {});

/** The payload of an event: typed for a core event, a JSON object for plugins' own (and for "any event"). */
export type PayloadOf<K extends EventType> = string extends K
  ? Record<string, unknown>
  : K extends CoreEventType
    ? CoreEvents[K]
    : Record<string, unknown>;

/** One event as subscribers and outbox consumers receive it. */
export interface DomainEvent<K extends EventType = EventType> {
  /** Unique per published event; the outbox's idempotency key is derived from it. */
  id: string;
  type: K;
  /** ISO instant, from the injected clock. */
  occurredAt: string;
  /** Who made the change (as in the audit trail), null when unknown. */
  actor: AuditActor | null;
  requestId: string | null;
  payload: PayloadOf<K>;
}

/** Event names: lower-case dotted segments of letters, digits, `_` and `-`. */
export const EVENT_NAME = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/;
