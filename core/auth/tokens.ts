import { createHash, randomBytes } from 'node:crypto';

/** 256-bit random secret, URL-safe. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Secrets are high-entropy, so a plain SHA-256 is the right stored form (no salt or stretching needed). */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export const API_TOKEN_PREFIX = 'mct_';

export function newApiToken(): { token: string; hash: string; prefix: string } {
  const token = API_TOKEN_PREFIX + randomSecret();
  return { token, hash: sha256(token), prefix: token.slice(0, 12) };
}
