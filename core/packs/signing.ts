import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { AppError } from '../errors.ts';

/**
 * The published demo key's id (procedures/demo-key): it signs the base pack in demo mode and is
 * never trusted otherwise.
 */
export const DEMO_KEY_ID = 'b301412ad33fbddd';

/** An Ed25519 key pair as PEM text (PKCS#8 private, SubjectPublicKeyInfo public) with its key id. */
export interface PackKeyPair {
  keyId: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

/** The 32 raw bytes of an Ed25519 public key (the last 32 bytes of its DER SubjectPublicKeyInfo). */
function rawPublicKey(key: KeyObject): Buffer {
  const der = (key.type === 'private' ? createPublicKey(key) : key).export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - 32);
}

/** Key id: the first 16 hex digits of the SHA-256 of the raw 32-byte public key (a private key gives its public key's id). */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 16);
}

export function generatePackKeys(): PackKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    keyId: keyIdOf(publicKey),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Reads an Ed25519 public key from PEM (or from the private key's PEM, deriving it). */
export function loadPublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = /PRIVATE KEY/.test(pem) ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  } catch (e) {
    throw new AppError('pack.key_invalid', `Cannot read the public key: ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new AppError('pack.key_invalid', `The key is ${key.asymmetricKeyType}, not Ed25519`);
  return key;
}

export function loadPrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw new AppError('pack.key_invalid', `Cannot read the private key: ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new AppError('pack.key_invalid', `The key is ${key.asymmetricKeyType}, not Ed25519`);
  return key;
}

/** PEM of a public key, normalised (so the same key is stored and compared the same way). */
export function publicKeyPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

/** Base64 Ed25519 signature of the exact bytes. */
export function signBytes(bytes: Buffer, privateKey: KeyObject): string {
  return sign(null, bytes, privateKey).toString('base64');
}

/** True when `signature` (base64 text, surrounding whitespace ignored) signs exactly `bytes`. */
export function verifyBytes(bytes: Buffer, signature: string, publicKey: KeyObject): boolean {
  const text = signature.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return false;
  const sig = Buffer.from(text, 'base64');
  if (sig.length !== 64) return false;
  try {
    return verify(null, bytes, publicKey, sig);
  } catch {
    return false;
  }
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
