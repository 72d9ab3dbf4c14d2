import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Everything gangway keeps secret derives its keys from GANGWAY_MASTER_KEY with HKDF, one key per
 * purpose, so that a key for hashing tokens can never open a sealed credential.
 */
export interface Secrets {
  /** A fresh random credential (bearer tokens, client secrets): 256 bits, URL-safe. */
  newToken(): string;
  /** Keyed hash (HMAC-SHA-256 with a server-side pepper) for high-entropy secrets looked up by value. */
  hashToken(token: string): string;
  /** Constant-time comparison of a presented token against a stored hash. */
  tokenMatches(token: string, storedHash: string): boolean;
  /** AES-256-GCM; the output names its key id so that the master key can be rotated later. */
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  /** A 256-bit key for one named purpose (e.g. signing access tokens). */
  keyFor(purpose: string): Buffer;
}

const KEY_ID = 'k1';

export function createSecrets(masterKey: Buffer): Secrets {
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `gangway/${purpose}`, 32));
  const pepper = derive('token-pepper');
  const sealKey = derive('seal');

  const hashToken = (token: string) => createHmac('sha256', pepper).update(token).digest('hex');
  return {
    keyFor: (purpose) => derive(`key/${purpose}`),
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
      return [KEY_ID, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed, context) {
      const [keyId, iv, tag, body] = sealed.split('.');
      if (keyId !== KEY_ID || !iv || !tag || body === undefined) throw new Error('sealed value has an unknown format');
      const decipher = createDecipheriv('aes-256-gcm', sealKey, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
