import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { col, reference } from '../db/columns.ts';

/** Entities of migration core_0023: a supplement asked during processing, and the appointment's history. */

export const DossierSupplement = defineEntity({
  name: 'DossierSupplement',
  tableName: 'dossier_supplements',
  properties: {
    id: col.id().primary(),
    /** Once per dossier during processing: the unique key refuses a second request. */
    dossierId: reference('Dossier', 'dossier_id').unique(),
    requestedAt: col.timestamp(),
    requestedById: col.id().nullable(),
    requestedByName: col.string(255),
    /** The unit working the dossier that asked (form 02's contact unit). */
    unitId: col.id().nullable(),
    /** JSON array of what is missing (form 02). */
    missing: p.text(),
    reason: col.string(2000).nullable(),
    applicantDueAt: col.timestamp().nullable(),
    receivedAt: col.timestamp().nullable(),
    receivedById: col.id().nullable(),
    receivedByName: col.string(255).nullable(),
    /** The case's clock policy applied on receipt: restart, pause_extend, continue. */
    policy: col.string(16).nullable(),
  },
});
export type DossierSupplement = InferEntity<typeof DossierSupplement>;

/** One change of a dossier's appointment: the one before and the one after (DOMAIN: record both on every change). */
export const DossierAppointment = defineEntity({
  name: 'DossierAppointment',
  tableName: 'dossier_appointments',
  properties: {
    id: col.id().primary(),
    dossierId: reference('Dossier', 'dossier_id'),
    at: col.timestamp(),
    /** `supplement` (received, under the case's policy) or `extension` (apology and new date, form 04). */
    cause: col.string(16),
    previousAt: col.timestamp(),
    appointmentAt: col.timestamp(),
    reason: col.string(2000).nullable(),
    byId: col.id().nullable(),
    byName: col.string(255),
    unitId: col.id().nullable(),
    signerTitle: col.string(255).nullable(),
  },
  indexes: [{ properties: ['dossierId', 'at'] }],
});
export type DossierAppointment = InferEntity<typeof DossierAppointment>;

export const supplementEntities = [DossierSupplement, DossierAppointment];
