import { z } from 'zod';

/**
 * One procedure of the catalogue as a JSON document: the national record (DOMAIN §6) plus
 * the province's internal process per case. The same shape is stored by the catalogue, served
 * by the API, written in `procedures/*.json` and carried in packs (docs/pack-format.md).
 *
 * In a pack, agency codes, role names and fee amounts may be **placeholder tokens**
 * (`{{agency:civil-status}}`, `{{role:receptionist}}`, `{{fee:marriage}}`) that the importer
 * maps to its own; the catalogue only stores resolved documents (see `hasPlaceholders`).
 */

/** `{{kind:key}}`: kind is agency, role or fee; key is lower-case kebab. */
export const PLACEHOLDER = /\{\{(agency|role|fee):([a-z0-9]+(?:-[a-z0-9]+)*)\}\}/g;
const placeholderToken = z.string().regex(/^\{\{(agency|role|fee):[a-z0-9]+(?:-[a-z0-9]+)*\}\}$/, 'a placeholder such as {{fee:marriage}}');

/** National code `1.001612`, optionally with a provincial suffix (`1.001612.H38`), or a local code (`BN.000123`). */
export const procedureCode = z
  .string()
  .regex(
    /^(\d\.\d{6}(\.[A-Z0-9]{1,10})?|[A-Z]{2,6}\.\d{3,8})$/,
    'a national code such as 1.001612 (optional suffix .H38) or a local code such as BN.000123',
  );

const text = (max: number) => z.string().trim().min(1).max(max);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lower-case letters, digits and hyphens');

/**
 * Codes of the national portal (DVCQG) kept beside ours, for the sync payload (DOMAIN §4, §6).
 * Optional everywhere: a procedure without them stays valid.
 */
/** A case code: the procedure code plus a two-digit case number (`1.001193.01`), optional provincial suffix. */
const portalCaseCode = z.string().regex(/^\d\.\d{6}\.\d{2}(\.[A-Z0-9]{1,10})?$/, 'a portal case code such as 1.001193.01');
/** A sector code (`G15-TP07`). */
const portalSectorCode = z.string().regex(/^[A-Z][A-Z0-9]{1,9}(-[A-Z0-9]{1,12}){1,3}$/, 'a portal sector code such as G15-TP07');
/** A component (`000.00.00.G15-…`) or result (`KQ.G15.…`) code: letters, digits and . - _ only. */
const portalItemCode = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a portal component or result code such as KQ.G15.000123');

export const timeUnit = z.enum(['working_days', 'calendar_days', 'working_hours']);
export const timeLimit = z.object({ value: z.number().positive().max(3650), unit: timeUnit }).strict();

export const agencyRef = z
  .object({
    /** The unit code in this province (or a `{{agency:…}}` placeholder in a pack). */
    code: z.union([text(64), placeholderToken]),
    name: text(300),
  })
  .strict();

export const fee = z
  .object({
    code: text(64).optional(),
    description: text(500),
    /** Whole đồng; a `{{fee:…}}` placeholder in a pack when provincial councils set it. */
    amount: z.union([z.number().int().nonnegative().max(1_000_000_000_000), placeholderToken]),
    /** What the amount is per: "hồ sơ", "bản", "trang"… */
    per: text(100).optional(),
    /**
     * When it is paid: `submission` (with the request: the internal process has no payment step,
     * status 6, after approval) or `result` (notified after approval, before the result is returned).
     */
    paidAt: z.enum(['submission', 'result']).optional(),
  })
  .strict();

export const channel = z
  .object({
    channel: z.enum(['in_person', 'online', 'postal']),
    time: timeLimit,
    fees: z.array(fee).max(50).default([]),
    note: text(1000).optional(),
  })
  .strict();

export const requiredDocument = z
  .object({
    code: text(64).optional(),
    name: text(1000),
    originals: z.number().int().min(0).max(100),
    copies: z.number().int().min(0).max(100),
    /** A form template file of the pack (`forms/…`) the applicant fills in. */
    form: z
      .string()
      .regex(/^forms\/[A-Za-z0-9._-]+$/)
      .optional(),
    /** Code of an earlier result (of this or another procedure) that may stand in for it. */
    substitutableBy: text(64).optional(),
    optional: z.boolean().default(false),
    /** The national portal's component code. */
    portalCode: portalItemCode.optional(),
  })
  .strict();

export const procedureCase = z
  .object({
    /** Stable within the procedure across versions. */
    key: slug.max(64),
    name: text(1000),
    /** The national portal's case code (`1.001193.01`). */
    portalCode: portalCaseCode.optional(),
    /** The internal process: a process id deployed from `diagram`. */
    process: z
      .object({
        definitionKey: z.string().regex(/^[A-Za-z_][\w.-]{0,254}$/),
        diagram: z.string().regex(/^diagrams\/[A-Za-z0-9._-]+\.bpmn$/),
      })
      .strict(),
    channels: z.array(channel).min(1).max(3),
    documents: z.array(requiredDocument).max(100),
    /** What happens to the deadline while the applicant supplements the dossier (DOMAIN §5). */
    supplement: z.object({ policy: z.enum(['restart', 'pause_extend', 'continue']), applicantDeadline: timeLimit.optional() }).strict(),
    /** Same-day procedures: received after this local time (HH:MM), returned the next working day. */
    sameDayCutoff: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
      .optional(),
    /**
     * Where the process's steps go when its diagram names no unit (`motcua:unit`): `lanes` maps a
     * lane id of the diagram to an agency code (a pack writes a placeholder). A step in no mapped
     * lane goes by its role: receptionists to the receiving desk, every other step to the
     * competent agency chosen at receipt (docs/dossiers.md, "Routing").
     */
    routing: z
      .object({
        lanes: z
          .record(z.string().regex(/^[A-Za-z_][\w.-]{0,254}$/), text(100))
          .refine((m) => Object.keys(m).length <= 50, 'at most 50 lanes'),
      })
      .strict()
      .optional(),
  })
  .strict();

export const legalBasis = z
  .object({
    number: text(100),
    title: text(1000),
    issuedOn: isoDate.optional(),
    effectiveOn: isoDate.optional(),
    issuer: text(300).optional(),
    /** `superseded`: replaced (name the successor in `supersededBy`); `unverified`: not checked against the text itself. */
    status: z.enum(['in_force', 'superseded', 'not_yet_in_force', 'unverified']).optional(),
    supersededBy: text(100).optional(),
  })
  .strict();

/** One record a procedure document was checked against (issue 17's fidelity check). */
export const procedureSource = z
  .object({
    /** What it is: "Quyết định 1234/QĐ-UBND tỉnh X công bố danh mục TTHC", "Cổng DVCQG, thủ tục 1.001193". */
    title: text(500),
    /** Where a reader finds it (https URL), or the document number when it has no address. */
    reference: text(1000),
    /** The record's own date (issued, published or last updated), when it shows one. */
    date: isoDate.optional(),
    /** When it was read. */
    accessed: isoDate,
    kind: z.enum(['primary', 'secondary']),
    /** Which values it confirms ("timeLimit in_person 3 working days", "fee free") or contradicts. */
    checks: text(2000),
  })
  .strict();

export const procedureDocument = z
  .object({
    code: procedureCode,
    name: text(1000),
    /**
     * First day (Vietnam date) this version of the procedure applies. A pack may carry several
     * documents of one code with different dates: the importer publishes each from its date (or
     * from the import day when that is later), and the catalogue serves, for a given moment, the
     * version in force then. Absent: from the day it is published.
     */
    effectiveFrom: isoDate.optional(),
    kind: z.enum(['administrative', 'internal']).default('administrative'),
    /** Decision that announced it (quyết định công bố). */
    announcedBy: z
      .object({ number: text(100), date: isoDate.optional(), issuer: text(300).optional() })
      .strict()
      .optional(),
    description: text(10_000).optional(),
    keywords: z.array(text(100)).max(50).default([]),
    conditions: text(10_000).optional(),
    receptionAddress: text(1000).optional(),
    levels: z.array(z.enum(['central', 'province', 'district', 'commune'])).min(1),
    sectors: z
      .array(
        z
          .object({
            code: text(64),
            name: text(300),
            /** The national portal's sector code (`G15-TP07`). */ portalCode: portalSectorCode.optional(),
          })
          .strict(),
      )
      .min(1)
      .max(20),
    /** The national portal's level flags: where the procedure is carried out (ward/commune, province, vertical sector). */
    levelFlags: z
      .object({ commune: z.boolean().optional(), province: z.boolean().optional(), verticalSector: z.boolean().optional() })
      .strict()
      .optional(),
    agencies: z
      .object({
        implementing: z.array(agencyRef).min(1),
        competent: z.array(agencyRef).default([]),
        authorised: z.array(agencyRef).default([]),
        coordinating: z.array(agencyRef).default([]),
      })
      .strict(),
    onlineLevel: z.enum(['full', 'partial', 'none']),
    targetSubjects: z.array(text(300)).max(20).default([]),
    results: z
      .array(
        z
          .object({
            code: text(64).optional(),
            /** The national portal's result code (`KQ.G15.…`). */ portalCode: portalItemCode.optional(),
            name: text(1000),
            template: z
              .string()
              .regex(/^templates\/[A-Za-z0-9._-]+\.hbs$/)
              .optional(),
          })
          .strict(),
      )
      .min(1),
    legalBasis: z.array(legalBasis).max(100).default([]),
    relatedCodes: z.array(procedureCode).max(100).default([]),
    /** Interlinked procedures (liên thông, DOMAIN §7). */
    interlinkedCodes: z.array(procedureCode).max(100).default([]),
    cases: z.array(procedureCase).min(1).max(50),
    /**
     * What was checked and against which source (record, decision, text, with its date), and what
     * could not be verified and is therefore left configurable (a placeholder) or marked.
     */
    notes: text(10_000).optional(),
    /**
     * The records this document was checked against, each with its date: the national portal's
     * record, an announcing decision, a legal text, or a secondary report of one. `primary` only
     * for the authority's own publication; what a source could not confirm stays in `notes`.
     */
    sources: z.array(procedureSource).max(30).default([]),
    /** Print templates the clerk UI offers for this procedure (`templates/…hbs`). */
    templates: z
      .array(z.object({ key: slug.max(64), name: text(300), file: z.string().regex(/^templates\/[A-Za-z0-9._-]+\.hbs$/) }).strict())
      .max(50)
      .default([]),
  })
  .strict()
  .superRefine((p, ctx) => {
    const keys = new Set<string>();
    p.cases.forEach((c, i) => {
      if (keys.has(c.key)) ctx.addIssue({ code: 'custom', path: ['cases', i, 'key'], message: `case key "${c.key}" is used twice` });
      keys.add(c.key);
      const channels = new Set<string>();
      c.channels.forEach((ch, j) => {
        if (channels.has(ch.channel))
          ctx.addIssue({ code: 'custom', path: ['cases', i, 'channels', j], message: `channel ${ch.channel} is given twice` });
        channels.add(ch.channel);
      });
    });
  });

export type ProcedureDocument = z.infer<typeof procedureDocument>;
export type ProcedureDocumentInput = z.input<typeof procedureDocument>;
export type ProcedureCase = z.infer<typeof procedureCase>;
export type TimeLimit = z.infer<typeof timeLimit>;

/** Placeholder tokens still present in a document (a resolved catalogue entry has none). */
export function placeholdersIn(value: unknown): string[] {
  const found = new Set<string>();
  for (const m of JSON.stringify(value).matchAll(PLACEHOLDER)) found.add(m[0]);
  return [...found].sort();
}
