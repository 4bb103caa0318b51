import { z } from 'zod';

/** The dossier's vocabulary (DOMAIN §2) and the input of a receipt, validated once here for the routes and the service. */

/** National status codes (DVCQG), the dossier's status catalogue. */
export const STATUS = {
  submitted: 1,
  received: 2,
  refused: 3,
  processing: 4,
  supplementRequested: 5,
  paymentRequested: 6,
  withdrawn: 7,
  stopped: 8,
  resolved: 9,
  delivered: 10,
} as const;

export const statusNames: Record<number, string> = {
  1: 'Nộp trực tuyến, chưa tiếp nhận',
  2: 'Đã tiếp nhận',
  3: 'Từ chối tiếp nhận',
  4: 'Đang xử lý',
  5: 'Yêu cầu bổ sung',
  6: 'Yêu cầu thực hiện nghĩa vụ tài chính',
  7: 'Công dân rút hồ sơ',
  8: 'Dừng xử lý',
  9: 'Đã giải quyết, chưa trả kết quả',
  10: 'Đã trả kết quả',
};

/** Statuses in which no agency works on the dossier any more: its appointment can no longer be missed. */
export const FINISHED: ReadonlySet<number> = new Set([STATUS.refused, STATUS.withdrawn, STATUS.stopped, STATUS.resolved, STATUS.delivered]);

/** Channels: 1 in person, 2 online, 3 public postal service; the catalogue names them. */
export const channelNames = { 1: 'in_person', 2: 'online', 3: 'postal' } as const;
export type ChannelCode = keyof typeof channelNames;

const text = (max: number) => z.string().trim().min(1).max(max);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

export const person = z
  .object({
    kind: z.enum(['citizen', 'organisation', 'enterprise']).default('citizen'),
    name: text(300),
    /** Personal ID number (12 digits), or an organisation's / enterprise's code. */
    idNumber: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{6,32}$/, 'an ID number: 6–32 letters, digits or hyphens')
      .optional(),
    sex: z.enum(['female', 'male', 'other']).optional(),
    birthDate: isoDate.optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 .-]{6,20}$/, 'a phone number')
      .optional(),
    email: z.string().trim().email().max(254).optional(),
    address: text(1000).optional(),
  })
  .strict();
export type Person = z.infer<typeof person>;

export const component = z
  .object({
    /** Position of the required document in the case's list (0-based). */
    document: z.number().int().min(0).max(99),
    /** Ticked: handed in (or reused). */
    received: z.boolean().default(true),
    originals: z.number().int().min(0).max(100).default(0),
    certifiedCopies: z.number().int().min(0).max(100).default(0),
    copies: z.number().int().min(0).max(100).default(0),
    digitised: z.boolean().default(false),
    /** Code of an earlier result reused in its place. */
    reusedResult: text(100).optional(),
  })
  .strict();
export type ComponentInput = z.infer<typeof component>;

/** What the desk decides about the papers in front of it. */
export const decision = z
  .object({
    /**
     * `receive`: complete and competent → status 2, appointment, the case's process starts;
     * `request_supplement`: incomplete → form 02 lists everything missing, no appointment;
     * `refuse`: ineligible → status 3, form 03 with the reasons.
     */
    outcome: z.enum(['receive', 'request_supplement', 'refuse']),
    components: z.array(component).max(100).default([]),
    /** Refusal reasons (form 03); required to refuse. */
    reasons: z.array(text(1000)).max(20).optional(),
    /** Items missing besides unticked documents (form 02): e.g. "bản sao chưa chứng thực". */
    missing: z.array(text(1000)).max(50).optional(),
    note: text(2000).optional(),
    /** The agency deciding the dossier, as at `POST /api/dossiers` (default: the one chosen at submission, or found then). */
    competentUnitId: z.string().min(1).max(64).optional(),
  })
  .strict();
export type Decision = z.infer<typeof decision>;

export const newDossier = z
  .object({
    procedureCode: z.string().trim().min(1).max(32),
    caseKey: z.string().trim().min(1).max(64),
    channel: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    /** The desk receiving it; default: the one desk where you hold `dossier.receive`. */
    unitId: z.string().min(1).max(64).optional(),
    /**
     * The agency deciding the dossier (id or code), when the procedure has several competent
     * agencies in the province; default: the one the desk sits in, or the province's only one.
     */
    competentUnitId: z.string().min(1).max(64).optional(),
    applicant: person,
    /** The dossier's owner when not the applicant. */
    owner: person.optional(),
    fees: z
      .object({
        paid: z.number().int().min(0).max(1_000_000_000_000).default(0),
        mode: z.enum(['cash', 'transfer', 'online', 'postal']).optional(),
      })
      .strict()
      .optional(),
    /** `submit`: an online submission (channel 2) waiting for a clerk (status 1); else the desk's decision. */
    outcome: z.enum(['submit', 'receive', 'request_supplement', 'refuse']),
    components: z.array(component).max(100).default([]),
    reasons: z.array(text(1000)).max(20).optional(),
    missing: z.array(text(1000)).max(50).optional(),
    note: text(2000).optional(),
  })
  .strict();
export type NewDossier = z.infer<typeof newDossier>;

// ── branches after receipt (transitions.ts) ──────────────────────────────

/** The dossier's `lockVersion` as the caller last read it: a dossier changed since answers 409 `conflict.stale`. */
const lockVersion = z.number().int().min(1).optional();
const amount = z.number().int().min(1).max(1_000_000_000_000);
const instant = z.string().datetime({ offset: true });

export const paymentRequest = z
  .object({
    /** The amount due, in đồng. */
    amount,
    /** What for (e.g. "Lệ phí trước bạ"). */
    reason: text(1000).optional(),
    lockVersion,
  })
  .strict();
export type PaymentRequest = z.infer<typeof paymentRequest>;

export const paymentRecord = z
  .object({
    amount,
    mode: z.enum(['cash', 'transfer', 'online', 'postal']),
    /** When it was paid (ISO instant); default now. */
    paidAt: instant.optional(),
    lockVersion,
  })
  .strict();
export type PaymentRecord = z.infer<typeof paymentRecord>;

export const withdrawal = z
  .object({
    reason: text(2000),
    /** Who asked: the applicant, or the person they authorised (name as written on the request). */
    requestedBy: text(300),
    lockVersion,
  })
  .strict();
export type Withdrawal = z.infer<typeof withdrawal>;

export const stop = z
  .object({
    /** The specific reasons (form 05). */
    reasons: z.array(text(1000)).min(1).max(20),
    /** The legal ground for stopping (article, decree). */
    legalGround: text(1000),
    /** The signer's title printed on form 05; default "THỦ TRƯỞNG CƠ QUAN". */
    signerTitle: text(255).optional(),
    lockVersion,
  })
  .strict();
export type Stop = z.infer<typeof stop>;

export const resultReturn = z
  .object({
    recipient: z
      .object({
        name: text(300),
        idNumber: z
          .string()
          .trim()
          .regex(/^[A-Za-z0-9-]{6,32}$/, 'an ID number: 6–32 letters, digits or hyphens')
          .optional(),
        /** The recipient's relation to the applicant: "bản thân", "người được ủy quyền", … */
        relation: text(100),
      })
      .strict(),
    /** `desk`: handed over at the desk; `post`: sent by the public postal service; `online`: an electronic result. */
    method: z.enum(['desk', 'post', 'online']),
    /** When it was handed over (ISO instant); default now. */
    returnedAt: instant.optional(),
    lockVersion,
  })
  .strict();
export type ResultReturn = z.infer<typeof resultReturn>;

// ── supplement during processing and extension (supplement.ts) ───────────

export const supplementRequest = z
  .object({
    /** Everything missing, once (form 02). */
    missing: z.array(text(1000)).min(1).max(50),
    /** Why, printed on form 02. */
    reason: text(2000).optional(),
    lockVersion,
  })
  .strict();
export type SupplementRequest = z.infer<typeof supplementRequest>;

export const supplementReceipt = z
  .object({
    /** What the desk notes about the papers received. */
    note: text(2000).optional(),
    lockVersion,
  })
  .strict();
export type SupplementReceipt = z.infer<typeof supplementReceipt>;

export const extension = z
  .object({
    /** The cause of the delay, stated by the late unit (form 04). */
    reason: text(2000),
    /** The new appointment (ISO instant): later than the current one. */
    newAppointmentAt: instant,
    /** The signer's title printed on form 04; default "THỦ TRƯỞNG CƠ QUAN". */
    signerTitle: text(255).optional(),
    lockVersion,
  })
  .strict();
export type Extension = z.infer<typeof extension>;
