import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const sexes = ['female', 'male', 'other'] as const;

export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.string().primary(),
    username: p.string().unique(),
    displayName: p.string(),
    email: p.string().nullable(),
    sex: p.enum([...sexes]).nullable(),
    /** Home unit: who may administer this account (unit scope of user.manage). */
    unitId: p.string().nullable().index(),
    active: p.boolean(),
    passwordHash: p.string().nullable().hidden(),
    passwordChangedAt: p.datetime().nullable(),
    failedLogins: p.integer(),
    lastFailedAt: p.datetime().nullable(),
    lockedAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    version: p.integer().version(),
  },
});
export type User = InferEntity<typeof User>;

/** Server-side session. The cookie holds a random token; only its SHA-256 is stored. */
export const Session = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    id: p.string().primary(),
    userId: p.string().index(),
    createdAt: p.datetime(),
    lastSeenAt: p.datetime(),
    expiresAt: p.datetime(),
    ip: p.string().nullable(),
    userAgent: p.string().nullable(),
  },
});
export type Session = InferEntity<typeof Session>;

/** Personal API token for scripts and other systems; only its SHA-256 is stored. */
export const ApiToken = defineEntity({
  name: 'ApiToken',
  tableName: 'api_tokens',
  properties: {
    id: p.string().primary(),
    userId: p.string().index(),
    name: p.string(),
    tokenHash: p.string().unique().hidden(),
    prefix: p.string(),
    createdAt: p.datetime(),
    lastUsedAt: p.datetime().nullable(),
    expiresAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});
export type ApiToken = InferEntity<typeof ApiToken>;
