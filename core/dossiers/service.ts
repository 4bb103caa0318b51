import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../errors.ts';
import type { Ports } from '../modules/ports.ts';
import type { Acting } from '../org/actor.ts';
import type { Authz } from '../org/authz.ts';
import { Unit } from '../org/entities.ts';
import type { ProcedureCase } from '../catalogue/schema.ts';
import type { ProcedureVersion } from '../catalogue/service.ts';
import { listAttachments, type AttachmentView } from './attachment-view.ts';
import { replaceChecklist } from './checklist-rows.ts';
import { nextCode } from './code.ts';
import { competentUnit, dossierRouting, reachable } from './routing.ts';
import { mayRead } from './access.ts';
import { changeStatus, statusChanges } from './history.ts';
import { dossierParts, type DossierPart } from './parts.ts';
import { listHops, type HopView } from './hops.ts';
import { rememberDossier } from './by-code.ts';
import { receiptLimit } from '../catalogue/case-limits.ts';
import { Dossier, DossierComponent } from './entities.ts';
import { searchRows } from './search-fields.ts';
import { supplementFacts, type SupplementFacts } from './supplement.ts';
import { recapOpenTasks } from './step-deadlines.ts';
import type { Retimed } from '../engine/task-retime.ts';
import { basisInForce } from './forms/template-store.ts';
import { localDate } from '../time.ts';
import {
  channelNames,
  STATUS,
  statusNames,
  type ChannelCode,
  type ComponentInput,
  type Decision,
  type NewDossier,
  type Person,
} from './model.ts';

/**
 * The dossier service: receipt at the desk (create, or receive an online submission) and the
 * read of one dossier. Each public method owns its transaction: the change, its status history,
 * its audit record and its domain event commit together or not at all.
 */

export type DossierPorts = Pick<Ports, 'db' | 'clock' | 'audit' | 'events' | 'engine' | 'catalogue' | 'calendar'>;

export const dossierNotFound = (code: string) => new AppError('dossier.not_found', `No dossier ${code}`);

/** What the read endpoint answers. */
export interface DossierView {
  id: string;
  code: string;
  status: number;
  statusName: string;
  paymentStatus: string;
  resultStatus: string;
  syncStatus: string;
  channel: number;
  applicant: Person;
  owner: Person | null;
  procedure: {
    code: string;
    name: string;
    version: number;
    caseKey: string;
    definitionKey: string | null;
    definitionVersion: number | null;
  };
  instanceIds: string[];
  fees: { due: number; paid: number; mode: string | null };
  submittedAt: string | null;
  receivedAt: string | null;
  appointmentAt: string | null;
  refusedAt: string | null;
  refusalReasons: string[];
  supplementMissing: string[];
  note: string | null;
  unitId: string;
  agencyCode: string;
  /** The agency deciding it (routing.ts), null when the procedure names none in the province. */
  competentUnitId: string | null;
  receivedBy: { id: string | null; name: string } | null;
  createdAt: string;
  updatedAt: string;
  lockVersion: number;
  /** The payment requested during processing (status 6) and its record (branches.ts). */
  payment: {
    due: number;
    reason: string | null;
    requestedAt: string;
    paid: number | null;
    mode: string | null;
    paidAt: string | null;
  } | null;
  withdrawal: { at: string; reason: string; requestedBy: string } | null;
  stop: { at: string; reasons: string[]; legalGround: string; signerTitle: string | null } | null;
  resolvedAt: string | null;
  result: {
    returnedAt: string;
    method: string | null;
    recipient: { name: string; idNumber: string | null; relation: string | null } | null;
    returnedBy: { id: string | null; name: string } | null;
  } | null;
  components: {
    /** The checklist row's id: attachments name it (`componentId`). */
    id: string;
    document: number;
    code: string | null;
    portalCode: string | null;
    name: string;
    optional: boolean;
    required: { originals: number; copies: number };
    received: boolean;
    originals: number;
    certifiedCopies: number;
    copies: number;
    digitised: boolean;
    reusedResult: string | null;
  }[];
  history: { from: number | null; to: number; at: string; by: { id: string | null; name: string }; reason: string | null }[];
  /** The supplement asked during processing (once per dossier), and every change of the appointment (supplement.ts). */
  supplement: SupplementFacts['supplement'];
  appointments: SupplementFacts['appointments'];
  /** Scans of the components, metadata only (attachments.ts). */
  attachments: AttachmentView[];
  /** The processes working on it: the case's own and, for an interlinked dossier, each agency's part. */
  parts: DossierPart[];
  /** Its hand-overs between units, oldest first (hops.ts, form 06). */
  hops: HopView[];
}

interface Pinned {
  version: ProcedureVersion;
  kase: ProcedureCase;
  binding: { definitionKey: string; definitionVersion: number };
  channel: ProcedureCase['channels'][number];
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
const json = <T>(text: string | null | undefined, fallback: T): T => (text ? (JSON.parse(text) as T) : fallback);

export class Dossiers {
  constructor(private readonly svc: DossierPorts) {}

  /**
   * The dossier's appointment moved: its open steps take their caps from the new one
   * (step-deadlines.ts), in the caller's transaction. For the branches that move it (extension,
   * supplement). The receipt needs none: it sets the appointment before the process starts, so
   * the first steps are capped as they open.
   */
  recapOpenTasks(em: EntityManager, dossier: Dossier): Promise<Retimed[]> {
    return recapOpenTasks(this.svc, em, dossier);
  }

  /** A dossier handed in at the desk (or an online submission recorded for a clerk to receive). */
  create(acting: Acting, authz: Authz, input: NewDossier): Promise<DossierView> {
    return this.svc.db.em().transactional(async (em) => {
      const now = this.svc.clock.now();
      const desk = await this.deskOf(em, authz, input.unitId);
      const agency = await this.agencyOf(em, desk);
      if (input.outcome === 'submit' && input.channel !== 2) {
        throw new AppError('request.invalid', 'Only an online submission (channel 2) waits to be received; decide at the desk otherwise');
      }
      const pinned = await this.pin(em, input.procedureCode, input.caseKey, input.channel, now);
      await this.assertCompetent(em, desk, pinned.version);
      const competent = await competentUnit(em, desk, pinned.version, input.competentUnitId);
      const checklist = this.checklist(pinned.kase, input.components);
      const plan = input.outcome === 'submit' ? null : this.plan(input, checklist);

      // The counter is the first write: every receipt at this agency queues on its row (code.ts).
      const code = await nextCode(em, agency.code, now);
      const feesDue = pinned.channel.fees.reduce((sum, f) => sum + (typeof f.amount === 'number' ? f.amount : 0), 0);
      const paid = input.fees?.paid ?? 0;
      const dossier = em.create(Dossier, {
        id: crypto.randomUUID(),
        code,
        status: STATUS.submitted,
        paymentStatus: feesDue === 0 ? 'none' : paid >= feesDue ? 'paid' : 'due',
        resultStatus: 'none',
        syncStatus: 'pending',
        channel: input.channel,
        applicantKind: input.applicant.kind,
        applicantName: input.applicant.name,
        applicantIdNumber: input.applicant.idNumber ?? null,
        applicantSex: input.applicant.sex ?? null,
        applicantBirthDate: input.applicant.birthDate ?? null,
        applicantPhone: input.applicant.phone ?? null,
        applicantEmail: input.applicant.email ?? null,
        applicantAddress: input.applicant.address ?? null,
        owner: input.owner ? JSON.stringify(input.owner) : null,
        procedureCode: pinned.version.code,
        procedureName: pinned.version.document.name,
        procedureVersion: pinned.version.version,
        caseKey: pinned.kase.key,
        definitionKey: pinned.binding.definitionKey,
        definitionVersion: pinned.binding.definitionVersion,
        instanceIds: '[]',
        feesDue,
        feesPaid: paid,
        feeMode: input.fees?.mode ?? null,
        submittedAt: input.channel === 2 ? now : null,
        receivedAt: null,
        appointmentAt: null,
        refusedAt: null,
        refusalReasons: null,
        supplementMissing: null,
        note: input.note ?? null,
        unitId: desk.id,
        unitPath: desk.path,
        agencyCode: agency.code,
        competentUnitId: competent?.id ?? null,
        competentUnitPath: competent?.path ?? null,
        receivedById: null,
        receivedByName: null,
        createdAt: now,
        updatedAt: now,
        lockVersion: 1,
        listedAt: now,
        ...searchRows.columns(code, input),
      });
      await em.flush(); // before its components, history and search words, which reference it
      rememberDossier(em, dossier);
      searchRows.words(em, dossier.id, now, input);
      for (const row of checklist) em.create(DossierComponent, { id: crypto.randomUUID(), dossierId: dossier.id, ...row });
      if (!plan) {
        await this.history(em, dossier, null, STATUS.submitted, acting, now, null);
        await em.flush();
        await this.svc.audit.append(em, {
          ...acting,
          action: 'dossier.submitted',
          targetType: 'dossier',
          targetId: dossier.id,
          unitId: desk.id,
          summary: { code, procedure: dossier.procedureCode, case: dossier.caseKey, channel: dossier.channel },
        });
        return this.view(em, dossier);
      }
      await em.flush();
      await this.decide(em, acting, { dossier, desk, competent }, pinned, plan, null, now);
      return this.view(em, dossier);
    });
  }

  /** A clerk receives an online submission (status 1) or a dossier sent back for a supplement before receipt. */
  receive(acting: Acting, authz: Authz, code: string, input: Decision): Promise<DossierView> {
    return this.svc.db.em().transactional(async (em) => {
      const now = this.svc.clock.now();
      const dossier = await em.findOne(Dossier, { code });
      if (!dossier) throw dossierNotFound(code);
      authz.assertVisiblePath('dossier.read', dossier.unitPath, () => dossierNotFound(code));
      await authz.assert('dossier.receive', dossier.unitId);
      const waiting = dossier.status === STATUS.submitted || (dossier.status === STATUS.supplementRequested && !dossier.receivedAt);
      if (!waiting) {
        throw new AppError(
          'dossier.invalid_transition',
          `Dossier ${code} is in status ${dossier.status} (${statusNames[dossier.status]}): it cannot be received`,
          {
            status: dossier.status,
            allowed: [],
          },
        );
      }
      const desk = await em.findOneOrFail(Unit, { id: dossier.unitId });
      // The procedure is pinned at receipt: the version in force now.
      const pinned = await this.pin(em, dossier.procedureCode, dossier.caseKey, dossier.channel as ChannelCode, now);
      await this.assertCompetent(em, desk, pinned.version);
      const competent =
        input.competentUnitId || !dossier.competentUnitId
          ? await competentUnit(em, desk, pinned.version, input.competentUnitId)
          : await em.findOneOrFail(Unit, { id: dossier.competentUnitId });
      dossier.competentUnitId = competent?.id ?? null;
      dossier.competentUnitPath = competent?.path ?? null;
      const checklist = this.checklist(pinned.kase, input.components);
      const plan = this.plan(input, checklist);
      await replaceChecklist(em, dossier.id, checklist);
      dossier.procedureName = pinned.version.document.name;
      dossier.procedureVersion = pinned.version.version;
      dossier.definitionKey = pinned.binding.definitionKey;
      dossier.definitionVersion = pinned.binding.definitionVersion;
      if (input.note) dossier.note = input.note;
      await em.flush();
      await this.decide(em, acting, { dossier, desk, competent }, pinned, plan, dossier.status, now);
      return this.view(em, dossier);
    });
  }

  /** One dossier with its components and status history; one outside the caller's units does not exist for them (ADR 0004). */
  async get(authz: Authz, code: string): Promise<DossierView> {
    const em = this.svc.db.em();
    const dossier = await em.findOne(Dossier, { code });
    if (!dossier || !(await mayRead(em, authz, dossier))) throw dossierNotFound(code);
    return this.view(em, dossier);
  }

  /** One dossier for an operator at the server (the CLI), whose commands reach every unit. */
  async getAsOperator(code: string): Promise<DossierView> {
    const em = this.svc.db.em();
    const dossier = await em.findOne(Dossier, { code });
    if (!dossier) throw dossierNotFound(code);
    return this.view(em, dossier);
  }

  // ── receipt ──────────────────────────────────────────────────────────────

  /** Applies the desk's decision to a dossier row already written: status, history, process, audit, event. */
  private async decide(
    em: EntityManager,
    acting: Acting,
    { dossier, desk, competent }: { dossier: Dossier; desk: Unit; competent: Unit | null },
    pinned: Pinned,
    plan: Plan,
    from: number | null,
    now: Date,
  ): Promise<void> {
    const facts = () => ({
      dossierId: dossier.id,
      code: dossier.code,
      procedureCode: dossier.procedureCode,
      procedureVersion: dossier.procedureVersion,
      caseKey: dossier.caseKey,
      channel: dossier.channel,
      status: dossier.status,
      unitId: dossier.unitId,
    });
    const audit = (action: string, summary: Record<string, unknown>) =>
      this.svc.audit.append(em, { ...acting, action, targetType: 'dossier', targetId: dossier.id, unitId: dossier.unitId, summary });
    dossier.updatedAt = now;
    if (plan.outcome === 'refuse') {
      dossier.refusedAt = now;
      dossier.refusalReasons = JSON.stringify(plan.reasons);
      await this.history(em, dossier, from, STATUS.refused, acting, now, plan.reasons.join('; '));
      await em.flush();
      await audit('dossier.refused', { code: dossier.code, procedure: dossier.procedureCode, reasons: plan.reasons });
      await this.svc.events.publish(em, 'dossier.refused', { ...facts(), reasons: plan.reasons }, acting);
      return;
    }
    if (plan.outcome === 'request_supplement') {
      dossier.supplementMissing = JSON.stringify(plan.missing);
      await this.history(em, dossier, from, STATUS.supplementRequested, acting, now, plan.missing.join('; '));
      await em.flush();
      await audit('dossier.supplement_requested', { code: dossier.code, procedure: dossier.procedureCode, missing: plan.missing });
      await this.svc.events.publish(em, 'dossier.supplement_requested', { ...facts(), missing: plan.missing }, acting);
      return;
    }
    const limit = receiptLimit(pinned.kase, pinned.channel.channel) ?? pinned.channel.time;
    const appointment = this.svc.calendar.dueAt(now, limit, { unitId: dossier.unitId });
    dossier.receivedAt = now;
    // Its forms follow the legal basis in force on the day of receipt, whatever comes into force later.
    dossier.formsLegalBasis = await basisInForce(em, localDate(now));
    dossier.listedAt = now;
    dossier.appointmentAt = appointment;
    dossier.supplementMissing = null;
    dossier.receivedById = acting.actor.id;
    dossier.receivedByName = acting.actor.name;
    await this.history(em, dossier, from, STATUS.received, acting, now, null);
    await em.flush();
    await searchRows.relist(em, dossier.id, now);
    const instanceId = await this.svc.engine.start(em, acting, {
      definitionKey: pinned.binding.definitionKey,
      version: pinned.binding.definitionVersion,
      businessKey: dossier.code,
      unitId: dossier.unitId,
      unitPath: dossier.unitPath,
      routing: await dossierRouting(em, desk, competent, pinned.kase),
      variables: {
        dossierId: dossier.id,
        dossierCode: dossier.code,
        procedureCode: dossier.procedureCode,
        caseKey: dossier.caseKey,
        channel: dossier.channel,
        appointmentAt: appointment.toISOString(),
        applicant: {
          kind: dossier.applicantKind,
          name: dossier.applicantName,
          idNumber: dossier.applicantIdNumber,
          phone: dossier.applicantPhone,
          email: dossier.applicantEmail,
          address: dossier.applicantAddress,
        },
      },
    });
    dossier.instanceIds = JSON.stringify([...json<string[]>(dossier.instanceIds, []), instanceId]);
    await em.flush();
    await audit('dossier.received', {
      code: dossier.code,
      procedure: dossier.procedureCode,
      version: dossier.procedureVersion,
      case: dossier.caseKey,
      channel: dossier.channel,
      appointmentAt: appointment.toISOString(),
      instanceId,
    });
    await this.svc.events.publish(
      em,
      'dossier.received',
      { ...facts(), instanceId, appointmentAt: appointment.toISOString(), receivedAt: now.toISOString() },
      acting,
    );
  }

  /** The desk unit: the one named (which must be a desk the caller receives at), or the caller's only desk. */
  private async deskOf(em: EntityManager, authz: Authz, unitId: string | undefined): Promise<Unit> {
    let desk: Unit | null;
    if (unitId) {
      desk = (await em.findOne(Unit, { id: unitId })) ?? (await em.findOne(Unit, { code: unitId }));
      if (!desk) throw new AppError('unit.not_found', `No unit "${unitId}"`);
    } else {
      const scopes = authz.scopes('dossier.receive');
      const units = scopes.length ? await em.find(Unit, { $or: scopes.map((s) => ({ path: { $like: `${s}%` } })), level: 'desk' }) : [];
      if (units.length !== 1) {
        throw new AppError('dossier.not_a_desk', `You receive at ${units.length} desks: name the one receiving this dossier (unitId)`, {
          desks: units.map((u) => u.code),
        });
      }
      desk = units[0];
    }
    if (desk.level !== 'desk') throw new AppError('dossier.not_a_desk', `Unit ${desk.code} is not a one-stop desk`);
    await authz.assert('dossier.receive', desk.id);
    return desk;
  }

  /** The receiving agency of a desk: its nearest ancestor that is not itself a desk (its code numbers the dossiers). */
  private async agencyOf(em: EntityManager, desk: Unit): Promise<Unit> {
    const ids = desk.path.split('/').filter(Boolean).reverse();
    const units = await em.find(Unit, { id: { $in: ids } });
    for (const id of ids) {
      const u = units.find((x) => x.id === id);
      if (u && u.level !== 'desk') return u;
    }
    return desk;
  }

  /** The procedure version in force at `at`, the case, the definition the catalogue pins for it and the channel's terms. */
  private async pin(em: EntityManager, code: string, caseKey: string, channel: ChannelCode, at: Date): Promise<Pinned> {
    const version = await this.svc.catalogue.inForce(em, code, at);
    if (!version || version.document.kind !== 'administrative') {
      throw new AppError('dossier.procedure_unavailable', `Procedure ${code} is not in force in the catalogue`);
    }
    const kase = version.document.cases.find((c) => c.key === caseKey);
    const binding = version.bindings.find((b) => b.caseKey === caseKey);
    if (!kase || !binding) {
      throw new AppError(
        'dossier.procedure_unavailable',
        `Procedure ${code} version ${version.version} has no case "${caseKey}" bound to a process`,
        {
          cases: version.document.cases.map((c) => c.key),
        },
      );
    }
    const terms = kase.channels.find((c) => c.channel === channelNames[channel]);
    if (!terms) {
      throw new AppError('dossier.channel_unavailable', `Case "${caseKey}" of ${code} is not offered ${channelNames[channel]}`, {
        channels: kase.channels.map((c) => c.channel),
      });
    }
    return { version, kase, binding, channel: terms };
  }

  /**
   * Competence: a centre receives dossiers regardless of the applicant's address within its
   * province, for provincial, commune and vertical-sector procedures alike (Decree 118/2025;
   * docs/dossiers.md). So one of the agencies the procedure names (implementing, competent,
   * authorised, coordinating) must be in the desk's province (under its nearest ancestor of level
   * `province`), or, for a desk with no province above it, be the desk's unit or an ancestor.
   */
  private async assertCompetent(em: EntityManager, desk: Unit, version: ProcedureVersion): Promise<void> {
    const a = version.document.agencies;
    const codes = [...new Set([...a.implementing, ...a.competent, ...a.authorised, ...a.coordinating].map((x) => x.code))];
    const units = await em.find(Unit, { code: { $in: codes } });
    if (!units.some(await reachable(em, desk))) {
      throw new AppError(
        'dossier.not_competent',
        `Desk ${desk.code} does not receive for procedure ${version.code}: its agencies (${codes.join(', ')}) are not in the desk's province`,
        { agencies: codes },
      );
    }
  }

  /** The components checklist: one row per required document of the case, as ticked at the desk. */
  private checklist(kase: ProcedureCase, given: ComponentInput[]) {
    const seen = new Set<number>();
    for (const c of given) {
      if (c.document >= kase.documents.length || seen.has(c.document)) {
        throw new AppError(
          'dossier.invalid_components',
          `Component ${c.document} ${seen.has(c.document) ? 'is given twice' : `is not a document of case "${kase.key}" (it has ${kase.documents.length})`}`,
        );
      }
      seen.add(c.document);
    }
    return kase.documents.map((d, position) => {
      const c = given.find((g) => g.document === position);
      return {
        position,
        documentCode: d.code ?? null,
        portalCode: d.portalCode ?? null,
        name: d.name,
        optional: d.optional,
        requiredOriginals: d.originals,
        requiredCopies: d.copies,
        received: c?.received ?? false,
        originals: c?.originals ?? 0,
        certifiedCopies: c?.certifiedCopies ?? 0,
        copies: c?.copies ?? 0,
        digitised: c?.digitised ?? false,
        reusedResult: c?.reusedResult ?? null,
      };
    });
  }

  /** Checks the decision against the checklist: receiving needs every required document ticked. */
  private plan(input: Decision | NewDossier, checklist: ReturnType<Dossiers['checklist']>): Plan {
    const missing = checklist.filter((c) => !c.optional && !c.received).map((c) => c.name);
    if (input.outcome === 'receive') {
      if (missing.length) {
        throw new AppError('dossier.incomplete', `Not received: ${missing.length} required document(s) missing: ${missing.join('; ')}`, {
          missing,
        });
      }
      return { outcome: 'receive' };
    }
    if (input.outcome === 'refuse') {
      if (!input.reasons?.length) throw new AppError('request.invalid', 'A refusal states its reasons (form 03)');
      return { outcome: 'refuse', reasons: input.reasons };
    }
    const all = [...missing, ...(input.missing ?? [])];
    if (!all.length)
      throw new AppError(
        'request.invalid',
        'Nothing is missing: list what the applicant must supplement (form 02), or receive the dossier',
      );
    return { outcome: 'request_supplement', missing: all };
  }

  private history(
    em: EntityManager,
    dossier: Dossier,
    from: number | null,
    to: number,
    acting: Acting,
    at: Date,
    reason: string | null,
  ): Promise<void> {
    return changeStatus(em, this.svc.events, dossier, { from, to, by: acting.actor, at, reason, requestId: acting.requestId });
  }

  private async view(em: EntityManager, d: Dossier): Promise<DossierView> {
    const components = await em.find(DossierComponent, { dossierId: d.id }, { orderBy: { position: 'asc' } });
    const history = await statusChanges(em, d.id);
    return {
      id: d.id,
      code: d.code,
      status: d.status,
      statusName: statusNames[d.status],
      paymentStatus: d.paymentStatus,
      resultStatus: d.resultStatus,
      syncStatus: d.syncStatus,
      channel: d.channel,
      applicant: {
        kind: d.applicantKind as Person['kind'],
        name: d.applicantName,
        ...(d.applicantIdNumber && { idNumber: d.applicantIdNumber }),
        ...(d.applicantSex && { sex: d.applicantSex as Person['sex'] }),
        ...(d.applicantBirthDate && { birthDate: d.applicantBirthDate }),
        ...(d.applicantPhone && { phone: d.applicantPhone }),
        ...(d.applicantEmail && { email: d.applicantEmail }),
        ...(d.applicantAddress && { address: d.applicantAddress }),
      },
      owner: json<Person | null>(d.owner, null),
      procedure: {
        code: d.procedureCode,
        name: d.procedureName,
        version: d.procedureVersion,
        caseKey: d.caseKey,
        definitionKey: d.definitionKey ?? null,
        definitionVersion: d.definitionVersion ?? null,
      },
      instanceIds: json<string[]>(d.instanceIds, []),
      fees: { due: Number(d.feesDue), paid: Number(d.feesPaid), mode: d.feeMode ?? null },
      submittedAt: iso(d.submittedAt),
      receivedAt: iso(d.receivedAt),
      appointmentAt: iso(d.appointmentAt),
      refusedAt: iso(d.refusedAt),
      refusalReasons: json<string[]>(d.refusalReasons, []),
      supplementMissing: json<string[]>(d.supplementMissing, []),
      note: d.note ?? null,
      unitId: d.unitId,
      agencyCode: d.agencyCode,
      competentUnitId: d.competentUnitId ?? null,
      receivedBy: d.receivedByName ? { id: d.receivedById ?? null, name: d.receivedByName } : null,
      createdAt: iso(d.createdAt)!,
      updatedAt: iso(d.updatedAt)!,
      lockVersion: d.lockVersion,
      ...branchesView(d),
      components: components.map((c) => ({
        id: c.id,
        document: c.position,
        code: c.documentCode ?? null,
        portalCode: c.portalCode ?? null,
        name: c.name,
        optional: c.optional,
        required: { originals: c.requiredOriginals, copies: c.requiredCopies },
        received: c.received,
        originals: c.originals,
        certifiedCopies: c.certifiedCopies,
        copies: c.copies,
        digitised: c.digitised,
        reusedResult: c.reusedResult ?? null,
      })),
      history: history.map((h) => ({
        from: h.fromStatus ?? null,
        to: h.toStatus,
        at: iso(h.at)!,
        by: { id: h.byId ?? null, name: h.byName },
        reason: h.reason ?? null,
      })),
      ...(await supplementFacts(em, d.id)),
      attachments: await listAttachments(em, d.id),
      parts: await dossierParts(em, d.code, json<string[]>(d.instanceIds, [])),
      hops: await listHops(em, d.id),
    };
  }
}

type Plan = { outcome: 'receive' } | { outcome: 'refuse'; reasons: string[] } | { outcome: 'request_supplement'; missing: string[] };

/** The branches' facts (migration 0020, branches.ts), null where the dossier never took the branch. */
function branchesView(d: Dossier): Pick<DossierView, 'payment' | 'withdrawal' | 'stop' | 'resolvedAt' | 'result'> {
  return {
    payment:
      d.paymentRequestedAt && d.paymentDue !== null && d.paymentDue !== undefined
        ? {
            due: Number(d.paymentDue),
            reason: d.paymentReason ?? null,
            requestedAt: iso(d.paymentRequestedAt)!,
            paid: d.paymentPaid === null || d.paymentPaid === undefined ? null : Number(d.paymentPaid),
            mode: d.paymentMode ?? null,
            paidAt: iso(d.paymentPaidAt),
          }
        : null,
    withdrawal: d.withdrawnAt
      ? { at: iso(d.withdrawnAt)!, reason: d.withdrawalReason ?? '', requestedBy: d.withdrawalRequestedBy ?? '' }
      : null,
    stop: d.stoppedAt
      ? {
          at: iso(d.stoppedAt)!,
          reasons: json<string[]>(d.stopReasons, []),
          legalGround: d.stopLegalGround ?? '',
          signerTitle: d.stopSignerTitle ?? null,
        }
      : null,
    resolvedAt: iso(d.resolvedAt),
    result: d.resultReturnedAt
      ? {
          returnedAt: iso(d.resultReturnedAt)!,
          method: d.resultMethod ?? null,
          recipient: d.resultRecipientName
            ? { name: d.resultRecipientName, idNumber: d.resultRecipientIdNumber ?? null, relation: d.resultRecipientRelation ?? null }
            : null,
          returnedBy: d.resultReturnedByName ? { id: d.resultReturnedById ?? null, name: d.resultReturnedByName } : null,
        }
      : null,
  };
}
