import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { AppError } from '../errors.ts';
import { randomSecret } from './tokens.ts';

/**
 * argon2id at the OWASP / ASVS 4.0 level-2 minimum: 19 MiB memory, 2 passes, 1 lane.
 * The parameters live in each PHC string, so raising them later re-hashes on next login.
 */
export const argon2Params = {
  algorithm: 2 /* Algorithm.Argon2id (a const enum) */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  return common;
}

/** Returns the reasons a password is refused (empty when acceptable). */
export function passwordProblems(password: string, username?: string): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN) problems.push(`at least ${PASSWORD_MIN} characters`);
  if (length > PASSWORD_MAX) problems.push(`at most ${PASSWORD_MAX} characters`);
  if (commonPasswords().has(password.toLowerCase())) problems.push('not a commonly used password');
  if (username && password.toLowerCase().includes(username.toLowerCase())) problems.push('must not contain the username');
  return problems;
}

/** The demo accounts' password (core/seed.ts). Accepted for new passwords on a demo server only (`demo` below). */
export const DEMO_PASSWORD = 'demo';

/**
 * Refuses a password the policy does not accept, saying what the policy wants. `demo`: the server
 * runs the demo province (core/org/users-service.ts `demoServer`), where the password "demo" is
 * also accepted, so that a newcomer's extra accounts sign in like the seeded ones; nowhere else.
 */
export function assertPasswordPolicy(password: string, username?: string, options: { demo?: boolean } = {}): void {
  if (options.demo && password === DEMO_PASSWORD) return;
  const problems = passwordProblems(password, username);
  if (problems.length) {
    const also = options.demo ? ` (this demo server also accepts the password "${DEMO_PASSWORD}")` : '';
    throw new AppError('auth.weak_password', `Password must be: ${problems.join('; ')}${also}`, { problems });
  }
}

/**
 * A random password (16 URL-safe characters) that passes the policy for this username. A random
 * string can contain a short username ("an" about once in 70 draws), so draw again until it passes.
 */
export function generatePassword(username?: string, draw: () => string = () => randomSecret(12)): string {
  for (let i = 0; i < 100; i++) {
    const candidate = draw();
    if (passwordProblems(candidate, username).length === 0) return candidate;
  }
  throw new AppError('internal', 'Could not generate a password that meets the policy');
}

/** The argon2 calls, behind one object so that tests can observe the work done. */
export const argon2 = {
  hash: (password: string) => hash(password, argon2Params),
  verify: (stored: string, password: string) => verify(stored, password),
};

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password);
}

let dummy: Promise<string> | undefined;
/**
 * A hash of a random password with the current parameters, made once per process. A login for
 * a name without an account (or an account without a password) is verified against it, so it
 * costs exactly what a wrong password for a real account costs.
 */
export function dummyHash(): Promise<string> {
  dummy ??= argon2.hash(randomSecret(24)).catch((e: unknown) => {
    dummy = undefined;
    throw e;
  });
  return dummy;
}

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  try {
    if (!stored) {
      await argon2.verify(await dummyHash(), password);
      return false;
    }
    return await argon2.verify(stored, password);
  } catch {
    return false;
  }
}

export function needsRehash(stored: string): boolean {
  return !stored.startsWith(`$argon2id$v=19$m=${argon2Params.memoryCost},t=${argon2Params.timeCost},p=${argon2Params.parallelism}$`);
}
