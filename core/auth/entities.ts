import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { col, reference } from '../db/columns.ts';

export const sexes = ['female', 'male', 'other'] as const;
export type Sex = (typeof sexes)[number];

export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: col.id().primary(),
    username: col.string(64).unique(),
    displayName: col.string(255),
    email: col.string(255).nullable(),
    sex: col.string(8).$type<Sex>().nullable(),
    /** Home unit: who may administer this account (unit scope of user.manage). */
    unitId: reference('Unit', 'unit_id').nullable().index(),
    active: p.boolean().default(true),
    passwordHash: col.string(255).nullable().hidden(),
    passwordChangedAt: col.timestamp().nullable(),
    failedLogins: p.integer().default(0),
    lastFailedAt: col.timestamp().nullable(),
    lockedAt: col.timestamp().nullable(),
    createdAt: col.timestamp(),
    updatedAt: col.timestamp(),
    version: p.integer().version().default(1),
  },
});
export type User = InferEntity<typeof User>;

/** Server-side session. The cookie holds a random token; only its SHA-256 is stored. */
export const Session = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    id: col.string(64).primary(),
    userId: reference('User', 'user_id', 'cascade').index(),
    createdAt: col.timestamp(),
    lastSeenAt: col.timestamp(),
    expiresAt: col.timestamp(),
    ip: col.string(64).nullable(),
    userAgent: col.string(512).nullable(),
  },
});
export type Session = InferEntity<typeof Session>;

/** Personal API token for scripts and other systems; only its SHA-256 is stored. */
export const ApiToken = defineEntity({
  name: 'ApiToken',
  tableName: 'api_tokens',
  properties: {
    id: col.id().primary(),
    userId: reference('User', 'user_id', 'cascade').index(),
    name: col.string(128),
    tokenHash: col.string(64).unique().hidden(),
    prefix: col.string(16),
    createdAt: col.timestamp(),
    lastUsedAt: col.timestamp().nullable(),
    expiresAt: col.timestamp().nullable(),
    revokedAt: col.timestamp().nullable(),
  },
});
export type ApiToken = InferEntity<typeof ApiToken>;

/** Failed logins of a username without an account, by the SHA-256 of the name (login-throttle.ts). */
export const LoginThrottle = defineEntity({
  name: 'LoginThrottle',
  tableName: 'login_throttle',
  properties: {
    keyHash: col.string(64).primary(),
    failedLogins: p.integer(),
    lastFailedAt: col.timestamp(),
    lockedAt: col.timestamp().nullable(),
    expiresAt: col.timestamp().index(),
  },
});
export type LoginThrottle = InferEntity<typeof LoginThrottle>;
