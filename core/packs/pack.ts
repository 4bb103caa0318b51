import type { KeyObject } from 'node:crypto';
import { AppError } from '../errors.ts';
import {
  DEFAULT_LIMITS,
  MANIFEST,
  PACK_FILE,
  PACK_FORMAT,
  SIGNATURE,
  packManifest,
  parseJsonFile,
  type PackLimits,
  type PackManifest,
  type PackManifestInput,
} from './manifest.ts';
import { keyIdOf, sha256, signBytes, verifyBytes } from './signing.ts';
import { readZip, writeZip } from './zip.ts';

/** A pack read from its zip: nothing in it is trusted until `verifyPack` says so. */
export interface OpenedPack {
  manifestBytes: Buffer;
  signature: string | null;
  /** Every file but the manifest and its signature, by path. */
  files: Map<string, Buffer>;
}

/** A pack whose signature, manifest and files were checked. */
export interface VerifiedPack {
  manifest: PackManifest;
  manifestHash: string;
  files: Map<string, Buffer>;
}

export type ManifestHeader = Omit<PackManifestInput, 'format' | 'files' | 'publisher' | 'createdAt'> & {
  publisher: { name: string; province: string };
  createdAt?: string;
};

/** The manifest's exact bytes: two-space JSON and a final newline (any bytes verify; these are what we write). */
export function manifestBytesOf(manifest: PackManifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
}

/** The key id an unsigned export carries until `motcua pack sign` signs it. */
export const UNSIGNED_KEY_ID = '0000000000000000';

/** The manifest of these files: each listed with its SHA-256 and size, sorted by path. */
export function composeManifest(header: ManifestHeader, files: Map<string, Buffer>, keyId: string, now: Date): PackManifest {
  for (const path of files.keys()) {
    if (!PACK_FILE.test(path)) throw new AppError('pack.unsafe_path', `"${path}" is outside the pack layout`, { file: path });
  }
  const listed = [...files.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, data]) => ({ path, sha256: sha256(data), size: data.length }));
  const candidate = {
    format: PACK_FORMAT,
    id: header.id,
    name: header.name,
    version: header.version,
    sequence: header.sequence,
    publisher: { name: header.publisher.name, province: header.publisher.province, keyId },
    createdAt: header.createdAt ?? now.toISOString(),
    ...(header.expiresAt ? { expiresAt: header.expiresAt } : {}),
    requires: header.requires ?? { plugins: {}, handlers: [] },
    files: listed,
    placeholders: header.placeholders ?? [],
  };
  return parseJsonFile(packManifest, JSON.stringify(candidate), MANIFEST);
}

/** Zips the manifest, its signature (unless `privateKey` is null) and the files. */
export async function zipPack(manifest: PackManifest, files: Map<string, Buffer>, privateKey: KeyObject | null): Promise<Buffer> {
  const bytes = manifestBytesOf(manifest);
  const all = new Map(files);
  all.set(MANIFEST, bytes);
  if (privateKey) all.set(SIGNATURE, Buffer.from(`${signBytes(bytes, privateKey)}\n`));
  return writeZip(all);
}

/** Lists the files with their hashes and sizes, signs the manifest, and zips it all. */
export async function buildPack(
  header: ManifestHeader,
  files: Map<string, Buffer>,
  privateKey: KeyObject,
  now: Date,
): Promise<{ zip: Buffer; manifest: PackManifest }> {
  const manifest = composeManifest(header, files, keyIdOf(privateKey), now);
  return { zip: await zipPack(manifest, files, privateKey), manifest };
}

/**
 * Signs a pack (an unsigned export, or one signed by someone else) with this key: the file list
 * is recomputed from the zip's files, everything else of the manifest is kept.
 */
export async function signPack(
  zip: Buffer,
  privateKey: KeyObject,
  limits: PackLimits = DEFAULT_LIMITS,
): Promise<{ zip: Buffer; manifest: PackManifest }> {
  const opened = await openPack(zip, limits);
  const old = parseJsonFile(packManifest, opened.manifestBytes, MANIFEST);
  const { format: _f, files: _files, publisher, ...rest } = old;
  const manifest = composeManifest(
    { ...rest, publisher: { name: publisher.name, province: publisher.province } },
    opened.files,
    keyIdOf(privateKey),
    new Date(old.createdAt),
  );
  return { zip: await zipPack(manifest, opened.files, privateKey), manifest };
}

/** Reads the zip safely (paths, symlinks, limits) and separates manifest and signature. */
export async function openPack(zip: Buffer, limits: PackLimits = DEFAULT_LIMITS): Promise<OpenedPack> {
  const files = await readZip(zip, limits);
  const manifestBytes = files.get(MANIFEST);
  if (!manifestBytes) throw new AppError('pack.malformed', 'The pack has no manifest.json');
  const sig = files.get(SIGNATURE);
  files.delete(MANIFEST);
  files.delete(SIGNATURE);
  return { manifestBytes, signature: sig ? sig.toString('utf8') : null, files };
}

/** The key id the manifest claims, read before the signature is checked (to find the key). */
export function claimedKeyId(pack: OpenedPack): string {
  let raw: unknown;
  try {
    raw = JSON.parse(pack.manifestBytes.toString('utf8'));
  } catch (e) {
    throw new AppError('pack.malformed', `manifest.json is not valid JSON: ${(e as Error).message}`, { file: MANIFEST });
  }
  const keyId = (raw as { publisher?: { keyId?: unknown } } | null)?.publisher?.keyId;
  if (typeof keyId !== 'string' || !/^[0-9a-f]{16}$/.test(keyId))
    throw new AppError('pack.invalid_content', 'manifest.json: publisher.keyId must be 16 lower-case hex digits', { file: MANIFEST });
  return keyId;
}

/**
 * Checks, in order: the signature over the exact manifest bytes with the given key, the
 * manifest against its schema, and every file against the manifest (present, listed, size, hash).
 */
export function verifyPack(pack: OpenedPack, publicKey: KeyObject): VerifiedPack {
  if (pack.signature === null) throw new AppError('pack.bad_signature', 'The pack has no manifest.sig: it is not signed');
  const keyId = claimedKeyId(pack);
  if (keyIdOf(publicKey) !== keyId)
    throw new AppError('pack.bad_signature', `The manifest names key ${keyId}, but the key given is ${keyIdOf(publicKey)}`);
  if (!verifyBytes(pack.manifestBytes, pack.signature, publicKey)) {
    throw new AppError(
      'pack.bad_signature',
      `manifest.sig is not a valid Ed25519 signature of manifest.json by key ${keyId}: the pack was altered or signed with another key`,
    );
  }
  const manifest = parseJsonFile(packManifest, pack.manifestBytes, MANIFEST);
  const listed = new Set<string>();
  for (const f of manifest.files) {
    listed.add(f.path);
    const data = pack.files.get(f.path);
    if (!data) throw new AppError('pack.file_mismatch', `${f.path} is listed in the manifest but missing from the zip`, { file: f.path });
    if (data.length !== f.size)
      throw new AppError('pack.file_mismatch', `${f.path} is ${data.length} bytes, the manifest says ${f.size}`, { file: f.path });
    if (sha256(data) !== f.sha256)
      throw new AppError('pack.file_mismatch', `${f.path} does not match its SHA-256 in the manifest: it was altered`, { file: f.path });
  }
  for (const path of pack.files.keys()) {
    if (!listed.has(path)) throw new AppError('pack.file_mismatch', `${path} is in the zip but not in the manifest`, { file: path });
  }
  return { manifest, manifestHash: sha256(pack.manifestBytes), files: pack.files };
}
