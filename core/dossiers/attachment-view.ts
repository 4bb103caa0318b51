import type { EntityManager } from '@mikro-orm/knex';
import { DossierAttachment } from './attachment-entities.ts';

/** An attachment as the API shows it: metadata only, never the bytes. */
export interface AttachmentView {
  id: string;
  /** The checklist row (`components[].id`) the scan belongs to, or null. */
  componentId: string | null;
  fileName: string;
  /** Read from the bytes at upload. */
  mediaType: string;
  size: number;
  sha256: string;
  uploadedBy: { id: string | null; name: string };
  uploadedAt: string;
  /** `scan` or `result` (a signed result document). */
  kind: AttachmentKind;
  /** The step it was attached at, by whoever worked it; null when the desk attached it outside a step. */
  step: { taskId: string; activityId: string | null; name: string | null } | null;
}

export const ATTACHMENT_KINDS = ['scan', 'result'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

export function attachmentView(a: DossierAttachment): AttachmentView {
  return {
    id: a.id,
    componentId: a.componentId ?? null,
    fileName: a.fileName,
    mediaType: a.mediaType,
    size: a.size,
    sha256: a.sha256,
    uploadedBy: { id: a.uploadedById ?? null, name: a.uploadedByName },
    uploadedAt: new Date(a.uploadedAt).toISOString(),
    kind: a.kind === 'result' ? 'result' : 'scan',
    step: a.taskId ? { taskId: a.taskId, activityId: a.activityId ?? null, name: a.stepName ?? null } : null,
  };
}

/** The attachments of a dossier in upload order (the metadata table only: no bytes are read). */
export async function listAttachments(em: EntityManager, dossierId: string): Promise<AttachmentView[]> {
  const rows = await em.find(DossierAttachment, { dossierId }, { orderBy: { uploadedAt: 'asc', id: 'asc' } });
  return rows.map(attachmentView);
}
