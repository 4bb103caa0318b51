import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { col } from '../db/columns.ts';

/** Signed procedure packs (ADR 0010, migration core_0009_packs). */
export const PackTrustedKey = defineEntity({
  name: 'PackTrustedKey',
  tableName: 'pack_trusted_keys',
  properties: {
    keyId: col.string(16).primary(),
    /** SubjectPublicKeyInfo PEM of the Ed25519 key. */
    publicKey: col.text(),
    publisherName: col.string(300),
    province: col.string(32),
    trustedBy: col.string(255),
    trustedAt: col.timestamp(),
    revokedBy: col.string(255).nullable(),
    revokedAt: col.timestamp().nullable(),
  },
});
export type PackTrustedKey = InferEntity<typeof PackTrustedKey>;

export const PackInstall = defineEntity({
  name: 'PackInstall',
  tableName: 'pack_installs',
  uniques: [{ properties: ['packId', 'sequence'] }],
  properties: {
    id: col.id().primary(),
    packId: col.string(100),
    version: col.string(64),
    sequence: p.bigint('number'),
    name: col.string(300),
    publisherName: col.string(300),
    province: col.string(32),
    keyId: col.string(16),
    /** SHA-256 of the exact manifest bytes. */
    manifestHash: col.string(64),
    /** JSON text: counts of new / updated / unchanged procedures and deployed diagrams. */
    summary: col.text(),
    installedBy: col.string(255),
    installedAt: col.timestamp(),
  },
});
export type PackInstall = InferEntity<typeof PackInstall>;

export const PackAsset = defineEntity({
  name: 'PackAsset',
  tableName: 'pack_assets',
  properties: {
    path: col.string(255).primary(),
    sha256: col.string(64),
    size: p.integer(),
    content: p.blob(),
    packId: col.string(100),
    updatedAt: col.timestamp(),
  },
});
export type PackAsset = InferEntity<typeof PackAsset>;

export const packEntities = [PackTrustedKey, PackInstall, PackAsset];
