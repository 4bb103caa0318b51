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
import { attachmentView, listAttachments, type AttachmentKind, type AttachmentView } from './attachment-view.ts';
import { workableTasksSql } from '../engine/entitlement.ts';
import type { User } from '../auth/entities.ts';
import { Dossier, DossierComponent } from './entities.ts';
import { STATUS, statusNames } from './model.ts';
import { dossierNotFound } from './service.ts';

/**
 * Attachments of a dossier: the scans of its components (docs/dossiers.md § Attachments).
 * Whoever reads the dossier lists and downloads them; whoever receives dossiers at its desk
 * (`dossier.receive` in its unit) or may work one of its open steps (by the engine's rule of who
 * works a task) uploads them, a step's worker marked with the step; the uploader removes one while
 * the dossier is open. Each change is one transaction with its audit record.
 */

export type AttachmentPorts = Pick<Ports, 'db' | 'clock' | 'audit' | 'permissions'>;

/** The caller as the engine knows a worker: who may work a task is decided on the user and their grants. */
export type Uploader = Pick<User, 'id' | 'username'>;

interface OpenStep {
  id: string;
  activity_id: string;
  name: string | null;
}

export interface NewAttachment {
  /** The file name as the client gave it (sanitised here). */
  name: string;
  /** A row of the dossier's checklist (`components[].id`). */
  componentId?: string;
  bytes: Buffer;
  /** `scan` (default) or `result`: a signed result document. */
  kind?: AttachmentKind;
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
  async upload(acting: Acting, authz: Authz, user: Uploader, code: string, input: NewAttachment): Promise<AttachmentView> {
    const fileName = sanitiseFileName(input.name);
    // Read outside the transaction: refusing a file takes no lock and writes nothing.
    const mediaType = await sniffType(input.bytes);
    const sha256 = createHash('sha256').update(input.bytes).digest('hex');
    return this.svc.db.em().transactional(async (em) => {
      const now = this.svc.clock.now();
      const dossier = await this.visible(em, authz, code);
      const step = await this.uploadingStep(em, authz, user, dossier);
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
        kind: input.kind ?? 'scan',
        taskId: step?.id ?? null,
        activityId: step?.activity_id ?? null,
        stepName: step?.name ?? null,
      });
      await em.flush();
      const view = attachmentView(row);
      await this.svc.audit.append(em, {
        ...acting,
        action: 'dossier.attachment_added',
        targetType: 'dossier',
        targetId: dossier.id,
        unitId: dossier.unitId,
        summary: {
          code,
          attachmentId: row.id,
          fileName,
          mediaType,
          size: row.size,
          sha256,
          componentId: view.componentId,
          kind: view.kind,
          taskId: step?.id ?? null,
          activityId: step?.activity_id ?? null,
        },
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

  /**
   * Where the caller uploads from: the first open step of the dossier they may work (a bundle's
   * parts included: they share its code), else the desk (`dossier.receive` in its unit: no step).
   * Neither: someone who worked one of its steps is told no (403); anyone else gets 404, as for a
   * dossier that does not exist, so an upload cannot probe for one.
   */
  private async uploadingStep(em: EntityManager, authz: Authz, user: Uploader, dossier: Dossier): Promise<OpenStep | null> {
    const workable = workableTasksSql(user, authz, this.svc.permissions);
    const [step] = await em.execute<OpenStep[]>(
      `SELECT t.id, t.activity_id, t.name FROM tasks t WHERE t.business_key = ? AND t.status = 'open' AND ${workable.sql} ORDER BY t.created_at, t.id LIMIT 1`,
      [dossier.code, ...workable.params],
    );
    if (step) return step;
    if (await authz.can('dossier.receive', dossier.unitId)) return null;
    const [worked] = await em.execute<{ id: string }[]>('SELECT id FROM tasks WHERE business_key = ? AND completed_by = ? LIMIT 1', [
      dossier.code,
      user.id,
    ]);
    if (worked) throw new AppError('auth.forbidden_scope', `You have no open step of dossier ${dossier.code} to attach a file at`);
    throw dossierNotFound(dossier.code);
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
