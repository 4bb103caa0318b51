import { fileTypeFromBuffer } from 'file-type';
import { AppError } from '../errors.ts';

/** What an attachment's bytes and name must be: the type read from the bytes, a name safe to show and to send back. */

/** Scans the desk accepts, by the media type read from the bytes. */
export const ACCEPTED_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'image/tiff', 'image/webp'] as const;
export type AttachmentType = (typeof ACCEPTED_TYPES)[number];

/** Longest file name kept, in characters (the extension is kept when a name is cut). */
export const MAX_FILE_NAME = 200;

/**
 * The type of the file, read from its leading bytes (file-type), never from its name or the
 * client's Content-Type: a ZIP, an executable, HTML or SVG named `.pdf` is refused (415
 * `dossier.attachment_type`), as is anything file-type does not recognise (text formats such as
 * HTML and SVG have no signature it accepts).
 */
export async function sniffType(bytes: Uint8Array): Promise<AttachmentType> {
  if (bytes.length === 0) throw new AppError('dossier.attachment_empty', 'The file is empty');
  const found = await fileTypeFromBuffer(bytes);
  const mime = found?.mime as AttachmentType | undefined;
  if (!mime || !ACCEPTED_TYPES.includes(mime)) {
    throw new AppError(
      'dossier.attachment_type',
      `The file is ${found ? `${found.mime} (.${found.ext})` : 'of no recognised type'}; scans are accepted as PDF, JPEG, PNG, TIFF or WebP`,
      { detected: found?.mime ?? null, accepted: [...ACCEPTED_TYPES] },
    );
  }
  return mime;
}

// C0 and C1 controls, zero-width and bidirectional formatting characters (which can make
// "hoso‮fdp.exe" read as "hosoexe.pdf"), the byte-order mark.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/**
 * A file name as the client gave it, made safe to keep and show: the last path segment only,
 * Unicode NFC (Vietnamese typed on different keyboards compares equal), no invisible characters,
 * runs of spaces collapsed, no leading dots, at most MAX_FILE_NAME characters with the extension
 * kept. Nothing left → 400 `request.invalid`.
 */
export function sanitiseFileName(raw: string): string {
  // Lone surrogates become U+FFFD (what the name's UTF-8 encoding would carry anyway).
  const last = Buffer.from(raw, 'utf8').toString('utf8').normalize('NFC').split(/[\\/]/).pop() ?? '';
  const name = last.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim().replace(/^\.+/, '').trim();
  if (!name) throw new AppError('request.invalid', 'The file name is empty once paths and invisible characters are removed');
  const chars = [...name];
  if (chars.length <= MAX_FILE_NAME) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? [...name.slice(dot)] : [];
  const keep = ext.length > 0 && ext.length <= 16 ? ext : [];
  return [...chars.slice(0, MAX_FILE_NAME - keep.length), ...keep].join('').trim();
}

/** RFC 8187 value of `filename*`: UTF-8, percent-encoded (so Vietnamese names survive). */
function encodeExtValue(s: string): string {
  return encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** An ASCII stand-in for clients that ignore `filename*`: diacritics dropped, đ → d, anything else → _. */
function asciiFallback(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]|["\\%]/g, '_');
}

/** `Content-Disposition` of a download (RFC 6266): always an attachment, never shown inline. */
export function contentDisposition(fileName: string): string {
  return `attachment; filename="${asciiFallback(fileName)}"; filename*=UTF-8''${encodeExtValue(fileName)}`;
}
