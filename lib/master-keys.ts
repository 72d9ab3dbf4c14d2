import { createHmac, hkdfSync } from 'node:crypto';

/**
 * The master key and the ones it replaced. Everything wrapped or encrypted under a master key names
 * it by id, so that after a rotation the previous keys still open what they sealed until it is
 * re-wrapped (`gangway keys rewrap`) and they can be dropped from GANGWAY_PREVIOUS_MASTER_KEYS.
 */
export interface MasterKeys {
  current: Buffer;
  previous: readonly Buffer[];
}

/** A short public name for a key: an HMAC of a fixed label, so the id reveals nothing of the key. */
export function masterKeyId(key: Buffer): string {
  return createHmac('sha256', key).update('gangway/master-key-id').digest('hex').slice(0, 16);
}

/** One 256-bit key per purpose, derived with HKDF, so a key for one job can never do another's. */
export function deriveKey(key: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `gangway/${purpose}`, 32));
}

/** Every known master key by id, the current one first. */
export function masterKeysById(keys: MasterKeys): Map<string, Buffer> {
  return new Map([keys.current, ...keys.previous].map((key) => [masterKeyId(key), key]));
}
