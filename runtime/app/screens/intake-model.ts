// What the intake wizard keeps between its steps, and the checks it makes before asking the API:
// dates typed dd/MM/yyyy, ID numbers, phone numbers, amounts in đồng. No DOM here, so the rules
// are tested on their own (intake-model.test.ts).

/** The parts of a procedure document (core/catalogue/schema.ts) the desk needs. */
export interface ProcedureFee {
  description: string;
  amount: number | string;
  per?: string;
  paidAt?: 'submission' | 'result';
}
export interface ProcedureChannel {
  channel: 'in_person' | 'online' | 'postal';
  time: { value: number; unit: 'working_days' | 'calendar_days' | 'working_hours' };
  fees: ProcedureFee[];
  note?: string;
}
export interface RequiredDocument {
  name: string;
  originals: number;
  copies: number;
  optional?: boolean;
}
export interface ProcedureCase {
  key: string;
  name: string;
  channels: ProcedureChannel[];
  documents: RequiredDocument[];
}
export interface AgencyRef {
  code: string;
  name: string;
}
export interface ProcedureDocument {
  code: string;
  name: string;
  cases: ProcedureCase[];
  agencies: { implementing: AgencyRef[]; competent?: AgencyRef[] };
}

export type Step = 'procedure' | 'case' | 'checklist' | 'applicant' | 'fees' | 'check' | 'done';
export const STEPS: readonly Step[] = ['procedure', 'case', 'checklist', 'applicant', 'fees', 'check', 'done'];
export type Decision = 'receive' | 'request_supplement' | 'refuse';
export type Kind = 'citizen' | 'organisation' | 'enterprise';
export type Sex = '' | 'female' | 'male' | 'other';
export type PayMode = 'cash' | 'transfer' | 'online' | 'postal';

export interface ComponentTick {
  received: boolean;
  originals: string;
  copies: string;
}

export interface Applicant {
  kind: Kind;
  name: string;
  idNumber: string;
  sex: Sex;
  birthDate: string;
  phone: string;
  email: string;
  address: string;
}

/** Everything typed so far: kept on Back, across a new sign-in, and in this tab's sessionStorage. */
export interface Draft {
  step: Step;
  query: string;
  procedure: ProcedureDocument | null;
  caseKey: string;
  channel: 1 | 3;
  competentUnitId: string;
  components: ComponentTick[];
  applicant: Applicant;
  paid: string;
  mode: PayMode;
  decision: Decision | '';
  reasons: string;
  missing: string;
  note: string;
}

export function emptyDraft(): Draft {
  return {
    step: 'procedure',
    query: '',
    procedure: null,
    caseKey: '',
    channel: 1,
    competentUnitId: '',
    components: [],
    applicant: { kind: 'citizen', name: '', idNumber: '', sex: '', birthDate: '', phone: '', email: '', address: '' },
    paid: '',
    mode: 'cash',
    decision: '',
    reasons: '',
    missing: '',
    note: '',
  };
}

/** One draft per person: whoever signs in next in this tab (after a sign-out, or from the session dialog) never sees another's. */
const storageKey = (username: string) => `motcua.intake:${username}`;

/** This person's draft in this tab, if any (sessionStorage: gone when the tab closes). */
export function loadDraft(username: string): Draft | null {
  try {
    const raw = sessionStorage.getItem(storageKey(username));
    if (!raw) return null;
    const d = JSON.parse(raw) as Partial<Draft>;
    return { ...emptyDraft(), ...d, applicant: { ...emptyDraft().applicant, ...d.applicant } };
  } catch {
    return null;
  }
}

export function saveDraft(username: string, d: Draft | null): void {
  try {
    if (d) sessionStorage.setItem(storageKey(username), JSON.stringify(d));
    else sessionStorage.removeItem(storageKey(username));
  } catch {
    // storage refused: the draft lives as long as the page
  }
}

/** '07/03/2026' (or 7/3/2026) → '2026-03-07'; null for anything that is not a real past or present day. */
export function parseVnDate(text: string, today = new Date()): string | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  if (!m) return null;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  if (year < 1900 || d.getTime() > today.getTime()) return null;
  return `${m[3]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** A citizen's personal ID number has 12 digits; an organisation's or enterprise's code 6–32 letters, digits or hyphens (the API's rule). */
export function idNumberOk(kind: Kind, value: string): boolean {
  const v = value.trim();
  return kind === 'citizen' ? /^\d{12}$/.test(v) : /^[A-Za-z0-9-]{6,32}$/.test(v);
}

export function phoneOk(value: string): boolean {
  return /^\+?[0-9 .-]{6,20}$/.test(value.trim());
}

export function emailOk(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim());
}

/** '1.250.000', '1 250 000', '1250000 đ' → 1250000; null when it is not a whole amount. */
export function parseMoney(text: string): number | null {
  const t = text
    .replace(/đ/gi, '')
    .replace(/[.\s\u00a0]/g, '')
    .trim();
  if (!/^\d{1,13}$/.test(t)) return null;
  return Number(t);
}

/** A count of copies typed in a box: 0–100. */
export function parseCount(text: string): number | null {
  const t = text.trim();
  if (t === '') return 0;
  if (!/^\d{1,3}$/.test(t)) return null;
  const n = Number(t);
  return n <= 100 ? n : null;
}

/** Lines of a text area, trimmed, empty ones dropped. */
export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

export const CHANNEL_NAME = { 1: 'in_person', 3: 'postal' } as const;

/** The fees due with the request at this channel (not those paid when the result is returned); placeholders count as 0. */
export function feesDue(channel: ProcedureChannel | undefined): number {
  return (channel?.fees ?? [])
    .filter((f) => f.paidAt !== 'result')
    .reduce((sum, f) => sum + (typeof f.amount === 'number' ? f.amount : 0), 0);
}

/** The required documents not ticked as received. */
export function missingDocuments(kase: ProcedureCase | undefined, ticks: ComponentTick[]): string[] {
  return (kase?.documents ?? []).filter((d, i) => !d.optional && !ticks[i]?.received).map((d) => d.name);
}
