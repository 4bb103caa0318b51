/**
 * What a form template receives: plain typed data built for printing, never an entity. Dates
 * are ISO instants (the template's `date`, `time` and `longDate` helpers print them in Vietnam
 * time); every field is present (null when unknown), since templates compile in strict mode and
 * a missing field is an error, not a blank.
 */

/** The heading of every form: who issues it, where and when. */
export interface FormHeader {
  /** The governing body printed above the agency (cơ quan chủ quản), e.g. the province; null when none. */
  governing: string | null;
  /** The receiving or issuing agency (e.g. the public administration service centre). */
  agency: string;
  /** The one-stop desk within it; null for a form not issued at a desk. */
  desk: string | null;
  /** Place name of the dateline ("Bắc Ninh, ngày … tháng … năm …"). */
  place: string;
  /** The instant the form speaks of (receipt, request, refusal, …). */
  issuedAt: string;
  /** The legal basis the layout follows, e.g. "03/2025/TT-VPCP". */
  legalBasis: string;
}

export interface PersonView {
  name: string;
  idNumber: string | null;
  address: string | null;
  phone: string | null;
  email: string | null;
}

export interface ProcedureView {
  code: string;
  name: string;
  /** The case (trường hợp) asked for; null when the procedure has one only. */
  caseName: string | null;
}

/** A numbered line of a list (STT). */
export interface Numbered {
  no: number;
  text: string;
}

/** Form 01: receipt and appointment slip (Giấy tiếp nhận hồ sơ và hẹn trả kết quả). */
export interface Form01 {
  header: FormHeader;
  dossierCode: string;
  /** Absolute address of the public lookup of this dossier (the QR code points here). */
  lookupUrl: string;
  applicant: PersonView;
  /** The dossier's owner when not the applicant. */
  owner: PersonView | null;
  procedure: ProcedureView;
  channel: string;
  components: { no: number; name: string; originals: number; certifiedCopies: number; copies: number; note: string | null }[];
  /** Number of sets of the dossier (bộ). */
  sets: number;
  /** The statutory time of the case for the channel, in words ("3 ngày làm việc"). */
  statutoryTime: string;
  receivedAt: string;
  appointmentAt: string;
  returnPlace: string;
  fees: { due: number; paid: number; mode: string | null };
  receiver: string;
}

/** Form 02: supplement request (Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ). */
export interface Form02 {
  header: FormHeader;
  dossierCode: string;
  applicant: PersonView;
  procedure: ProcedureView;
  /** Everything missing, once (DOMAIN §2). */
  missing: Numbered[];
  /** Why, when the desk wrote it down; null otherwise. */
  reason: string | null;
  /** The officer who asked and whom the applicant contacts. */
  contact: { name: string; unit: string; phone: string | null };
  /** The applicant's deadline to supplement (a request during processing, when the case gives one); null otherwise. */
  deadline: string | null;
}

/** Form 03: refusal (Phiếu từ chối tiếp nhận giải quyết hồ sơ). */
export interface Form03 {
  header: FormHeader;
  dossierCode: string;
  applicant: PersonView;
  procedure: ProcedureView;
  reasons: Numbered[];
  receiver: string;
}

/** Form 04: apology and request for extension (Phiếu xin lỗi và hẹn lại ngày trả kết quả). */
export interface Form04 {
  header: FormHeader;
  dossierCode: string;
  addressee: PersonView;
  procedure: ProcedureView;
  receivedAt: string;
  appointmentAt: string;
  /** The unit that ran late and the cause it states. */
  lateUnit: string;
  cause: string;
  newAppointmentAt: string;
  returnPlace: string;
  /** The head of the late unit, who signs. */
  signer: { name: string; title: string };
}

/** Form 05: notice to stop processing (Thông báo dừng giải quyết hồ sơ). */
export interface Form05 {
  header: FormHeader;
  dossierCode: string;
  applicant: PersonView;
  procedure: ProcedureView;
  receivedAt: string;
  reasons: Numbered[];
  /** The legal ground for stopping (article, decree); null when none was stated. */
  legalGround: string | null;
  signer: { name: string; title: string };
}

/** Lateness of a hop against its step budget, in working time. */
export type HopClass = 'early' | 'on_time' | 'late';

/** Form 06: process control slip (Phiếu kiểm soát quá trình giải quyết hồ sơ), one row per hop. */
export interface Form06 {
  header: FormHeader;
  dossierCode: string;
  applicant: PersonView;
  procedure: ProcedureView;
  receivedAt: string;
  appointmentAt: string;
  hops: {
    no: number;
    fromUnit: string;
    toUnit: string;
    handedOverAt: string;
    giver: string;
    receiver: string;
    result: string | null;
    note: string | null;
    /** Null for a hop without a due time (the receipt, a step without a budget). */
    class: HopClass | null;
    /** "Trước hạn", "Đúng hạn", "Quá hạn" ("" when not classed): printed, never colour alone. */
    classLabel: string;
  }[];
}

/** Form 07: tracking log of a unit over a period (Sổ theo dõi hồ sơ). */
export interface Form07 {
  header: FormHeader;
  unit: string;
  period: { from: string; to: string };
  rows: {
    no: number;
    code: string;
    content: string;
    sets: number;
    owner: string;
    address: string | null;
    phone: string | null;
    area: string | null;
    receivedAt: string;
    receivedBy: string;
    appointmentAt: string;
    handovers: string | null;
    returnedAt: string | null;
    /** The dossier's national status now, in words (printed in the notes column). */
    status: string;
    note: string | null;
  }[];
}

/** The view-model of each form number. */
export interface FormViewModels {
  '01': Form01;
  '02': Form02;
  '03': Form03;
  '04': Form04;
  '05': Form05;
  '06': Form06;
  '07': Form07;
}

export type FormNo = keyof FormViewModels;
export const FORM_NUMBERS = ['01', '02', '03', '04', '05', '06', '07'] as const satisfies readonly FormNo[];

/** Titles as the circular prints them. */
export const FORM_TITLES: Record<FormNo, string> = {
  '01': 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả',
  '02': 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ',
  '03': 'Phiếu từ chối tiếp nhận giải quyết hồ sơ',
  '04': 'Phiếu xin lỗi và hẹn lại ngày trả kết quả',
  '05': 'Thông báo dừng giải quyết hồ sơ',
  '06': 'Phiếu kiểm soát quá trình giải quyết hồ sơ',
  '07': 'Sổ theo dõi hồ sơ',
};
