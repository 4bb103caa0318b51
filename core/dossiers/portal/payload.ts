import type { DossierChangeKind } from '../../events/catalogue.ts';
/**
 * The national portal's payload of one dossier change (DOMAIN §4, docs/portal-sync.md): everything
 * a production one-stop system reports to the National Public Service Portal, built from the
 * dossier as it stands in the command that changed it. Pure: `buildPortalPayload(source)` reads
 * nothing but its argument. `docs/portal-payload.schema.json` is its JSON Schema; a sender maps it
 * to the portal's wire format.
 */

export const PORTAL_PAYLOAD_VERSION = 1;

/** What a payload's change consists of: a status move, or what `dossier.changed` reports (docs/portal-sync.md). */
export type PortalChangeKind = 'status' | DossierChangeKind;

export interface PortalUnit {
  id: string;
  code: string;
  name: string;
}

export interface PortalPerson {
  kind: 'citizen' | 'organisation' | 'enterprise';
  name: string;
  /** Personal ID number, or the organisation's / enterprise's code (see `idKind`). */
  idNumber: string | null;
  idKind: 'personal_id' | 'organisation_code' | 'enterprise_code';
  sex: 'female' | 'male' | 'other' | null;
  birthDate: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
}

export interface PortalDocument {
  position: number;
  name: string;
  /** The portal's component code, else the catalogue's. */
  componentCode: string | null;
  optional: boolean;
  received: boolean;
  originals: number;
  certifiedCopies: number;
  copies: number;
  digitised: boolean;
  /** Whether an earlier result was reused in its place, and which. */
  reused: boolean;
  reusedResult: string | null;
  /** The code of an earlier result that may replace it (catalogue). */
  substitutableBy: string | null;
}

export interface PortalFee {
  name: string;
  code: string | null;
  /** Whole đồng; null when the catalogue's amount is not a number. */
  amount: number | null;
  per: string | null;
  paidAt: 'submission' | 'result' | null;
}

export interface PortalSupplement {
  stage: 'reception' | 'processing';
  requestedBy: { id: string | null; name: string };
  requestedAt: string;
  items: string[];
  /** The applicant's deadline to supplement (processing stage, when the case gives one). */
  applicantDueAt: string | null;
  receivedAt: string | null;
  appointmentBefore: string | null;
  appointmentAfter: string | null;
}

/** One change of the appointment: the one before and the one after (DOMAIN: recorded on every change). */
export interface PortalAppointmentChange {
  at: string;
  cause: 'supplement' | 'extension';
  before: string;
  after: string;
  reason: string | null;
  by: string;
}

export interface PortalTrailStep {
  step: string;
  name: string | null;
  handler: { id: string; name: string } | null;
  /** The handler's title (chức danh): not kept on users yet. */
  title: string | null;
  unit: PortalUnit | null;
  startedAt: string;
  /** The step's statutory end (its due time). */
  dueAt: string | null;
  completedAt: string | null;
  /** `sent_back`: the step was sent back to the one before it (ADR 0020). */
  status: 'open' | 'completed' | 'cancelled' | 'sent_back';
  content: string | null;
}

export interface PortalHop {
  from: PortalUnit;
  to: PortalUnit;
  at: string;
  /** Against the step's due time (docs/dossiers.md § Hops); null when the step had none (and for the receipt). */
  timeliness: 'early' | 'on_time' | 'late' | null;
}

export interface PortalPayload {
  schemaVersion: typeof PORTAL_PAYLOAD_VERSION;
  idempotencyKey: string;
  /** 1, 2, … per dossier: the portal keeps the highest it has seen. */
  sequence: number;
  change: {
    at: string;
    from: number | null;
    to: number;
    reason: string | null;
    by: string;
    /** What the command changed, in the order it did (one row per command). */
    kinds: PortalChangeKind[];
  };
  code: string;
  procedure: {
    code: string;
    name: string;
    version: number;
    caseKey: string;
    caseName: string | null;
    casePortalCode: string | null;
    sectors: { code: string; name: string; portalCode: string | null }[];
  };
  channel: 1 | 2 | 3;
  applicant: PortalPerson;
  owner: PortalPerson | null;
  summary: string;
  status: { code: number; name: string };
  subStates: { payment: string; result: string };
  dates: {
    submittedAt: string | null;
    receivedAt: string | null;
    appointmentAt: string | null;
    finishedAt: string | null;
    returnedAt: string | null;
    refusedAt: string | null;
  };
  refusalReasons: string[];
  units: { receiving: PortalUnit; agencyCode: string; competent: PortalUnit | null; processing: PortalUnit | null };
  documents: PortalDocument[];
  fees: { due: number; paid: number; mode: string | null; paidOnline: boolean; items: PortalFee[] };
  /** The payment asked during processing (status 6), and its record once paid. */
  payment: {
    due: number;
    reason: string | null;
    requestedAt: string;
    paid: number | null;
    mode: string | null;
    paidAt: string | null;
  } | null;
  /** How and to whom the result was handed over (status 10 at the desk). */
  resultReturn: { at: string; method: string | null; recipient: string | null; relation: string | null } | null;
  appointments: PortalAppointmentChange[];
  supplements: PortalSupplement[];
  results: { name: string; code: string | null; issuedAt: string | null }[];
  hops: PortalHop[];
  trail: PortalTrailStep[];
  history: { from: number | null; to: number; at: string; by: string; reason: string | null }[];
}

/** What the builder reads: plain rows, loaded in the changing command's transaction (source.ts). */
export interface PortalSource {
  sequence: number;
  idempotencyKey: string;
  change: PortalPayload['change'];
  dossier: {
    code: string;
    status: number;
    paymentStatus: string;
    resultStatus: string;
    channel: number;
    applicant: Omit<PortalPerson, 'idKind'>;
    owner: (Partial<Omit<PortalPerson, 'idKind'>> & { name: string }) | null;
    procedureCode: string;
    procedureName: string;
    procedureVersion: number;
    caseKey: string;
    feesDue: number;
    feesPaid: number;
    feeMode: string | null;
    submittedAt: Date | null;
    receivedAt: Date | null;
    appointmentAt: Date | null;
    refusedAt: Date | null;
    refusalReasons: string[];
    supplementMissing: string[];
    note: string | null;
    agencyCode: string;
    payment?: {
      due: number;
      reason: string | null;
      requestedAt: Date;
      paid: number | null;
      mode: string | null;
      paidAt: Date | null;
    } | null;
    resultReturn?: { at: Date; method: string | null; recipient: string | null; relation: string | null } | null;
  };
  /** The supplement asked during processing (dossier_supplements), if any. */
  processingSupplement?: { requestedAt: Date; missing: string[]; applicantDueAt: Date | null; receivedAt: Date | null } | null;
  /** Every change of the appointment (dossier_appointments), oldest first. */
  appointments?: { at: Date; cause: string; before: Date; after: Date; reason: string | null; by: string }[];
  statusNames: Record<number, string>;
  receivingUnit: PortalUnit;
  competentUnit: PortalUnit | null;
  /** The pinned catalogue version's parts, when it could be read. */
  catalogue: {
    caseName: string | null;
    casePortalCode: string | null;
    sectors: { code: string; name: string; portalCode?: string }[];
    fees: { description: string; code?: string; amount: number | string; per?: string; paidAt?: 'submission' | 'result' }[];
    substitutes: Record<number, string | undefined>;
  } | null;
  components: {
    position: number;
    name: string;
    documentCode: string | null;
    portalCode: string | null;
    optional: boolean;
    received: boolean;
    originals: number;
    certifiedCopies: number;
    copies: number;
    digitised: boolean;
    reusedResult: string | null;
  }[];
  history: { from: number | null; to: number; at: Date; byId: string | null; byName: string; reason: string | null }[];
  /** The recorded hand-overs (hops.ts), oldest first; one not yet received by a unit is left out. */
  hops: { from: PortalUnit; to: PortalUnit; at: Date; timeliness: string | null }[];
  tasks: {
    activityId: string;
    name: string | null;
    unit: PortalUnit | null;
    createdAt: Date;
    dueAt: Date | null;
    completedAt: Date | null;
    completedBy: { id: string; name: string } | null;
    status: string;
  }[];
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
const timeliness = (t: string | null): PortalHop['timeliness'] => (t === 'early' || t === 'on_time' || t === 'late' ? t : null);
const SUPPLEMENT = 5;
const REFUSED = 3;
/** Statuses that end the work on a dossier (the "finished" date): resolved, withdrawn, stopped. */
const FINISHING = new Set([7, 8, 9]);
const RETURNED = 10;

const idKindOf = (kind: PortalPerson['kind']): PortalPerson['idKind'] =>
  kind === 'organisation' ? 'organisation_code' : kind === 'enterprise' ? 'enterprise_code' : 'personal_id';

function person(p: Partial<Omit<PortalPerson, 'idKind'>> & { name: string }): PortalPerson {
  const kind = p.kind ?? 'citizen';
  return {
    kind,
    name: p.name,
    idNumber: p.idNumber ?? null,
    idKind: idKindOf(kind),
    sex: p.sex ?? null,
    birthDate: p.birthDate ?? null,
    phone: p.phone ?? null,
    email: p.email ?? null,
    address: p.address ?? null,
  };
}

/** The first time the history reached one of `to` (the latest when `last`). */
function reached(history: PortalSource['history'], to: (s: number) => boolean, last = false): string | null {
  const hits = history.filter((h) => to(h.to));
  return iso((last ? hits.at(-1) : hits[0])?.at);
}

/** Each stay in status 5: who asked, what, when; when it left 5 (the papers came). */
function supplements(src: PortalSource): PortalSupplement[] {
  const out: PortalSupplement[] = [];
  const { history, dossier } = src;
  history.forEach((h, i) => {
    if (h.to !== SUPPLEMENT) return;
    const left = history.slice(i + 1).find((x) => x.from === SUPPLEMENT);
    const open = !left && dossier.status === SUPPLEMENT;
    const stage = history.slice(0, i).some((x) => x.to === 2) ? 'processing' : 'reception';
    // During processing: the recorded supplement (once per dossier), what it asked, and the appointment its receipt set.
    const asked = stage === 'processing' ? src.processingSupplement : null;
    const items = asked
      ? asked.missing
      : open && dossier.supplementMissing.length
        ? dossier.supplementMissing
        : (h.reason?.split('; ').filter(Boolean) ?? []);
    const moved =
      asked?.receivedAt && (src.appointments ?? []).find((a) => a.cause === 'supplement' && a.at.getTime() === asked.receivedAt!.getTime());
    out.push({
      stage,
      requestedBy: { id: h.byId, name: h.byName },
      requestedAt: h.at.toISOString(),
      items,
      applicantDueAt: iso(asked?.applicantDueAt),
      receivedAt: iso(left?.at),
      appointmentBefore: moved ? moved.before.toISOString() : null,
      appointmentAfter: moved ? moved.after.toISOString() : null,
    });
  });
  return out;
}

export function buildPortalPayload(src: PortalSource): PortalPayload {
  const d = src.dossier;
  const cat = src.catalogue;
  const trail: PortalTrailStep[] = [...src.tasks]
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
    .map((t) => ({
      step: t.activityId,
      name: t.name,
      handler: t.completedBy,
      title: null,
      unit: t.unit,
      startedAt: t.createdAt.toISOString(),
      dueAt: iso(t.dueAt),
      completedAt: iso(t.completedAt),
      status: t.status === 'completed' || t.status === 'open' || t.status === 'sent_back' ? t.status : 'cancelled',
      content: t.name,
    }));
  const openUnits = trail.filter((s) => s.status === 'open' && s.unit).map((s) => s.unit!);
  const caseName = cat?.caseName ?? null;
  return {
    schemaVersion: PORTAL_PAYLOAD_VERSION,
    idempotencyKey: src.idempotencyKey,
    sequence: src.sequence,
    change: src.change,
    code: d.code,
    procedure: {
      code: d.procedureCode,
      name: d.procedureName,
      version: d.procedureVersion,
      caseKey: d.caseKey,
      caseName,
      casePortalCode: cat?.casePortalCode ?? null,
      sectors: (cat?.sectors ?? []).map((s) => ({ code: s.code, name: s.name, portalCode: s.portalCode ?? null })),
    },
    channel: d.channel as 1 | 2 | 3,
    applicant: person(d.applicant),
    owner: d.owner ? person(d.owner) : null,
    summary: d.note ?? (caseName ? `${d.procedureName} (${caseName})` : d.procedureName),
    status: { code: d.status, name: src.statusNames[d.status] ?? String(d.status) },
    subStates: { payment: d.paymentStatus, result: d.resultStatus },
    dates: {
      submittedAt: iso(d.submittedAt),
      receivedAt: iso(d.receivedAt),
      appointmentAt: iso(d.appointmentAt),
      finishedAt: reached(src.history, (s) => FINISHING.has(s)),
      returnedAt: reached(src.history, (s) => s === RETURNED, true),
      refusedAt: iso(d.refusedAt) ?? reached(src.history, (s) => s === REFUSED),
    },
    refusalReasons: d.refusalReasons,
    units: {
      receiving: src.receivingUnit,
      agencyCode: d.agencyCode,
      competent: src.competentUnit,
      processing: openUnits.at(-1) ?? src.competentUnit,
    },
    documents: src.components.map((c) => ({
      position: c.position,
      name: c.name,
      componentCode: c.portalCode ?? c.documentCode,
      optional: c.optional,
      received: c.received,
      originals: c.originals,
      certifiedCopies: c.certifiedCopies,
      copies: c.copies,
      digitised: c.digitised,
      reused: !!c.reusedResult,
      reusedResult: c.reusedResult,
      substitutableBy: cat?.substitutes[c.position] ?? null,
    })),
    fees: {
      due: d.feesDue,
      paid: d.feesPaid,
      mode: d.feeMode,
      paidOnline: d.feeMode === 'online',
      items: (cat?.fees ?? []).map((f) => ({
        name: f.description,
        code: f.code ?? null,
        amount: typeof f.amount === 'number' ? f.amount : null,
        per: f.per ?? null,
        paidAt: f.paidAt ?? null,
      })),
    },
    payment: d.payment
      ? {
          due: d.payment.due,
          reason: d.payment.reason,
          requestedAt: d.payment.requestedAt.toISOString(),
          paid: d.payment.paid,
          mode: d.payment.mode,
          paidAt: iso(d.payment.paidAt),
        }
      : null,
    resultReturn: d.resultReturn ? { ...d.resultReturn, at: d.resultReturn.at.toISOString() } : null,
    appointments: (src.appointments ?? []).map((a) => ({
      at: a.at.toISOString(),
      cause: a.cause === 'extension' ? 'extension' : 'supplement',
      before: a.before.toISOString(),
      after: a.after.toISOString(),
      reason: a.reason,
      by: a.by,
    })),
    supplements: supplements(src),
    // Result documents are not recorded yet (issue 15, the return of the result).
    results: [],
    hops: src.hops.map((h) => ({ from: h.from, to: h.to, at: h.at.toISOString(), timeliness: timeliness(h.timeliness) })),
    trail,
    history: src.history.map((h) => ({ from: h.from, to: h.to, at: h.at.toISOString(), by: h.byName, reason: h.reason })),
  };
}
