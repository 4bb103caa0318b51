import type { EntityManager } from '@mikro-orm/knex';
import type { KeyObject } from 'node:crypto';
import type { Ports } from '../modules/ports.ts';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import { DEMO_KEY_ID, keyIdOf, loadPublicKey, publicKeyPem } from './signing.ts';
import { PackAsset, PackInstall, PackTrustedKey } from './entities.ts';

export interface TrustedKey {
  keyId: string;
  publicKey: string;
  publisherName: string;
  province: string;
  trustedBy: string;
  trustedAt: string;
  revokedBy: string | null;
  revokedAt: string | null;
}

export interface InstalledPack {
  packId: string;
  version: string;
  sequence: number;
  name: string;
  publisher: { name: string; province: string; keyId: string };
  manifestHash: string;
  summary: Record<string, unknown>;
  installedBy: string;
  installedAt: string;
}

/**
 * Reads are detached (no identity map): the writes here are native statements, so a managed
 * copy would go stale within the transaction and a later flush must find nothing of ours.
 */
const detached = { disableIdentityMap: true } as const;

function toKey(r: PackTrustedKey): TrustedKey {
  return {
    keyId: r.keyId,
    publicKey: r.publicKey,
    publisherName: r.publisherName,
    province: r.province,
    trustedBy: r.trustedBy,
    trustedAt: r.trustedAt.toISOString(),
    revokedBy: r.revokedBy ?? null,
    revokedAt: r.revokedAt ? r.revokedAt.toISOString() : null,
  };
}

export async function listTrustedKeys(em: EntityManager): Promise<TrustedKey[]> {
  return (await em.find(PackTrustedKey, {}, { ...detached, orderBy: { trustedAt: 'asc', keyId: 'asc' } })).map(toKey);
}

/** The key to verify a pack with, when an admin trusts it and has not revoked it. */
export async function trustedKey(em: EntityManager, keyId: string): Promise<KeyObject | null> {
  const row = await em.findOne(PackTrustedKey, { keyId, revokedAt: null }, detached);
  return row ? loadPublicKey(row.publicKey) : null;
}

const keyRow = (em: EntityManager, keyId: string) => em.findOne(PackTrustedKey, { keyId }, detached);

/** Trusts a publisher key (again, if it was revoked). Audited. */
export async function trustKey(
  svc: Pick<Ports, 'audit' | 'clock'>,
  em: EntityManager,
  acting: Acting,
  input: { publicKey: string; publisherName: string; province: string },
): Promise<TrustedKey> {
  const key = loadPublicKey(input.publicKey);
  const keyId = keyIdOf(key);
  if (keyId === DEMO_KEY_ID)
    throw new AppError(
      'pack.key_invalid',
      `Key ${keyId} is the published demo key (procedures/demo-key): anyone can sign with it, so it is never trusted`,
    );
  const now = svc.clock.now();
  const existing = await keyRow(em, keyId);
  if (existing && !existing.revokedAt)
    throw new AppError('conflict.duplicate', `Key ${keyId} is already trusted (publisher ${existing.publisherName})`);
  const trusted = { publisherName: input.publisherName, province: input.province, trustedBy: acting.actor.name, trustedAt: now };
  if (existing) await em.nativeUpdate(PackTrustedKey, { keyId }, { ...trusted, revokedBy: null, revokedAt: null });
  else await em.insert(PackTrustedKey, { keyId, publicKey: publicKeyPem(key), ...trusted });
  await svc.audit.append(em, {
    ...acting,
    action: 'pack.key_trusted',
    targetType: 'pack_key',
    targetId: keyId,
    summary: { publisher: input.publisherName, province: input.province, again: !!existing },
  });
  return toKey((await keyRow(em, keyId))!);
}

export async function revokeKey(
  svc: Pick<Ports, 'audit' | 'clock'>,
  em: EntityManager,
  acting: Acting,
  keyId: string,
): Promise<TrustedKey> {
  const row = await keyRow(em, keyId);
  if (!row) throw new AppError('pack.key_not_found', `No trusted key ${keyId}`);
  if (row.revokedAt) return toKey(row);
  await em.nativeUpdate(PackTrustedKey, { keyId }, { revokedBy: acting.actor.name, revokedAt: svc.clock.now() });
  await svc.audit.append(em, {
    ...acting,
    action: 'pack.key_revoked',
    targetType: 'pack_key',
    targetId: keyId,
    summary: { publisher: row.publisherName },
  });
  return toKey((await keyRow(em, keyId))!);
}

function toInstall(r: PackInstall): InstalledPack {
  return {
    packId: r.packId,
    version: r.version,
    sequence: r.sequence,
    name: r.name,
    publisher: { name: r.publisherName, province: r.province, keyId: r.keyId },
    manifestHash: r.manifestHash,
    summary: JSON.parse(r.summary) as Record<string, unknown>,
    installedBy: r.installedBy,
    installedAt: r.installedAt.toISOString(),
  };
}

/** The installed (highest-sequence) pack of each id. */
export async function listInstalled(em: EntityManager): Promise<InstalledPack[]> {
  // Every install is kept (a few per pack): the newest of each id is picked here.
  const rows = await em.find(PackInstall, {}, { ...detached, orderBy: { packId: 'asc', sequence: 'desc' } });
  return rows.filter((r, i) => i === 0 || rows[i - 1].packId !== r.packId).map(toInstall);
}

export async function installedPack(em: EntityManager, packId: string): Promise<InstalledPack | null> {
  const row = await em.findOne(PackInstall, { packId }, { ...detached, orderBy: { sequence: 'desc' } });
  return row ? toInstall(row) : null;
}

export async function recordInstall(em: EntityManager, row: Omit<InstalledPack, 'installedAt'>, at: Date): Promise<void> {
  await em.insert(PackInstall, {
    id: crypto.randomUUID(),
    packId: row.packId,
    version: row.version,
    sequence: row.sequence,
    name: row.name,
    publisherName: row.publisher.name,
    province: row.publisher.province,
    keyId: row.publisher.keyId,
    manifestHash: row.manifestHash,
    summary: JSON.stringify(row.summary),
    installedBy: row.installedBy,
    installedAt: at,
  });
}

/** Stores a form or template of a pack by path (the newest pack's copy wins). */
export async function putAsset(
  em: EntityManager,
  path: string,
  data: Buffer,
  hash: string,
  packId: string,
  at: Date,
): Promise<'new' | 'updated' | 'unchanged'> {
  const row = await em.findOne(PackAsset, { path }, { ...detached, fields: ['sha256'] });
  if (row?.sha256 === hash) return 'unchanged';
  const asset = { sha256: hash, size: data.length, content: data, packId, updatedAt: at };
  if (row) await em.nativeUpdate(PackAsset, { path }, asset);
  else await em.insert(PackAsset, { path, ...asset });
  return row ? 'updated' : 'new';
}

export async function getAssets(em: EntityManager, paths: string[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (paths.length === 0) return out;
  const rows = await em.find(PackAsset, { path: { $in: paths } }, { ...detached, fields: ['content'] });
  for (const r of rows) out.set(r.path, Buffer.from(r.content));
  return out;
}
