import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { acting } from '../http/acting.ts';
import type { AppEnv } from '../http/env.ts';
import { defineRoute } from '../http/route.ts';
import { json } from '../http/schemas.ts';
import type { Ports } from '../modules/ports.ts';
import { ACCEPTED_TYPES, contentDisposition, MAX_FILE_NAME } from './attachment-files.ts';
import { ATTACHMENT_KINDS } from './attachment-view.ts';

/**
 * Attachment routes (docs/dossiers.md § Attachments). The upload is the file itself as the raw
 * request body (no multipart: nothing to parse, and the body limit counts exactly the file),
 * its name in the query; its Content-Type is not trusted, the type is read from the bytes.
 */

const tags = ['dossiers'];
const code = z
  .string()
  .min(1)
  .max(100)
  .openapi({ param: { name: 'code', in: 'path' }, example: 'DEMO.TTPVHCC-260302-0001' });
const id = z
  .string()
  .min(1)
  .max(64)
  .openapi({ param: { name: 'id', in: 'path' } });

export const Attachment = z
  .object({
    id: z.string(),
    componentId: z.string().nullable().describe('The checklist row (components[].id) the scan belongs to'),
    fileName: z.string(),
    mediaType: z.string().describe(`Read from the bytes at upload: ${ACCEPTED_TYPES.join(', ')}`),
    size: z.number().int(),
    sha256: z.string().describe('Lower-case hex SHA-256 of the bytes'),
    uploadedBy: z.object({ id: z.string().nullable(), name: z.string() }),
    uploadedAt: z.string(),
    kind: z.enum(ATTACHMENT_KINDS).describe('scan: a paper of the dossier or a note; result: a signed result document'),
    step: z
      .object({ taskId: z.string(), activityId: z.string().nullable(), name: z.string().nullable() })
      .nullable()
      .describe('The step it was attached at by whoever worked it; null when the desk attached it outside a step'),
  })
  .openapi('DossierAttachment');

const binary = z.string().openapi({ format: 'binary' });
/** The file types as request and response content: the same bytes under each media type. */
const fileContent = (types: readonly string[]) => Object.fromEntries(types.map((t) => [t, { schema: binary }]));

export const upload = defineRoute({
  method: 'post',
  path: '/api/dossiers/{code}/attachments',
  operationId: 'uploadDossierAttachment',
  tags,
  summary:
    'Upload a scan of the dossier (raw body: PDF, JPEG, PNG, TIFF or WebP, read from the bytes; size limit MOTCUA_ATTACHMENT_MAX_BYTES): the desk, or whoever may work one of its open steps (marked with the step)',
  permission: 'dossier.read',
  bodyLimit: (config) => config.attachmentMaxBytes,
  request: {
    params: z.object({ code }),
    query: z.object({
      name: z
        .string()
        .min(1)
        .max(1000)
        .openapi({ description: `The file name (UTF-8; kept sanitised, at most ${MAX_FILE_NAME} characters)`, example: 'Tờ khai.pdf' }),
      component: z.string().min(1).max(64).optional().openapi({ description: 'The checklist row (components[].id) this scan belongs to' }),
      kind: z.enum(ATTACHMENT_KINDS).optional().openapi({ description: 'scan (default) or result: a signed result document' }),
    }),
    body: { required: true, content: fileContent([...ACCEPTED_TYPES, 'application/octet-stream']) },
  },
  errors: [
    'dossier.not_found',
    'dossier.attachment_empty',
    'dossier.attachment_type',
    'dossier.invalid_components',
    'dossier.invalid_transition',
    'auth.forbidden_scope',
  ],
  responses: { 201: json(Attachment, 'The attachment (metadata)') },
});

export const list = defineRoute({
  method: 'get',
  path: '/api/dossiers/{code}/attachments',
  operationId: 'listDossierAttachments',
  tags,
  summary: 'The scans of a dossier, metadata only (404 outside your units)',
  permission: 'dossier.read',
  request: { params: z.object({ code }) },
  errors: ['dossier.not_found'],
  responses: { 200: json(z.array(Attachment), 'Attachments in upload order') },
});

export const download = defineRoute({
  method: 'get',
  path: '/api/dossiers/{code}/attachments/{id}',
  operationId: 'downloadDossierAttachment',
  tags,
  summary: 'Download one scan: its type as read at upload, always as an attachment (404 outside your units)',
  permission: 'dossier.read',
  request: { params: z.object({ code, id }) },
  errors: ['dossier.not_found', 'dossier.attachment_not_found'],
  responses: { 200: { description: 'The file', content: fileContent(ACCEPTED_TYPES) } },
});

export const remove = defineRoute({
  method: 'delete',
  path: '/api/dossiers/{code}/attachments/{id}',
  operationId: 'removeDossierAttachment',
  tags,
  summary: 'The uploader removes a scan while the dossier is open (audited)',
  permission: 'dossier.read',
  request: { params: z.object({ code, id }) },
  errors: [
    'dossier.not_found',
    'dossier.attachment_not_found',
    'dossier.attachment_not_uploader',
    'dossier.invalid_transition',
    'auth.forbidden_scope',
  ],
  responses: { 204: { description: 'Removed' } },
});

export function registerAttachmentRoutes(app: OpenAPIHono<AppEnv>, ports: Pick<Ports, 'dossierAttachments'>): void {
  app.openapi(upload, async (c) => {
    const { name, component, kind } = c.req.valid('query');
    // Bounded before the handler runs: the route's own body limit (body-limits.ts).
    const bytes = Buffer.from(await c.req.arrayBuffer());
    const view = await ports.dossierAttachments.upload(acting(c), c.var.authz, c.var.principal!.user, c.req.valid('param').code, {
      name,
      componentId: component,
      bytes,
      kind,
    });
    return c.json(view, 201);
  });

  app.openapi(list, async (c) => c.json(await ports.dossierAttachments.list(c.var.authz, c.req.valid('param').code), 200));

  app.openapi(download, async (c) => {
    const { code, id } = c.req.valid('param');
    const { attachment, bytes } = await ports.dossierAttachments.download(c.var.authz, code, id);
    return c.body(new Uint8Array(bytes), 200, {
      'content-type': attachment.mediaType,
      'content-length': String(bytes.length),
      'content-disposition': contentDisposition(attachment.fileName),
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    });
  });

  app.openapi(remove, async (c) => {
    const { code, id } = c.req.valid('param');
    await ports.dossierAttachments.remove(acting(c), c.var.authz, code, id);
    return c.body(null, 204);
  });
}
