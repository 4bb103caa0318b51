import type { EntityManager } from '@mikro-orm/knex';
import { User } from '../../auth/entities.ts';
import { timeText } from '../../catalogue/public-format.ts';
import { channelName, isSameDay } from '../../catalogue/case-limits.ts';
import { AppError } from '../../errors.ts';
import { publicOrigin } from '../../http/public-origin.ts';
import type { Ports } from '../../modules/ports.ts';
import { Unit } from '../../org/entities.ts';
import type { Authz } from '../../org/authz.ts';
import { STATUS } from '../model.ts';
import type { Dossiers, DossierView } from '../service.ts';
import { DEFAULT_LEGAL_BASIS, FormTemplates } from './registry.ts';
import { date, time } from './helpers.ts';
import { logPeriod, logRows } from './tracking-log.ts';
import { basisInForce, templateDigests, templateRows } from './template-store.ts';
import { Dossier } from '../entities.ts';
import { localDate } from '../../time.ts';
import type {
  Form01,
  Form02,
  Form03,
  Form04,
  Form05,
  Form06,
  Form07,
  FormHeader,
  FormNo,
  HopClass,
  PersonView,
  ProcedureView,
} from './view-models.ts';

/**
 * Forms of one dossier (docs/dossiers.md, "Forms"): builds the view-model of form 01, 02, 03, 05
 * or 06 from what the dossier recorded, and renders it with the registry's template; form 07, the
 * tracking log, is a unit's over a period (tracking-log.ts). A form the dossier never produced
 * answers `dossier.form_not_available`. Form 05 comes from a stop, form 04 from an apology and
 * extension, form 02 also from a supplement asked during processing (branches.ts).
 */

export type FormPorts = Pick<Ports, 'db' | 'clock' | 'config' | 'catalogue'> & { dossiers: Dossiers };

const CHANNELS: Record<number, string> = { 1: 'Trực tiếp', 2: 'Trực tuyến', 3: 'Qua dịch vụ bưu chính công ích' };
const CLASS_LABELS: Record<HopClass, string> = { early: 'Trước hạn', on_time: 'Đúng hạn', late: 'Quá hạn' };
const FEE_MODES: Record<string, string> = {
  cash: 'tiền mặt',
  transfer: 'chuyển khoản',
  online: 'thanh toán trực tuyến',
  postal: 'qua dịch vụ bưu chính',
};

const notAvailable = (code: string, no: FormNo, why: string) =>
  new AppError('dossier.form_not_available', `Dossier ${code} has no form ${no}: ${why}`, { form: no });

/** "Tỉnh Bắc Ninh" → "Bắc Ninh": the dateline names the place, not the tier. */
export function placeName(unitName: string): string {
  return unitName.replace(/^(tỉnh|thành phố|xã|phường|đặc khu)\s+/iu, '');
}

export class DossierForms {
  /** The sha256 of each stored template this node's registry holds, by `form legalBasis`. */
  private readonly loaded = new Map<string, string>();
  /** Stored templates this node refused, by "form legal basis". */
  private readonly broken = new Map<string, AppError>();

  constructor(
    private readonly ports: FormPorts,
    readonly templates: FormTemplates = FormTemplates.shipped(),
  ) {}

  /**
   * Brings the registry up to the templates packs stored (template-store.ts): one small query of
   * digests, and the texts of those this node has not compiled yet (once per sha256 per node).
   * A row under the default legal basis replaces the shipped layout of its form.
   */
  async sync(em: EntityManager = this.ports.db.em()): Promise<void> {
    const k = (r: { form: FormNo; legalBasis: string }) => `${r.form} ${r.legalBasis}`;
    const stale = (await templateDigests(em)).filter((r) => this.loaded.get(k(r)) !== r.sha256);
    for (const row of await templateRows(em, stale)) {
      const key = k({ form: row.form as FormNo, legalBasis: row.legalBasis });
      try {
        this.templates.register(row.form as FormNo, row.legalBasis, row.text, { version: row.originVersion, origin: row.origin });
        this.broken.delete(key);
      } catch (e) {
        // A stored template this code no longer accepts (stricter checks since its import) stops
        // that form under that basis only, with the reason; every other form still prints.
        this.broken.set(key, e instanceof AppError ? e : new AppError('dossier.form_template_unsafe', String(e)));
      }
      this.loaded.set(key, row.sha256);
    }
  }

  /** The basis to render a form under: the dossier's, unless that basis lacks the form (then the default's). */
  private basisFor(form: FormNo, basis: string): string {
    const chosen = this.templates.has(form, basis) || this.broken.has(`${form} ${basis}`) ? basis : DEFAULT_LEGAL_BASIS;
    const refused = this.broken.get(`${form} ${chosen}`);
    if (refused)
      throw new AppError('dossier.form_template_unsafe', `The stored template of form ${form} (${chosen}) is refused: ${refused.message}`);
    return chosen;
  }

  /** Form `no` of a dossier the caller may read (404 otherwise, as the dossier's own read). */
  async render(authz: Authz, code: string, no: FormNo): Promise<string> {
    return this.renderView(await this.ports.dossiers.get(authz, code), no);
  }

  /** Form `no` of a dossier for an operator at the server (the CLI), whose commands reach every unit. */
  async renderAsOperator(code: string, no: FormNo): Promise<string> {
    return this.renderView(await this.ports.dossiers.getAsOperator(code), no);
  }

  /**
   * Form 07 of a unit (id or code) over a period of Vietnam days, for a caller whose
   * `dossier.read` reaches the unit (else 404 `unit.not_found`, as a unit that does not exist).
   */
  async renderLog(authz: Authz, unitRef: string, from: string, to: string): Promise<string> {
    const em = this.ports.db.em();
    const unit = await em.findOne(Unit, { $or: [{ id: unitRef }, { code: unitRef }] });
    const missing = () => new AppError('unit.not_found', `No unit ${unitRef}`);
    if (!unit) throw missing();
    authz.assertVisiblePath('dossier.read', unit.path, missing);
    const { start, end } = logPeriod(from, to);
    await this.sync(em);
    // The log follows the basis in force on the period's last day.
    const basis = this.basisFor('07', await basisInForce(em, localDate(new Date(end.getTime() - 1))));
    const chain = (await em.find(Unit, { id: { $in: unit.path.split('/').filter(Boolean) } })).sort(
      (a, b) => b.path.length - a.path.length,
    );
    const parent = chain.find((u) => u.id !== unit.id) ?? null;
    const province = chain.find((u) => u.level === 'province') ?? null;
    const view: Form07 = {
      header: {
        governing: parent?.name ?? null,
        agency: unit.name,
        desk: null,
        place: placeName((province ?? unit).name),
        issuedAt: this.ports.clock.now().toISOString(),
        legalBasis: basis,
      },
      unit: unit.name,
      period: { from: start.toISOString(), to: new Date(end.getTime() - 1).toISOString() },
      rows: await logRows(em, unit, start, end),
    };
    return this.templates.render('07', view, basis);
  }

  private async renderView(d: DossierView, no: FormNo): Promise<string> {
    const em = this.ports.db.em();
    await this.sync(em);
    const pinned = (await em.findOne(Dossier, { id: d.id }, { fields: ['formsLegalBasis'], disableIdentityMap: true }))?.formsLegalBasis;
    const basis = this.basisFor(no, pinned ?? DEFAULT_LEGAL_BASIS);
    const at = <M extends { header: FormHeader }>(m: M): M => ({ ...m, header: { ...m.header, legalBasis: basis } });
    switch (no) {
      case '01':
        return this.templates.render('01', at(await this.form01(em, d)), basis);
      case '02':
        return this.templates.render('02', at(await this.form02(em, d)), basis);
      case '03':
        return this.templates.render('03', at(await this.form03(em, d)), basis);
      case '04':
        return this.templates.render('04', at(await this.form04(em, d)), basis);
      case '05':
        return this.templates.render('05', at(await this.form05(em, d)), basis);
      case '06':
        return this.templates.render('06', at(await this.form06(em, d)), basis);
      case '07':
        throw notAvailable(d.code, no, 'the tracking log is kept per unit: GET /api/units/{id}/forms/07?from=…&to=…');
      default:
        throw notAvailable(d.code, no, 'it is not one of the statutory forms 01–07');
    }
  }

  async form01(em: EntityManager, d: DossierView): Promise<Form01> {
    if (!d.receivedAt || !d.appointmentAt) throw notAvailable(d.code, '01', 'it has not been received');
    const units = await this.units(em, d);
    const version = await this.ports.catalogue.version(em, d.procedure.code, d.procedure.version);
    const kase = version?.document.cases.find((c) => c.key === d.procedure.caseKey);
    const terms = kase?.channels.find((c) => c.channel === channelName(d.channel));
    const statutoryTime =
      kase && terms && isSameDay(kase, terms.channel)
        ? `trong ngày (hồ sơ nhận sau ${kase.sameDayCutoff} trả trong ngày làm việc tiếp theo)`
        : terms
          ? timeText(terms.time)
          : 'theo quy định của thủ tục';
    const place = version?.document.receptionAddress;
    return {
      header: this.header(units, d.receivedAt),
      dossierCode: d.code,
      lookupUrl: `${publicOrigin(this.ports.config)}/tra-cuu?code=${encodeURIComponent(d.code)}`,
      applicant: person(d.applicant),
      owner: d.owner ? person(d.owner) : null,
      procedure: this.procedure(d, kase?.name ?? null, (version?.document.cases.length ?? 0) > 1),
      channel: CHANNELS[d.channel] ?? String(d.channel),
      components: d.components
        .filter((c) => c.received)
        .map((c, i) => ({
          no: i + 1,
          name: c.name,
          originals: c.originals,
          certifiedCopies: c.certifiedCopies,
          copies: c.copies,
          note:
            [c.digitised ? 'Đã số hóa' : null, c.reusedResult ? `Dùng lại kết quả ${c.reusedResult}` : null].filter(Boolean).join('; ') ||
            null,
        })),
      sets: 1,
      statutoryTime,
      receivedAt: d.receivedAt,
      appointmentAt: d.appointmentAt,
      returnPlace: [units.desk.name, units.agency.name, place].filter(Boolean).join(', '),
      fees: { due: d.fees.due, paid: d.fees.paid, mode: d.fees.mode ? (FEE_MODES[d.fees.mode] ?? d.fees.mode) : null },
      receiver: await this.displayName(em, d.receivedBy),
    };
  }

  /**
   * Form 02: the supplement asked before receipt (the desk's list, until the dossier is received),
   * else the one asked during processing (its list, the unit that asked, the applicant's deadline).
   */
  async form02(em: EntityManager, d: DossierView): Promise<Form02> {
    const asked = d.history.filter((h) => h.to === STATUS.supplementRequested).at(-1);
    const units = await this.units(em, d);
    const version = await this.ports.catalogue.version(em, d.procedure.code, d.procedure.version);
    const kase = version?.document.cases.find((c) => c.key === d.procedure.caseKey);
    const common = {
      dossierCode: d.code,
      applicant: person(d.applicant),
      procedure: this.procedure(d, kase?.name ?? null, (version?.document.cases.length ?? 0) > 1),
    };
    if (d.supplementMissing.length && asked) {
      return {
        header: this.header(units, asked.at),
        ...common,
        missing: d.supplementMissing.map((text, i) => ({ no: i + 1, text })),
        reason: d.note,
        contact: { name: await this.displayName(em, asked.by), unit: units.desk.name, phone: null },
        deadline: null,
      };
    }
    const s = d.supplement;
    if (!s) throw notAvailable(d.code, '02', 'no supplement is requested of it');
    return {
      header: this.header(units, s.requestedAt),
      ...common,
      missing: s.missing.map((text, i) => ({ no: i + 1, text })),
      reason: s.reason,
      contact: { name: await this.displayName(em, s.requestedBy), unit: s.unit?.name ?? units.desk.name, phone: null },
      deadline: s.applicantDueAt,
    };
  }

  /**
   * Form 04, apology and extension: the last extension's late unit, cause, the appointment it
   * replaced and the new one, signed by the leader who issued it.
   */
  async form04(em: EntityManager, d: DossierView): Promise<Form04> {
    const ext = d.appointments.filter((a) => a.cause === 'extension').at(-1);
    if (!ext || !d.receivedAt) throw notAvailable(d.code, '04', 'no apology and extension was issued for it');
    const units = await this.units(em, d);
    const version = await this.ports.catalogue.version(em, d.procedure.code, d.procedure.version);
    const kase = version?.document.cases.find((c) => c.key === d.procedure.caseKey);
    const place = version?.document.receptionAddress;
    return {
      header: this.header(units, ext.at),
      dossierCode: d.code,
      addressee: person(d.applicant),
      procedure: this.procedure(d, kase?.name ?? null, (version?.document.cases.length ?? 0) > 1),
      receivedAt: d.receivedAt,
      appointmentAt: ext.previousAt,
      lateUnit: ext.unit?.name ?? units.agency.name,
      cause: ext.reason ?? '',
      newAppointmentAt: ext.appointmentAt,
      returnPlace: [units.desk.name, units.agency.name, place].filter(Boolean).join(', '),
      signer: { name: await this.displayName(em, ext.by), title: ext.signerTitle ?? 'THỦ TRƯỞNG CƠ QUAN' },
    };
  }

  async form03(em: EntityManager, d: DossierView): Promise<Form03> {
    const refused = d.history.filter((h) => h.to === STATUS.refused).at(-1);
    if (d.status !== STATUS.refused || !d.refusedAt || !refused) throw notAvailable(d.code, '03', 'it was not refused');
    const units = await this.units(em, d);
    const version = await this.ports.catalogue.version(em, d.procedure.code, d.procedure.version);
    const kase = version?.document.cases.find((c) => c.key === d.procedure.caseKey);
    return {
      header: this.header(units, d.refusedAt),
      dossierCode: d.code,
      applicant: person(d.applicant),
      procedure: this.procedure(d, kase?.name ?? null, (version?.document.cases.length ?? 0) > 1),
      reasons: d.refusalReasons.map((text, i) => ({ no: i + 1, text })),
      receiver: await this.displayName(em, refused.by),
    };
  }

  /** Form 05, the notice to stop processing: the reasons and legal ground recorded by the stop, signed by whoever stopped it. */
  async form05(em: EntityManager, d: DossierView): Promise<Form05> {
    const stopped = d.history.filter((h) => h.to === STATUS.stopped).at(-1);
    if (d.status !== STATUS.stopped || !d.stop || !stopped) throw notAvailable(d.code, '05', 'it was not stopped');
    const units = await this.units(em, d);
    const version = await this.ports.catalogue.version(em, d.procedure.code, d.procedure.version);
    const kase = version?.document.cases.find((c) => c.key === d.procedure.caseKey);
    return {
      header: this.header(units, d.stop.at),
      dossierCode: d.code,
      applicant: person(d.applicant),
      procedure: this.procedure(d, kase?.name ?? null, (version?.document.cases.length ?? 0) > 1),
      receivedAt: d.receivedAt ?? d.createdAt,
      reasons: d.stop.reasons.map((text, i) => ({ no: i + 1, text })),
      legalGround: d.stop.legalGround || null,
      signer: { name: await this.displayName(em, stopped.by), title: d.stop.signerTitle ?? 'THỦ TRƯỞNG CƠ QUAN' },
    };
  }

  /** Form 06: one row per hop, each with its own deadline and class (hops.ts). */
  async form06(em: EntityManager, d: DossierView): Promise<Form06> {
    if (!d.receivedAt || !d.appointmentAt || !d.hops.length) throw notAvailable(d.code, '06', 'it has not been handed over yet');
    const units = await this.units(em, d);
    const version = await this.ports.catalogue.version(em, d.procedure.code, d.procedure.version);
    const kase = version?.document.cases.find((c) => c.key === d.procedure.caseKey);
    return {
      header: this.header(units, d.hops.at(-1)!.at),
      dossierCode: d.code,
      applicant: person(d.applicant),
      procedure: this.procedure(d, kase?.name ?? null, (version?.document.cases.length ?? 0) > 1),
      receivedAt: d.receivedAt,
      appointmentAt: d.appointmentAt,
      hops: d.hops.map((hop, i) => ({
        no: i + 1,
        fromUnit: hop.from.name,
        toUnit: hop.to?.name ?? 'chưa chuyển',
        handedOverAt: hop.at,
        giver: hop.giver?.name ?? '',
        receiver: hop.receiver?.name ?? '',
        result:
          hop.kind === 'receipt'
            ? 'Tiếp nhận hồ sơ'
            : hop.step
              ? `${hop.kind === 'send_back' ? 'Trả lại' : 'Hoàn thành'}: ${hop.step.name ?? hop.step.activityId}`
              : null,
        note: [hop.dueAt ? `Hạn: ${time(hop.dueAt)} ngày ${date(hop.dueAt)}` : null, hop.note].filter(Boolean).join('; ') || null,
        class: hop.timeliness,
        classLabel: hop.timeliness ? CLASS_LABELS[hop.timeliness] : '',
      })),
    };
  }

  /** The desk, its receiving agency (nearest ancestor that is not a desk), the agency's parent and the province. */
  private async units(em: EntityManager, d: DossierView) {
    const desk = await em.findOneOrFail(Unit, { id: d.unitId });
    const ids = desk.path.split('/').filter(Boolean);
    const chain = (await em.find(Unit, { id: { $in: ids } })).sort((a, b) => b.path.length - a.path.length);
    const agency = chain.find((u) => u.level !== 'desk') ?? desk;
    const governing = chain.find((u) => u.id !== agency.id && u.level !== 'desk' && agency.path.startsWith(u.path)) ?? null;
    const province = chain.find((u) => u.level === 'province') ?? null;
    return { desk, agency, governing, province };
  }

  private header(units: Awaited<ReturnType<DossierForms['units']>>, issuedAt: string): FormHeader {
    return {
      governing: units.governing?.name ?? null,
      agency: units.agency.name,
      desk: units.desk.id === units.agency.id ? null : units.desk.name,
      place: placeName((units.province ?? units.agency).name),
      issuedAt,
      legalBasis: DEFAULT_LEGAL_BASIS,
    };
  }

  private procedure(d: DossierView, caseName: string | null, several: boolean): ProcedureView {
    return { code: d.procedure.code, name: d.procedure.name, caseName: several ? caseName : null };
  }

  /** A signature block prints the person's name, not their login. */
  private async displayName(em: EntityManager, by: { id: string | null; name: string } | null): Promise<string> {
    if (!by) return '';
    const user = by.id ? await em.findOne(User, { id: by.id }) : null;
    return user?.displayName ?? by.name;
  }
}

function person(p: DossierView['applicant']): PersonView {
  return { name: p.name, idNumber: p.idNumber ?? null, address: p.address ?? null, phone: p.phone ?? null, email: p.email ?? null };
}
