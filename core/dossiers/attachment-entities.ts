import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { col, reference } from '../db/columns.ts';

/**
 * Entities of migration core_0014_dossier_attachments. The blob's bytes are read and written
 * with raw statements by the database store (attachment-store.ts), never loaded through the ORM
 * with a list; the entity exists so the schema and the metadata agree.
 */

export const DossierAttachmentBlob = defineEntity({
  name: 'DossierAttachmentBlob',
  tableName: 'dossier_attachment_blobs',
  properties: {
    sha256: col.string(64).primary(),
    size: p.integer(),
    content: p.blob().lazy(),
    createdAt: col.timestamp(),
  },
});
export type DossierAttachmentBlob = InferEntity<typeof DossierAttachmentBlob>;

export const DossierAttachment = defineEntity({
  name: 'DossierAttachment',
  tableName: 'dossier_attachments',
  properties: {
    id: col.id().primary(),
    dossierId: reference('Dossier', 'dossier_id'),
    componentId: reference('DossierComponent', 'component_id').nullable(),
    fileName: col.string(255),
    mediaType: col.string(100),
    size: p.integer(),
    sha256: reference('DossierAttachmentBlob', 'sha256'),
    uploadedById: col.id().nullable(),
    uploadedByName: col.string(255),
    uploadedAt: col.timestamp(),
    /** `scan` (a paper of the dossier, an appraisal note) or `result` (a signed result document). */
    kind: col.string(16).default('scan'),
    /** The step it was attached at (migration core_0027): null for the desk's scans. */
    taskId: col.id().nullable(),
    activityId: col.string(255).nullable(),
    stepName: col.string(255).nullable(),
  },
  indexes: [{ properties: ['sha256'] }, { properties: ['dossierId', 'uploadedAt'] }],
});
export type DossierAttachment = InferEntity<typeof DossierAttachment>;

export const attachmentEntities = [DossierAttachmentBlob, DossierAttachment];
