import { defineMigration, timestamp } from '../../db/migration.ts';

/**
 * Failed-login counters of usernames that have no account (core/auth/login-throttle.ts), so an
 * unknown name is throttled and locked exactly like a real one. Keyed by the SHA-256 of the
 * normalised username (fixed size, never the attacker's text); each row expires and is purged.
 */
export const loginThrottle = defineMigration('core_0011_login_throttle', (schema) =>
  schema.createTable('login_throttle', (t) => {
    t.string('key_hash', 64).primary();
    t.integer('failed_logins').notNullable();
    timestamp(t, 'last_failed_at').notNullable();
    timestamp(t, 'locked_at').nullable();
    timestamp(t, 'expires_at').notNullable().index();
  }),
);
