import { QueryOrder } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import type { Ports } from '../../modules/ports.ts';
import { Task } from '../../engine/entities.ts';
import { Unit } from '../../org/entities.ts';
import { User } from '../../auth/entities.ts';
import { Dossier, DossierComponent } from '../entities.ts';
import { statusChanges } from '../history.ts';
import { DossierHop } from '../hop-entities.ts';
import { DossierAppointment, DossierSupplement } from '../supplement-entities.ts';
import { channelNames, statusNames, type ChannelCode } from '../model.ts';
import type { PortalSource, PortalUnit } from './payload.ts';

const json = <T>(text: string | null | undefined, fallback: T): T => (text ? (JSON.parse(text) as T) : fallback);
const unitOf = (u: Unit | undefined | null): PortalUnit | null => (u ? { id: u.id, code: u.code, name: u.name } : null);

/**
 * Reads what the payload of one dossier change needs, on the changing command's entity manager
 * (so it sees the change's own writes): the dossier, its checklist and history, its process's
 * tasks (the trail), the units and users they name, and the pinned catalogue version.
 */
export async function loadPortalSource(
  em: EntityManager,
  svc: Pick<Ports, 'catalogue'>,
  dossier: Dossier,
  change: Pick<PortalSource, 'sequence' | 'idempotencyKey' | 'change'>,
): Promise<PortalSource> {
  // One after another: the command's transaction has one connection.
  const components = await em.find(DossierComponent, { dossierId: dossier.id }, { orderBy: { position: 'asc' } });
  const history = await statusChanges(em, dossier.id);
  // Steps opened at the same instant (a completion opens the next one): the one already done first.
  const tasks = await em.find(
    Task,
    { businessKey: dossier.code },
    { orderBy: { createdAt: 'asc', completedAt: QueryOrder.ASC_NULLS_LAST, id: 'asc' } },
  );
  const asked = await em.findOne(DossierSupplement, { dossierId: dossier.id });
  const appointments = await em.find(DossierAppointment, { dossierId: dossier.id }, { orderBy: { at: 'asc', id: 'asc' } });
  const hops = await em.find(DossierHop, { dossierId: dossier.id, toUnitId: { $ne: null } }, { orderBy: { seq: 'asc' } });
  const unitIds = [
    ...new Set(
      [dossier.unitId, dossier.competentUnitId, ...tasks.map((t) => t.unitId), ...hops.flatMap((h) => [h.fromUnitId, h.toUnitId])].filter(
        (x): x is string => !!x,
      ),
    ),
  ];
  const userIds = [...new Set(tasks.map((t) => t.completedBy).filter((x): x is string => !!x))];
  const units = new Map((await em.find(Unit, { id: { $in: unitIds } })).map((u) => [u.id, u]));
  const users = new Map((userIds.length ? await em.find(User, { id: { $in: userIds } }) : []).map((u) => [u.id, u]));
  const version = await svc.catalogue.version(em, dossier.procedureCode, dossier.procedureVersion);
  const kase = version?.document.cases.find((c) => c.key === dossier.caseKey);
  const channel = kase?.channels.find((c) => c.channel === channelNames[dossier.channel as ChannelCode]);
  return {
    ...change,
    dossier: {
      code: dossier.code,
      status: dossier.status,
      paymentStatus: dossier.paymentStatus,
      resultStatus: dossier.resultStatus,
      channel: dossier.channel,
      applicant: {
        kind: dossier.applicantKind as PortalSource['dossier']['applicant']['kind'],
        name: dossier.applicantName,
        idNumber: dossier.applicantIdNumber ?? null,
        sex: (dossier.applicantSex ?? null) as PortalSource['dossier']['applicant']['sex'],
        birthDate: dossier.applicantBirthDate ?? null,
        phone: dossier.applicantPhone ?? null,
        email: dossier.applicantEmail ?? null,
        address: dossier.applicantAddress ?? null,
      },
      owner: json(dossier.owner, null),
      procedureCode: dossier.procedureCode,
      procedureName: dossier.procedureName,
      procedureVersion: dossier.procedureVersion,
      caseKey: dossier.caseKey,
      feesDue: Number(dossier.feesDue),
      feesPaid: Number(dossier.feesPaid),
      feeMode: dossier.feeMode ?? null,
      submittedAt: dossier.submittedAt ?? null,
      receivedAt: dossier.receivedAt ?? null,
      appointmentAt: dossier.appointmentAt ?? null,
      refusedAt: dossier.refusedAt ?? null,
      refusalReasons: json<string[]>(dossier.refusalReasons, []),
      supplementMissing: json<string[]>(dossier.supplementMissing, []),
      note: dossier.note ?? null,
      agencyCode: dossier.agencyCode,
      payment: dossier.paymentRequestedAt
        ? {
            due: Number(dossier.paymentDue ?? 0),
            reason: dossier.paymentReason ?? null,
            requestedAt: new Date(dossier.paymentRequestedAt),
            paid: dossier.paymentPaid == null ? null : Number(dossier.paymentPaid),
            mode: dossier.paymentMode ?? null,
            paidAt: dossier.paymentPaidAt ? new Date(dossier.paymentPaidAt) : null,
          }
        : null,
      resultReturn: dossier.resultReturnedAt
        ? {
            at: new Date(dossier.resultReturnedAt),
            method: dossier.resultMethod ?? null,
            recipient: dossier.resultRecipientName ?? null,
            relation: dossier.resultRecipientRelation ?? null,
          }
        : null,
    },
    processingSupplement: asked
      ? {
          requestedAt: new Date(asked.requestedAt),
          missing: JSON.parse(asked.missing) as string[],
          applicantDueAt: asked.applicantDueAt ? new Date(asked.applicantDueAt) : null,
          receivedAt: asked.receivedAt ? new Date(asked.receivedAt) : null,
        }
      : null,
    appointments: appointments.map((a) => ({
      at: new Date(a.at),
      cause: a.cause,
      before: new Date(a.previousAt),
      after: new Date(a.appointmentAt),
      reason: a.reason ?? null,
      by: a.byName,
    })),
    statusNames,
    receivingUnit: unitOf(units.get(dossier.unitId)) ?? { id: dossier.unitId, code: dossier.agencyCode, name: dossier.agencyCode },
    competentUnit: dossier.competentUnitId ? unitOf(units.get(dossier.competentUnitId)) : null,
    catalogue: version
      ? {
          caseName: kase?.name ?? null,
          casePortalCode: kase?.portalCode ?? null,
          sectors: version.document.sectors,
          fees: channel?.fees ?? [],
          substitutes: Object.fromEntries((kase?.documents ?? []).map((doc, i) => [i, doc.substitutableBy])),
        }
      : null,
    components: components.map((c) => ({
      position: c.position,
      name: c.name,
      documentCode: c.documentCode ?? null,
      portalCode: c.portalCode ?? null,
      optional: c.optional,
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
      at: h.at,
      byId: h.byId ?? null,
      byName: h.byName,
      reason: h.reason ?? null,
    })),
    // Unit names as they were at the hand-over (units get renamed), codes as they are now.
    hops: hops.map((h) => ({
      from: { id: h.fromUnitId, code: units.get(h.fromUnitId)?.code ?? '', name: h.fromUnitName },
      to: { id: h.toUnitId!, code: units.get(h.toUnitId!)?.code ?? '', name: h.toUnitName ?? units.get(h.toUnitId!)?.name ?? '' },
      at: h.at,
      timeliness: h.timeliness ?? null,
    })),
    tasks: tasks.map((t) => {
      const by = t.completedBy ? users.get(t.completedBy) : undefined;
      return {
        activityId: t.activityId,
        name: t.name ?? null,
        unit: t.unitId ? unitOf(units.get(t.unitId)) : null,
        createdAt: t.createdAt,
        dueAt: t.dueAt ?? null,
        completedAt: t.completedAt ?? null,
        completedBy: t.completedBy ? { id: t.completedBy, name: by?.displayName ?? t.completedBy } : null,
        status: t.status,
      };
    }),
  };
}
