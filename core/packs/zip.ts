import yauzl from 'yauzl';
import yazl from 'yazl';
import { AppError } from '../errors.ts';
import { MANIFEST, MAX_PATH, PACK_FILE, SIGNATURE, type PackLimits } from './manifest.ts';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
/** "Version made by" hosts whose external attributes carry Unix mode bits in the high 16 bits. */
const UNIX_HOSTS = new Set([3, 19]);

/**
 * Why a zip entry name is unsafe, or null. Checked on the raw name before anything is
 * written or kept: zip-slip (`..`), absolute paths, drive letters, backslashes, control
 * characters, and anything outside the pack layout.
 */
export function unsafePathReason(name: string): string | null {
  if (name.length === 0) return 'an empty name';
  if (name.length > MAX_PATH) return `longer than ${MAX_PATH} characters`;
  if (name.includes('\\')) return 'a backslash';
  if (name.startsWith('/')) return 'an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'a drive letter';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'a control character';
  if (name.split('/').some((seg) => seg === '..' || seg === '.')) return 'a ".." or "." segment';
  if (name !== MANIFEST && name !== SIGNATURE && !PACK_FILE.test(name)) {
    return 'a place outside the pack layout (manifest.json, manifest.sig, procedures/*.json, diagrams/*.bpmn, forms/*, templates/*.hbs, calendars/*.json)';
  }
  return null;
}

function openZip(buffer: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true, decodeStrings: false, validateEntrySizes: false, strictFileNames: false }, (err, zip) => {
      if (err || !zip) reject(new AppError('pack.malformed', `Not a readable zip: ${err?.message ?? 'unknown error'}`));
      else resolve(zip);
    });
  });
}

/**
 * Reads every file of a pack zip into memory, refusing unsafe entries and enforcing the
 * limits while inflating: the byte count is the inflated stream's, never the header's.
 */
export async function readZip(buffer: Buffer, limits: PackLimits): Promise<Map<string, Buffer>> {
  if (buffer.length > limits.maxZipBytes)
    throw new AppError('pack.too_large', `The pack is ${buffer.length} bytes; the limit is ${limits.maxZipBytes}`, {
      limit: limits.maxZipBytes,
    });
  const zip = await openZip(buffer);
  if (zip.entryCount > limits.maxFiles) {
    zip.close();
    throw new AppError('pack.too_large', `The pack has ${zip.entryCount} entries; the limit is ${limits.maxFiles}`, {
      limit: limits.maxFiles,
    });
  }
  const files = new Map<string, Buffer>();
  let total = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (e: unknown) => {
        reject(e instanceof AppError ? e : new AppError('pack.malformed', `Not a readable zip: ${(e as Error).message}`));
      };
      zip.on('error', fail);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        const raw = entry.fileName as unknown as Buffer | string;
        const name = typeof raw === 'string' ? raw : raw.toString('utf8');
        const host = entry.versionMadeBy >> 8;
        const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
        const isDir = name.endsWith('/') || (UNIX_HOSTS.has(host) && mode === S_IFDIR);
        if (UNIX_HOSTS.has(host) && mode !== 0 && mode !== S_IFREG && mode !== S_IFDIR) {
          return fail(
            new AppError('pack.unsafe_path', `Entry "${name}" is a symbolic link or special file, which a pack may not contain`, {
              file: name,
            }),
          );
        }
        if (isDir) {
          const dir = name.replace(/\/$/, '');
          if (!/^(procedures|diagrams|forms|templates|calendars)$/.test(dir))
            return fail(new AppError('pack.unsafe_path', `Entry "${name}" is a folder outside the pack layout`, { file: name }));
          return zip.readEntry();
        }
        const reason = unsafePathReason(name);
        if (reason) return fail(new AppError('pack.unsafe_path', `Entry "${name}" has ${reason}`, { file: name }));
        if (files.has(name)) return fail(new AppError('pack.file_mismatch', `Entry "${name}" appears twice in the zip`, { file: name }));
        if (entry.isEncrypted()) return fail(new AppError('pack.malformed', `Entry "${name}" is encrypted`, { file: name }));
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return fail(err ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          let size = 0;
          let stopped = false;
          stream.on('data', (chunk: Buffer) => {
            if (stopped) return;
            size += chunk.length;
            total += chunk.length;
            if (size > limits.maxFileBytes || total > limits.maxTotalBytes) {
              stopped = true;
              stream.destroy();
              const which =
                size > limits.maxFileBytes
                  ? `"${name}" inflates to more than ${limits.maxFileBytes} bytes`
                  : `the files inflate to more than ${limits.maxTotalBytes} bytes`;
              return fail(new AppError('pack.too_large', `The pack is too large: ${which}`, { file: name }));
            }
            chunks.push(chunk);
          });
          stream.on('error', (e) => {
            if (!stopped) fail(e);
          });
          stream.on('end', () => {
            if (stopped) return;
            files.set(name, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return files;
}

/** A deterministic zip (sorted entries, fixed time stamp, regular-file mode) of the given files. */
export function writeZip(files: Map<string, Buffer>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const mtime = new Date('2000-01-01T00:00:00Z');
  const order = [...files.keys()].sort((a, b) =>
    a === MANIFEST ? -1 : b === MANIFEST ? 1 : a === SIGNATURE ? -1 : b === SIGNATURE ? 1 : a.localeCompare(b),
  );
  for (const path of order) zip.addBuffer(files.get(path)!, path, { mtime, mode: 0o100644, compress: true });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}
