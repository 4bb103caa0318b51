import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../errors.ts';
import { ProcessInstance } from '../engine/entities.ts';
import type { Ports } from '../modules/ports.ts';
import type { Acting } from '../org/actor.ts';
import type { Authz } from '../org/authz.ts';
import { mayProcess, mayRead } from './access.ts';
import { Dossier, DossierStatusChange } from './entities.ts';
import { changeStatus, dossierChanged, dossierFacts } from './history.ts';
import {
  STATUS,
  type Extension,
  type PaymentRecord,
  type PaymentRequest,
  type ResultReturn,
  type Stop,
  type SupplementReceipt,
  type SupplementRequest,
  type Withdrawal,
} from './model.ts';
import { dossierNotFound, type Dossiers, type DossierView } from './service.ts';
import { appointmentAfterSupplement, caseLimit, openSupplement, workingUnit } from './supplement.ts';
import { DossierAppointment, DossierSupplement } from './supplement-entities.ts';
import { transition, type Action } from './transitions.ts';
import type { Unit } from '../org/entities.ts';
import type { DossierChangeKind } from '../events/catalogue.ts';
import type { Job } from '../jobs/jobs.ts';
import { date, time } from './forms/helpers.ts';
import { cancelLapse, scheduleLapse, type LapsePayload } from './supplement-lapse.ts';

/**
 * The branches of a received dossier a person takes (docs/dossiers.md, "Branches"): payment
 * requested and recorded, withdrawal, stop, return of the result. Each is one transaction: the
 * transition checked against the table (transitions.ts), the dossier saved under its
 * `lock_version` (a concurrent change answers 409 `conflict.stale`), the status moved and
 * recorded (`changeStatus`), the dossier's processes cancelled where the branch ends them, an
 * audit record and the branch's domain event.
 */

export type BranchPorts = Pick<Ports, 'db' | 'clock' | 'audit' | 'events' | 'engine' | 'catalogue' | 'calendar'> & { dossiers: Dossiers };

/**
 * Who takes a branch: the desk (`dossier.receive` where the dossier was received), the units
 * processing it (`dossier.process`), or a leader of the late unit (`dossier.extend` where one of
 * its open tasks is, or at its competent agency).
 */
type Who = 'desk' | 'processor' | 'leader';

/** What the checks found: the unit the caller acts for (the processor's or the leader's), when the branch needs it. */
interface Context {
  unit: Unit | null;
}

export class DossierBranches {
  constructor(private readonly svc: BranchPorts) {}

  /** The processing agency asks the applicant to pay (status 6, `payment_status` due). */
  requestPayment(acting: Acting, authz: Authz, code: string, input: PaymentRequest): Promise<DossierView> {
    return this.branch(acting, authz, code, input.lockVersion, 'request_payment', 'processor', async (em, d, now) => {
      d.paymentStatus = 'due';
      d.paymentDue = input.amount;
      d.paymentReason = input.reason ?? null;
      d.paymentRequestedAt = now;
      d.paymentPaid = null;
      d.paymentMode = null;
      d.paymentPaidAt = null;
      const reason = `Yêu cầu thực hiện nghĩa vụ tài chính: ${input.amount} đồng${input.reason ? ` (${input.reason})` : ''}`;
      return {
        reason,
        audit: { amount: input.amount, reason: input.reason ?? null },
        publish: (e) =>
          this.svc.events.publish(em, 'dossier.payment_requested', { ...e, amount: input.amount, reason: input.reason ?? null }, acting),
      };
    });
  }

  /** The payment is recorded at the desk: `payment_status` paid, the dossier back in the status it had before the request. */
  recordPayment(acting: Acting, authz: Authz, code: string, input: PaymentRecord): Promise<DossierView> {
    return this.branch(acting, authz, code, input.lockVersion, 'record_payment', 'desk', async (em, d, now) => {
      const due = Number(d.paymentDue ?? 0);
      if (input.amount < due) {
        throw new AppError('dossier.payment_insufficient', `Dossier ${d.code}: ${input.amount} paid, ${due} due`, {
          due,
          paid: input.amount,
        });
      }
      const paidAt = input.paidAt ? new Date(input.paidAt) : now;
      d.paymentStatus = 'paid';
      d.paymentPaid = input.amount;
      d.paymentMode = input.mode;
      d.paymentPaidAt = paidAt;
      return {
        reason: `Đã thực hiện nghĩa vụ tài chính: ${input.amount} đồng`,
        audit: { amount: input.amount, mode: input.mode, paidAt: paidAt.toISOString() },
        publish: (e) =>
          this.svc.events.publish(
            em,
            'dossier.payment_recorded',
            { ...e, amount: input.amount, mode: input.mode, paidAt: paidAt.toISOString() },
            acting,
          ),
      };
    });
  }

  /** The applicant withdraws the dossier at the desk (status 7): its open processes are cancelled. */
  withdraw(acting: Acting, authz: Authz, code: string, input: Withdrawal): Promise<DossierView> {
    return this.branch(acting, authz, code, input.lockVersion, 'withdraw', 'desk', async (em, d, now) => {
      d.withdrawnAt = now;
      d.withdrawalReason = input.reason;
      d.withdrawalRequestedBy = input.requestedBy;
      return {
        reason: `Công dân rút hồ sơ (${input.requestedBy}): ${input.reason}`,
        cancel: `Công dân rút hồ sơ: ${input.reason}`,
        audit: { reason: input.reason, requestedBy: input.requestedBy },
        publish: (e) =>
          this.svc.events.publish(em, 'dossier.withdrawn', { ...e, reason: input.reason, requestedBy: input.requestedBy }, acting),
      };
    });
  }

  /** The processing agency stops the dossier (status 8, form 05): its open processes are cancelled. */
  stop(acting: Acting, authz: Authz, code: string, input: Stop): Promise<DossierView> {
    return this.branch(acting, authz, code, input.lockVersion, 'stop', 'processor', async (em, d, now) => {
      d.stoppedAt = now;
      d.stopReasons = JSON.stringify(input.reasons);
      d.stopLegalGround = input.legalGround;
      d.stopSignerTitle = input.signerTitle ?? null;
      return {
        reason: `Dừng xử lý: ${input.reasons.join('; ')} (căn cứ: ${input.legalGround})`,
        cancel: `Dừng xử lý hồ sơ: ${input.reasons.join('; ')}`,
        audit: { reasons: input.reasons, legalGround: input.legalGround },
        publish: (e) =>
          this.svc.events.publish(em, 'dossier.stopped', { ...e, reasons: input.reasons, legalGround: input.legalGround }, acting),
      };
    });
  }

  /** The result is handed over by the desk (status 10, `result_status` returned): to whom, how, when. */
  returnResult(acting: Acting, authz: Authz, code: string, input: ResultReturn): Promise<DossierView> {
    return this.branch(acting, authz, code, input.lockVersion, 'return_result', 'desk', async (em, d, now) => {
      const at = input.returnedAt ? new Date(input.returnedAt) : now;
      d.resultStatus = 'returned';
      d.resultReturnedAt = at;
      d.resultMethod = input.method;
      d.resultRecipientName = input.recipient.name;
      d.resultRecipientIdNumber = input.recipient.idNumber ?? null;
      d.resultRecipientRelation = input.recipient.relation;
      d.resultReturnedById = acting.actor.id;
      d.resultReturnedByName = acting.actor.name;
      return {
        reason: `Đã trả kết quả cho ${input.recipient.name} (${input.recipient.relation}), ${METHODS[input.method]}`,
        audit: { method: input.method, recipient: input.recipient.name, relation: input.recipient.relation, returnedAt: at.toISOString() },
        publish: (e) =>
          this.svc.events.publish(em, 'dossier.result_returned', { ...e, returnedAt: at.toISOString(), method: input.method }, acting),
      };
    });
  }

  /**
   * A unit working the dossier asks the applicant for more papers (status 5, form 02), once per
   * dossier: what is missing, why, and the applicant's deadline when the case gives one. Its open
   * task stays open; completing it waits for the supplement (supplement.ts).
   */
  requestSupplement(acting: Acting, authz: Authz, code: string, input: SupplementRequest): Promise<DossierView> {
    return this.branch(acting, authz, code, input.lockVersion, 'request_supplement', 'processor', async (em, d, now, ctx) => {
      const earlier = await em.findOne(DossierSupplement, { dossierId: d.id });
      if (earlier) {
        const at = new Date(earlier.requestedAt).toISOString();
        throw new AppError(
          'dossier.supplement_already_requested',
          `Dossier ${d.code}: a supplement was already requested during processing (${at}); it may be requested once only`,
          { requestedAt: at },
        );
      }
      const deadline = (await this.caseOf(em, d))?.supplement.applicantDeadline;
      const applicantDueAt = deadline ? this.svc.calendar.dueAt(now, deadline, { unitId: d.unitId }) : null;
      const supplementId = crypto.randomUUID();
      // Past the deadline the dossier lapses, unless the supplement came (a durable job, cancelled by its receipt).
      if (applicantDueAt) await scheduleLapse(em, { dossierId: d.id, code: d.code, supplementId }, applicantDueAt, now);
      em.create(DossierSupplement, {
        id: supplementId,
        dossierId: d.id,
        requestedAt: now,
        requestedById: acting.actor.id,
        requestedByName: acting.actor.name,
        unitId: ctx.unit?.id ?? null,
        missing: JSON.stringify(input.missing),
        reason: input.reason ?? null,
        applicantDueAt,
        receivedAt: null,
        receivedById: null,
        receivedByName: null,
        policy: null,
      });
      return {
        reason: `Yêu cầu bổ sung hồ sơ trong quá trình giải quyết: ${input.missing.join('; ')}`,
        audit: { missing: input.missing, reason: input.reason ?? null, applicantDueAt: applicantDueAt?.toISOString() ?? null },
        publish: (e) => this.svc.events.publish(em, 'dossier.supplement_requested', { ...e, missing: input.missing }, acting),
      };
    });
  }

  /**
   * The desk records the supplement (back to 4): the case's clock policy sets the new appointment
   * (restart, pause and extend, continue); the one before and the one after are both kept.
   */
  receiveSupplement(acting: Acting, authz: Authz, code: string, input: SupplementReceipt): Promise<DossierView> {
    return this.branch(acting, authz, code, input.lockVersion, 'receive_supplement', 'desk', async (em, d, now) => {
      const asked = await openSupplement(em, d.id);
      if (!asked) {
        throw new AppError(
          'dossier.no_open_supplement',
          `Dossier ${d.code} has no supplement requested during processing to receive (a supplement before receipt is received with POST /api/dossiers/{code}/receive)`,
        );
      }
      const kase = await this.caseOf(em, d);
      const limit = kase ? caseLimit(kase, d.channel) : null;
      const policy = kase && limit ? kase.supplement.policy : 'continue';
      const previous = d.appointmentAt ? new Date(d.appointmentAt) : null;
      const next =
        previous && limit
          ? appointmentAfterSupplement(this.svc.calendar, {
              policy,
              previous,
              requestedAt: new Date(asked.requestedAt),
              receivedAt: now,
              limit,
              unitId: d.unitId,
            })
          : previous;
      await cancelLapse(em, asked.id);
      asked.receivedAt = now;
      asked.receivedById = acting.actor.id;
      asked.receivedByName = acting.actor.name;
      asked.policy = policy;
      if (previous && next) {
        d.appointmentAt = next;
        // The open steps take their caps from the new appointment (step-deadlines.ts).
        await this.svc.dossiers.recapOpenTasks(em, d);
        em.create(DossierAppointment, {
          id: crypto.randomUUID(),
          dossierId: d.id,
          at: now,
          cause: 'supplement',
          previousAt: previous,
          appointmentAt: next,
          reason: policy,
          byId: acting.actor.id,
          byName: acting.actor.name,
          unitId: null,
          signerTitle: null,
        });
      }
      const facts = {
        policy,
        requestedAt: new Date(asked.requestedAt).toISOString(),
        receivedAt: now.toISOString(),
        previousAppointmentAt: previous?.toISOString() ?? null,
        appointmentAt: next?.toISOString() ?? null,
      };
      return {
        reason: `Đã tiếp nhận hồ sơ bổ sung${input.note ? ` (${input.note})` : ''}; ${POLICIES[policy]}`,
        audit: { ...facts, note: input.note ?? null },
        publish: (e) => this.svc.events.publish(em, 'dossier.supplement_received', { ...e, ...facts }, acting),
      };
    });
  }

  /**
   * Apology and extension (form 04): a leader of the late unit, before the appointment passes,
   * states the cause and sets a later appointment. The status does not change; the old
   * appointment is kept in the history of appointments.
   */
  extend(acting: Acting, authz: Authz, code: string, input: Extension): Promise<DossierView> {
    return this.branch(acting, authz, code, input.lockVersion, 'extend', 'leader', async (em, d, now, ctx) => {
      const current = d.appointmentAt ? new Date(d.appointmentAt) : null;
      if (!current || now.getTime() >= current.getTime()) {
        throw new AppError(
          'dossier.appointment_passed',
          `Dossier ${d.code}: its appointment ${current?.toISOString() ?? '(none)'} has passed; an apology and extension is issued before it`,
          { appointmentAt: current?.toISOString() ?? null },
        );
      }
      const next = new Date(input.newAppointmentAt);
      if (next.getTime() <= current.getTime()) {
        throw new AppError(
          'dossier.extension_not_later',
          `Dossier ${d.code}: the new appointment ${next.toISOString()} is not later than the current one ${current.toISOString()}`,
          { appointmentAt: current.toISOString(), newAppointmentAt: next.toISOString() },
        );
      }
      const unit = ctx.unit!;
      d.appointmentAt = next;
      await this.svc.dossiers.recapOpenTasks(em, d);
      em.create(DossierAppointment, {
        id: crypto.randomUUID(),
        dossierId: d.id,
        at: now,
        cause: 'extension',
        previousAt: current,
        appointmentAt: next,
        reason: input.reason,
        byId: acting.actor.id,
        byName: acting.actor.name,
        unitId: unit.id,
        signerTitle: input.signerTitle ?? null,
      });
      const facts = {
        previousAppointmentAt: current.toISOString(),
        appointmentAt: next.toISOString(),
        reason: input.reason,
        lateUnitId: unit.id,
      };
      return {
        reason: input.reason,
        audit: { ...facts, lateUnit: unit.code },
        publish: (e) => this.svc.events.publish(em, 'dossier.appointment_extended', { ...e, ...facts }, acting),
      };
    });
  }

  /**
   * The applicant's supplement deadline passed (the job `supplementLapse` scheduled at the
   * request, fired by the job runner in its own transaction): if the dossier still waits for that
   * supplement, it lapses to stopped (8) with the reason, its processes are cancelled as a stop
   * cancels them, audited (`dossier.lapsed`) and published (`dossier.stopped`, `dossier.changed`).
   * Obsolete when the supplement came, or the dossier left 5 otherwise (withdrawn, stopped).
   */
  async lapse(em: EntityManager, job: Pick<Job, 'payload' | 'dueAt'>): Promise<'done' | 'obsolete'> {
    const { dossierId, supplementId } = job.payload as unknown as LapsePayload;
    const d = await em.findOne(Dossier, { id: dossierId });
    const asked = await em.findOne(DossierSupplement, { id: supplementId });
    if (!d || !asked || asked.receivedAt || d.status !== STATUS.supplementRequested) return 'obsolete';
    const now = this.svc.clock.now();
    const acting = { actor: { id: null, name: 'system' }, requestId: null };
    const dueAt = new Date(asked.applicantDueAt ?? job.dueAt);
    const by = `${time(dueAt)} ngày ${date(dueAt)}`;
    const reason = `Người nộp hồ sơ không bổ sung hồ sơ trước ${by} (hết thời hạn bổ sung)`;
    const legalGround = 'Hết thời hạn bổ sung, hoàn thiện hồ sơ theo quy định của thủ tục';
    const from = d.status;
    const to = transition(d, 'lapse', 'process');
    d.stoppedAt = now;
    d.stopReasons = JSON.stringify([reason]);
    d.stopLegalGround = legalGround;
    d.status = to;
    d.updatedAt = now;
    await em.flush();
    await changeStatus(em, this.svc.events, d, { from, to, by: acting.actor, at: now, reason });
    await em.flush();
    await cancelProcesses(em, this.svc, acting, d.code, reason);
    await this.svc.audit.append(em, {
      ...acting,
      action: AUDIT.lapse,
      targetType: 'dossier',
      targetId: d.id,
      unitId: d.unitId,
      summary: { code: d.code, from, to, applicantDueAt: dueAt.toISOString(), requestedAt: new Date(asked.requestedAt).toISOString() },
    });
    await this.svc.events.publish(em, 'dossier.stopped', { ...dossierFacts(d), reasons: [reason], legalGround }, acting);
    await dossierChanged(em, this.svc.events, d, 'lapse', reason, acting);
    await em.flush();
    return 'done';
  }

  /** The case the dossier was received under, in its pinned catalogue version. */
  private async caseOf(em: EntityManager, d: Dossier) {
    const version = await this.svc.catalogue.version(em, d.procedureCode, d.procedureVersion);
    return version?.document.cases.find((c) => c.key === d.caseKey) ?? null;
  }

  /** One branch: read and check, apply, move, save under the lock, cancel, audit, publish; then the dossier as it now reads. */
  private async branch(
    acting: Acting,
    authz: Authz,
    code: string,
    lockVersion: number | undefined,
    action: Action,
    who: Who,
    apply: (em: EntityManager, d: Dossier, now: Date, ctx: Context) => Promise<Applied>,
  ): Promise<DossierView> {
    await this.svc.db.em().transactional(async (em) => {
      const now = this.svc.clock.now();
      const d = await em.findOne(Dossier, { code });
      if (!d || !(await mayRead(em, authz, d))) throw dossierNotFound(code);
      const ctx: Context = { unit: null };
      if (who === 'desk') await authz.assert('dossier.receive', d.unitId);
      else if (who === 'leader') {
        ctx.unit = await workingUnit(em, authz, 'dossier.extend', d, { desk: false });
        if (!ctx.unit) {
          throw new AppError(
            'auth.forbidden_scope',
            'Permission "dossier.extend" does not reach the late unit: the unit of an open task of this dossier, or its competent agency',
          );
        }
      } else if (!(await mayProcess(em, authz, d))) {
        throw new AppError('auth.forbidden_scope', 'Permission "dossier.process" does not reach the units processing this dossier');
      } else ctx.unit = await workingUnit(em, authz, 'dossier.process', d, { desk: true });
      if (lockVersion !== undefined && lockVersion !== d.lockVersion) {
        throw new AppError('conflict.stale', `Dossier ${code} changed meanwhile (version ${d.lockVersion}, you read ${lockVersion})`, {
          currentVersion: d.lockVersion,
        });
      }
      const from = d.status;
      const before = action === 'record_payment' ? await statusBefore(em, d) : null;
      const to = transition(d, action, 'api', () => before);
      const applied = await apply(em, d, now, ctx);
      // Save the dossier under its `lock_version` first: of two concurrent branches, the second fails
      // here (409 conflict.stale), never inside a subscriber of the status change (a 500).
      d.status = to;
      d.updatedAt = now;
      await em.flush();
      if (to !== from) {
        await changeStatus(em, this.svc.events, d, {
          from,
          to,
          by: acting.actor,
          at: now,
          reason: applied.reason,
          requestId: acting.requestId,
        });
      }
      await em.flush();
      if (applied.cancel) await cancelProcesses(em, this.svc, acting, d.code, applied.cancel);
      await this.svc.audit.append(em, {
        ...acting,
        action: AUDIT[action],
        targetType: 'dossier',
        targetId: d.id,
        unitId: d.unitId,
        summary: { code: d.code, from, to, ...applied.audit },
      });
      await applied.publish(dossierFacts(d));
      // Last, once everything of the branch is written: the portal outbox takes the dossier as it now stands.
      await dossierChanged(em, this.svc.events, d, action as DossierChangeKind, applied.reason, acting);
      await em.flush();
    });
    return this.svc.dossiers.get(authz, code);
  }
}

interface Applied {
  /** The status history row's reason. */
  reason: string;
  /** Cancel the dossier's open processes with this reason. */
  cancel?: string;
  audit: Record<string, unknown>;
  publish: (facts: ReturnType<typeof dossierFacts>) => Promise<unknown>;
}

export const AUDIT: Record<Action, string> = {
  request_payment: 'dossier.payment_requested',
  record_payment: 'dossier.payment_recorded',
  withdraw: 'dossier.withdrawn',
  stop: 'dossier.stopped',
  resolve: 'dossier.resolved',
  refuse: 'dossier.refused',
  return_result: 'dossier.result_returned',
  request_supplement: 'dossier.supplement_requested',
  receive_supplement: 'dossier.supplement_received',
  extend: 'dossier.appointment_extended',
  lapse: 'dossier.lapsed',
};

const POLICIES = {
  restart: 'thời hạn giải quyết được tính lại từ khi nhận đủ hồ sơ',
  pause_extend: 'thời hạn giải quyết được cộng thêm thời gian chờ bổ sung',
  continue: 'thời hạn giải quyết không thay đổi',
} as const;

const METHODS = { desk: 'tại Bộ phận một cửa', post: 'qua dịch vụ bưu chính công ích', online: 'trực tuyến' } as const;

/** The status the dossier had before its current one (back from a payment request): its last history row's `from`. */
async function statusBefore(em: EntityManager, d: Dossier): Promise<number | null> {
  const [last] = await em.find(
    DossierStatusChange,
    { dossierId: d.id, toStatus: d.status },
    { orderBy: { at: 'desc' }, limit: 1, disableIdentityMap: true },
  );
  const before = last?.fromStatus ?? null;
  return before !== null && before !== STATUS.paymentRequested ? before : null;
}

/**
 * Cancels every open process of the dossier (its code is their business key): the case's own and,
 * for a bundle, each agency's part; a called child goes with its parent. Their open tasks are
 * cancelled with them (the engine's cancel).
 */
export async function cancelProcesses(
  em: EntityManager,
  svc: Pick<Ports, 'engine'>,
  acting: Acting,
  code: string,
  reason: string,
): Promise<void> {
  const rows = await em.find(
    ProcessInstance,
    { businessKey: code, status: { $in: ['running', 'incident'] } },
    { fields: ['id', 'parentId', 'startedAt'], orderBy: { startedAt: 'asc', id: 'asc' }, disableIdentityMap: true },
  );
  // Parents first: their called children are cancelled with them, and skipped below.
  const ordered = [...rows.filter((r) => !r.parentId), ...rows.filter((r) => r.parentId)];
  for (const { id } of ordered) {
    const row = await svc.engine.loadInstance(em, id);
    if (row.status === 'running' || row.status === 'incident') await svc.engine.cancel(em, acting, row, reason);
  }
}
