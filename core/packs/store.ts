import type { EntityManager } from '@mikro-orm/knex';
import type { KeyObject } from 'node:crypto';
import type { Ports } from '../modules/ports.ts';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import { DEMO_KEY_ID, keyIdOf, loadPublicKey, publicKeyPem } from './signing.ts';
import { sql } from '../db/sql.ts';

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

function iso(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string' && /^\d+$/.test(v)) return new Date(Number(v)).toISOString();
  return new Date(v as string | number).toISOString();
}

interface KeyRow {
  key_id: string;
  public_key: string;
  publisher_name: string;
  province: string;
  trusted_by: string;
  trusted_at: unknown;
  revoked_by: string | null;
  revoked_at: unknown;
}

function toKey(r: KeyRow): TrustedKey {
  return {
    keyId: r.key_id,
    publicKey: r.public_key,
    publisherName: r.publisher_name,
    province: r.province,
    trustedBy: r.trusted_by,
    trustedAt: iso(r.trusted_at),
    revokedBy: r.revoked_by,
    revokedAt: r.revoked_at ? iso(r.revoked_at) : null,
  };
}

export async function listTrustedKeys(em: EntityManager): Promise<TrustedKey[]> {
  return (await sql(em).all<KeyRow>('SELECT * FROM pack_trusted_keys ORDER BY trusted_at, key_id')).map(toKey);
}

/** The key to verify a pack with, when an admin trusts it and has not revoked it. */
export async function trustedKey(em: EntityManager, keyId: string): Promise<KeyObject | null> {
  const [row] = await sql(em).all<KeyRow>('SELECT * FROM pack_trusted_keys WHERE key_id = ? AND revoked_at IS NULL', [keyId]);
  return row ? loadPublicKey(row.public_key) : null;
}

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
  const [existing] = await sql(em).all<KeyRow>('SELECT * FROM pack_trusted_keys WHERE key_id = ?', [keyId]);
  if (existing && !existing.revoked_at)
    throw new AppError('conflict.duplicate', `Key ${keyId} is already trusted (publisher ${existing.publisher_name})`);
  if (existing) {
    await sql(em).run(
      'UPDATE pack_trusted_keys SET publisher_name = ?, province = ?, trusted_by = ?, trusted_at = ?, revoked_by = NULL, revoked_at = NULL WHERE key_id = ?',
      [input.publisherName, input.province, acting.actor.name, now, keyId],
    );
  } else {
    await sql(em).run(
      'INSERT INTO pack_trusted_keys (key_id, public_key, publisher_name, province, trusted_by, trusted_at) VALUES (?, ?, ?, ?, ?, ?)',
      [keyId, publicKeyPem(key), input.publisherName, input.province, acting.actor.name, now],
    );
  }
  await svc.audit.append(em, {
    ...acting,
    action: 'pack.key_trusted',
    targetType: 'pack_key',
    targetId: keyId,
    summary: { publisher: input.publisherName, province: input.province, again: !!existing },
  });
  const [row] = await sql(em).all<KeyRow>('SELECT * FROM pack_trusted_keys WHERE key_id = ?', [keyId]);
  return toKey(row);
}

export async function revokeKey(
  svc: Pick<Ports, 'audit' | 'clock'>,
  em: EntityManager,
  acting: Acting,
  keyId: string,
): Promise<TrustedKey> {
  const [row] = await sql(em).all<KeyRow>('SELECT * FROM pack_trusted_keys WHERE key_id = ?', [keyId]);
  if (!row) throw new AppError('pack.key_not_found', `No trusted key ${keyId}`);
  if (row.revoked_at) return toKey(row);
  await sql(em).run('UPDATE pack_trusted_keys SET revoked_by = ?, revoked_at = ? WHERE key_id = ?', [
    acting.actor.name,
    svc.clock.now(),
    keyId,
  ]);
  await svc.audit.append(em, {
    ...acting,
    action: 'pack.key_revoked',
    targetType: 'pack_key',
    targetId: keyId,
    summary: { publisher: row.publisher_name },
  });
  const [after] = await sql(em).all<KeyRow>('SELECT * FROM pack_trusted_keys WHERE key_id = ?', [keyId]);
  return toKey(after);
}

interface InstallRow {
  pack_id: string;
  version: string;
  sequence: number | string;
  name: string;
  publisher_name: string;
  province: string;
  key_id: string;
  manifest_hash: string;
  summary: string;
  installed_by: string;
  installed_at: unknown;
}

function toInstall(r: InstallRow): InstalledPack {
  return {
    packId: r.pack_id,
    version: r.version,
    sequence: Number(r.sequence),
    name: r.name,
    publisher: { name: r.publisher_name, province: r.province, keyId: r.key_id },
    manifestHash: r.manifest_hash,
    summary: JSON.parse(r.summary) as Record<string, unknown>,
    installedBy: r.installed_by,
    installedAt: iso(r.installed_at),
  };
}

/** The installed (highest-sequence) pack of each id. */
export async function listInstalled(em: EntityManager): Promise<InstalledPack[]> {
  const rows = await sql(em).all<InstallRow>(
    'SELECT * FROM pack_installs p WHERE sequence = (SELECT MAX(sequence) FROM pack_installs x WHERE x.pack_id = p.pack_id) ORDER BY pack_id',
  );
  return rows.map(toInstall);
}

export async function installedPack(em: EntityManager, packId: string): Promise<InstalledPack | null> {
  const [row] = await sql(em).all<InstallRow>('SELECT * FROM pack_installs WHERE pack_id = ? ORDER BY sequence DESC LIMIT 1', [packId]);
  return row ? toInstall(row) : null;
}

export async function recordInstall(em: EntityManager, row: Omit<InstalledPack, 'installedAt'>, at: Date): Promise<void> {
  await sql(em).run(
    'INSERT INTO pack_installs (id, pack_id, version, sequence, name, publisher_name, province, key_id, manifest_hash, summary, installed_by, installed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      crypto.randomUUID(),
      row.packId,
      row.version,
      row.sequence,
      row.name,
      row.publisher.name,
      row.publisher.province,
      row.publisher.keyId,
      row.manifestHash,
      JSON.stringify(row.summary),
      row.installedBy,
      at,
    ],
  );
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
  const [row] = await sql(em).all<{ sha256: string }>('SELECT sha256 FROM pack_assets WHERE path = ?', [path]);
  if (row?.sha256 === hash) return 'unchanged';
  if (row)
    await sql(em).run('UPDATE pack_assets SET sha256 = ?, size = ?, content = ?, pack_id = ?, updated_at = ? WHERE path = ?', [
      hash,
      data.length,
      data,
      packId,
      at,
      path,
    ]);
  else
    await sql(em).run('INSERT INTO pack_assets (path, sha256, size, content, pack_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)', [
      path,
      hash,
      data.length,
      data,
      packId,
      at,
    ]);
  return row ? 'updated' : 'new';
}

export async function getAssets(em: EntityManager, paths: string[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (paths.length === 0) return out;
  const rows = await sql(em).all<{ path: string; content: Buffer | Uint8Array }>(
    `SELECT path, content FROM pack_assets WHERE path IN (${paths.map(() => '?').join(', ')})`,
    paths,
  );
  for (const r of rows) out.set(r.path, Buffer.from(r.content));
  return out;
}
