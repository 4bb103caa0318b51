import { z } from '@hono/zod-openapi';
import { defineRoute } from '../http/route.ts';
import { json, jsonBody } from '../http/schemas.ts';
import { Attachment } from './attachment-routes.ts';
import { decision, newDossier } from './model.ts';

/** OpenAPI description and validation of the dossier routes (handlers in routes.ts). */

const tags = ['dossiers'];
const CodeParam = z.object({
  code: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'code', in: 'path' }, example: 'DEMO.TTPVHCC-260302-0001' }),
});

const UnitRef = z.object({ id: z.string(), name: z.string() });
const Actor = z.object({ id: z.string().nullable(), name: z.string() });
const Person = z.record(z.string(), z.unknown()).describe('kind, name, idNumber, sex, birthDate, phone, email, address');
export const Dossier = z
  .object({
    id: z.string(),
    code: z.string(),
    status: z.number().int().describe('National status code 1–10 (docs/dossiers.md)'),
    statusName: z.string(),
    paymentStatus: z.string(),
    resultStatus: z.string(),
    syncStatus: z.string(),
    channel: z.number().int().describe('1 in person, 2 online, 3 postal'),
    applicant: Person,
    owner: Person.nullable(),
    procedure: z.object({
      code: z.string(),
      name: z.string(),
      version: z.number().int(),
      caseKey: z.string(),
      definitionKey: z.string().nullable(),
      definitionVersion: z.number().int().nullable(),
    }),
    instanceIds: z.array(z.string()),
    fees: z.object({ due: z.number(), paid: z.number(), mode: z.string().nullable() }),
    submittedAt: z.string().nullable(),
    receivedAt: z.string().nullable(),
    appointmentAt: z.string().nullable(),
    refusedAt: z.string().nullable(),
    refusalReasons: z.array(z.string()),
    supplementMissing: z.array(z.string()),
    note: z.string().nullable(),
    unitId: z.string(),
    agencyCode: z.string(),
    competentUnitId: z.string().nullable().describe('The agency deciding the dossier, chosen at receipt; its steps go there'),
    receivedBy: z.object({ id: z.string().nullable(), name: z.string() }).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    lockVersion: z.number().int(),
    payment: z
      .object({
        due: z.number(),
        reason: z.string().nullable(),
        requestedAt: z.string(),
        paid: z.number().nullable(),
        mode: z.string().nullable(),
        paidAt: z.string().nullable(),
      })
      .nullable()
      .describe('The payment requested during processing (status 6) and its record'),
    withdrawal: z
      .object({ at: z.string(), reason: z.string(), requestedBy: z.string() })
      .nullable()
      .describe('The applicant withdrew it (status 7)'),
    stop: z
      .object({ at: z.string(), reasons: z.array(z.string()), legalGround: z.string(), signerTitle: z.string().nullable() })
      .nullable()
      .describe('Processing stopped (status 8, form 05)'),
    resolvedAt: z.string().nullable().describe('When its process (every part of a bundle) ended (status 9)'),
    result: z
      .object({
        returnedAt: z.string(),
        method: z.string().nullable().describe('desk, post, online; null when the process returned it'),
        recipient: z.object({ name: z.string(), idNumber: z.string().nullable(), relation: z.string().nullable() }).nullable(),
        returnedBy: z.object({ id: z.string().nullable(), name: z.string() }).nullable(),
      })
      .nullable()
      .describe('The result handed over (status 10)'),
    supplement: z
      .object({
        requestedAt: z.string(),
        requestedBy: z.object({ id: z.string().nullable(), name: z.string() }),
        unit: z.object({ id: z.string(), code: z.string(), name: z.string() }).nullable(),
        missing: z.array(z.string()),
        reason: z.string().nullable(),
        applicantDueAt: z.string().nullable().describe("The applicant's deadline, when the case gives one"),
        receivedAt: z.string().nullable(),
        receivedBy: z.object({ id: z.string().nullable(), name: z.string() }).nullable(),
        policy: z.string().nullable().describe('The clock policy applied on receipt: restart, pause_extend, continue'),
      })
      .nullable()
      .describe('The supplement asked during processing (status 5, form 02), once per dossier'),
    appointments: z
      .array(
        z.object({
          at: z.string(),
          cause: z.enum(['supplement', 'extension']),
          previousAt: z.string(),
          appointmentAt: z.string(),
          reason: z.string().nullable(),
          by: z.object({ id: z.string().nullable(), name: z.string() }),
          unit: z.object({ id: z.string(), code: z.string(), name: z.string() }).nullable().describe('The late unit of an extension'),
          signerTitle: z.string().nullable(),
        }),
      )
      .describe('Every change of the appointment, oldest first, with the one before and the one after (supplement, extension: form 04)'),
    components: z.array(z.record(z.string(), z.unknown())),
    history: z.array(
      z.object({
        from: z.number().int().nullable(),
        to: z.number().int(),
        at: z.string(),
        by: z.object({ id: z.string().nullable(), name: z.string() }),
        reason: z.string().nullable(),
      }),
    ),
    attachments: z.array(Attachment).describe('Scans of the components, metadata only'),
    parts: z
      .array(
        z.object({
          instanceId: z.string(),
          definitionKey: z.string(),
          name: z.string().nullable(),
          unit: z.object({ id: z.string(), code: z.string(), name: z.string() }).nullable(),
          status: z.string(),
          startedAt: z.string(),
          endedAt: z.string().nullable(),
          main: z.boolean(),
        }),
      )
      .describe("The processes working on it, oldest first: the case's own (main) and, for an interlinked dossier, each agency's part"),
    hops: z
      .array(
        z.object({
          kind: z.enum(['receipt', 'step', 'return', 'send_back']),
          from: UnitRef,
          to: UnitRef.nullable().describe('Null while the next step is not known yet'),
          at: z.string().describe('The hand-over: the receipt, or the completion of the step'),
          step: z.object({ activityId: z.string(), name: z.string().nullable() }).nullable(),
          giver: Actor.nullable(),
          receiver: Actor.nullable().describe('Whoever completed the receiving step'),
          dueAt: z.string().nullable().describe("The step's due time (its budget in working time)"),
          timeliness: z.enum(['early', 'on_time', 'late']).nullable().describe('Null for a hop without a due time'),
          lateUnitId: z.string().nullable().describe('The unit that held a late step'),
          note: z.string().nullable(),
        }),
      )
      .describe('Hand-overs between units, oldest first (form 06; docs/dossiers.md § Hops)'),
  })
  .openapi('Dossier');

const receiptErrors = [
  'dossier.not_a_desk',
  'dossier.procedure_unavailable',
  'dossier.channel_unavailable',
  'dossier.not_competent',
  'dossier.not_competent_unit',
  'dossier.competent_unit_required',
  'dossier.incomplete',
  'dossier.invalid_components',
  'dossier.code_format',
  'unit.not_found',
  'auth.forbidden_scope',
  'conflict.stale',
] as const;

export const create = defineRoute({
  method: 'post',
  path: '/api/dossiers',
  operationId: 'createDossier',
  tags,
  summary:
    'Receipt at the desk: receive (status 2, appointment, process started), request a supplement (form 02) or refuse (status 3, form 03); or record an online submission (status 1)',
  permission: 'dossier.receive',
  request: jsonBody(newDossier),
  errors: receiptErrors,
  responses: { 201: json(Dossier, 'The dossier') },
});

export const receive = defineRoute({
  method: 'post',
  path: '/api/dossiers/{code}/receive',
  operationId: 'receiveDossier',
  tags,
  summary: 'A clerk decides on an online submission (status 1) or a dossier waiting for a supplement before receipt',
  permission: 'dossier.receive',
  request: { params: CodeParam, ...jsonBody(decision) },
  errors: [...receiptErrors, 'dossier.not_found', 'dossier.invalid_transition'],
  responses: { 200: json(Dossier, 'The dossier') },
});

export const detail = defineRoute({
  method: 'get',
  path: '/api/dossiers/{code}',
  operationId: 'getDossier',
  tags,
  summary: 'One dossier with its components and status history (404 outside your units)',
  permission: 'dossier.read',
  request: { params: CodeParam },
  errors: ['dossier.not_found'],
  responses: { 200: json(Dossier, 'The dossier') },
});
