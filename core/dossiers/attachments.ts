import { createHash } from 'node:crypto';
import { mayRead } from './access.ts';
import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../errors.ts';
import type { Ports } from '../modules/ports.ts';
import type { Acting } from '../org/actor.ts';
import type { Authz } from '../org/authz.ts';
import { DossierAttachment } from './attachment-entities.ts';
import { sanitiseFileName, sniffType } from './attachment-files.ts';
import type { AttachmentStore } from './attachment-store.ts';
import { attachmentView, listAttachments, type AttachmentView } from './attachment-view.ts';
import { Dossier, DossierComponent } from './entities.ts';
import { STATUS, statusNames } from './model.ts';
import { dossierNotFound } from './service.ts';

/**
 * Attachments of a dossier: the scans of its components (docs/dossiers.md § Attachments).
 * Whoever reads the dossier lists and downloads them; whoever receives dossiers at its desk
 * (`dossier.receive` in its unit) uploads them, and the uploader removes one while the dossier
 * is open. Each change is one transaction with its audit record.
 */

export type AttachmentPorts = Pick<Ports, 'db' | 'clock' | 'audit'>;

export interface NewAttachment {
  /** The file name as the client gave it (sanitised here). */
  name: string;
  /** A row of the dossier's checklist (`components[].id`). */
  componentId?: string;
  bytes: Buffer;
}

/**
 * Statuses in which the dossier's papers may still change: submitted online, received,
 * processing, supplement requested, payment requested. Refused, withdrawn, stopped, resolved and
 * delivered dossiers are a closed record.
 */
const OPEN: readonly number[] = [STATUS.submitted, STATUS.received, STATUS.processing, STATUS.supplementRequested, STATUS.paymentRequested];

export const attachmentNotFound = (id: string) => new AppError('dossier.attachment_not_found', `No attachment ${id} on this dossier`);

export class DossierAttachments {
  constructor(
    private readonly svc: AttachmentPorts,
    private readonly store: AttachmentStore,
  ) {}

  /** Stores a scan: type from the bytes, sha256, sanitised name; audited. */
  async upload(acting: Acting, authz: Authz, code: string, input: NewAttachment): Promise<AttachmentView> {
    const fileName = sanitiseFileName(input.name);
    // Read outside the transaction: refusing a file takes no lock and writes nothing.
    const mediaType = await sniffType(input.bytes);
    const sha256 = createHash('sha256').update(input.bytes).digest('hex');
    return this.svc.db.em().transactional(async (em) => {
      const now = this.svc.clock.now();
      const dossier = await this.visible(em, authz, code);
      await authz.assert('dossier.receive', dossier.unitId);
      this.assertOpen(dossier, 'added');
      if (input.componentId) {
        const component = await em.findOne(DossierComponent, { id: input.componentId, dossierId: dossier.id });
        if (!component) {
          throw new AppError('dossier.invalid_components', `Component ${input.componentId} is not in the checklist of dossier ${code}`);
        }
      }
      await this.store.put(em, sha256, input.bytes, now);
      const row = em.create(DossierAttachment, {
        id: crypto.randomUUID(),
        dossierId: dossier.id,
        componentId: input.componentId ?? null,
        fileName,
        mediaType,
        size: input.bytes.length,
        sha256,
        uploadedById: acting.actor.id,
        uploadedByName: acting.actor.name,
        uploadedAt: now,
      });
      await em.flush();
      const view = attachmentView(row);
      await this.svc.audit.append(em, {
        ...acting,
        action: 'dossier.attachment_added',
        targetType: 'dossier',
        targetId: dossier.id,
        unitId: dossier.unitId,
        summary: { code, attachmentId: row.id, fileName, mediaType, size: row.size, sha256, componentId: view.componentId },
      });
      return view;
    });
  }

  /** The dossier's attachments, metadata only (404 for whoever may not read the dossier). */
  async list(authz: Authz, code: string): Promise<AttachmentView[]> {
    const em = this.svc.db.em();
    const dossier = await this.visible(em, authz, code);
    return listAttachments(em, dossier.id);
  }

  /** One attachment with its bytes, for download. */
  async download(authz: Authz, code: string, id: string): Promise<{ attachment: AttachmentView; bytes: Buffer }> {
    const em = this.svc.db.em();
    const dossier = await this.visible(em, authz, code);
    const row = await em.findOne(DossierAttachment, { id, dossierId: dossier.id });
    if (!row) throw attachmentNotFound(id);
    const bytes = await this.store.get(em, row.sha256);
    if (!bytes) throw new Error(`The bytes of attachment ${id} (sha256 ${row.sha256}) are missing from the store`);
    return { attachment: attachmentView(row), bytes };
  }

  /** The uploader takes back a scan (a wrong page, the wrong paper) while the dossier is open; audited. */
  remove(acting: Acting, authz: Authz, code: string, id: string): Promise<void> {
    return this.svc.db.em().transactional(async (em) => {
      const dossier = await this.visible(em, authz, code);
      const row = await em.findOne(DossierAttachment, { id, dossierId: dossier.id });
      if (!row) throw attachmentNotFound(id);
      await authz.assert('dossier.receive', dossier.unitId);
      if (!acting.actor.id || row.uploadedById !== acting.actor.id) {
        throw new AppError('dossier.attachment_not_uploader', `Only ${row.uploadedByName}, who uploaded it, may remove this attachment`);
      }
      this.assertOpen(dossier, 'removed');
      const removed = attachmentView(row);
      em.remove(row);
      await em.flush();
      await this.store.release(em, row.sha256);
      await this.svc.audit.append(em, {
        ...acting,
        action: 'dossier.attachment_removed',
        targetType: 'dossier',
        targetId: dossier.id,
        unitId: dossier.unitId,
        summary: { code, attachmentId: id, fileName: removed.fileName, sha256: removed.sha256, uploadedAt: removed.uploadedAt },
      });
    });
  }

  private async visible(em: EntityManager, authz: Authz, code: string): Promise<Dossier> {
    const dossier = await em.findOne(Dossier, { code });
    if (!dossier || !(await mayRead(em, authz, dossier))) throw dossierNotFound(code);
    return dossier;
  }

  private assertOpen(dossier: Dossier, what: 'added' | 'removed'): void {
    if (OPEN.includes(dossier.status)) return;
    throw new AppError(
      'dossier.invalid_transition',
      `Dossier ${dossier.code} is in status ${dossier.status} (${statusNames[dossier.status]}): its papers are closed, no attachment can be ${what}`,
      { status: dossier.status, allowed: [] },
    );
  }
}
