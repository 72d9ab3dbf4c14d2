import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataKey } from './envelope';
import { deriveKey } from './master-keys';

/**
 * Everything gangway keeps secret derives its keys from the installation's data key with HKDF, one
 * key per purpose, so that a key for hashing tokens can never open a sealed credential. The data
 * key itself is stored wrapped by GANGWAY_MASTER_KEY (envelope encryption, db/data-keys.ts), so a
 * master key rotation changes neither sealed values nor token hashes.
 */
export interface Secrets {
  /** A fresh random credential (bearer tokens, client secrets): 256 bits, URL-safe. */
  newToken(): string;
  /** Keyed hash (HMAC-SHA-256 with a server-side pepper) for high-entropy secrets looked up by value. */
  hashToken(token: string): string;
  /** Constant-time comparison of a presented token against a stored hash. */
  tokenMatches(token: string, storedHash: string): boolean;
  /** AES-256-GCM; the output names its data key, and is bound to its context (associated data). */
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  /** A 256-bit key for one named purpose (e.g. signing access tokens). */
  keyFor(purpose: string): Buffer;
}

export function createSecrets(dataKey: DataKey): Secrets {
  const pepper = deriveKey(dataKey.key, 'token-pepper');
  const sealKey = deriveKey(dataKey.key, 'seal');

  const hashToken = (token: string) => createHmac('sha256', pepper).update(token).digest('hex');
  return {
    keyFor: (purpose) => deriveKey(dataKey.key, `key/${purpose}`),
    newToken: () => randomBytes(32).toString('base64url'),
    hashToken,
    tokenMatches(token, storedHash) {
      const a = Buffer.from(hashToken(token), 'hex');
      const b = Buffer.from(storedHash, 'hex');
      return a.length === b.length && timingSafeEqual(a, b);
    },
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        dataKey.id,
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        body.toString('base64url'),
      ].join('.');
    },
    open(sealed, context) {
      const [keyId, iv, tag, body] = sealed.split('.');
      if (keyId !== dataKey.id || !iv || !tag || body === undefined)
        throw new Error(`sealed value names an unknown data key (${keyId})`);
      // A full 16-byte tag only: GCM would otherwise accept a truncated one.
      const decipher = createDecipheriv('aes-256-gcm', sealKey, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
