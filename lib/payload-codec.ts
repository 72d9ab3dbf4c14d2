import type { Payload, PayloadCodec } from '@temporalio/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { deriveKey, masterKeyId, masterKeysById, type MasterKeys } from './master-keys';

const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const PURPOSE = 'payload-codec';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = (text: string) => new TextEncoder().encode(text);

/** What the codec makes of a payload it cannot open: plaintext, sealed under an unknown key, or tampered with. */
export type Unopened = 'refuse' | 'show';
/** Workers and clients: such a payload decodes to JSON null, which no message handler accepts (SECURITY.md). */
export const REFUSED_PAYLOAD: Payload = { metadata: { encoding: utf8('json/plain') }, data: utf8('null') };

export class UndecodablePayloadError extends Error {}

/**
 * How the codec seals what it encrypts: `deflate` compresses each payload of DEFLATE_FROM bytes or more
 * first (the read model's views each step carries are most of an onboarding's history, and JSON
 * compresses to a third); `off` seals as releases before it did, which cannot open a compressed payload,
 * for a rolling upgrade from one (docs/deploy.md). Every codec opens both.
 */
export type Compression = 'deflate' | 'off';

/**
 * Encrypts every payload Temporal stores (inputs, results, signals, queries, failures' details) with
 * AES-256-GCM under a key derived from the master key; the history holds only ciphertext and the
 * key id. Decoding is the proof that a master-key holder wrote the payload, so by default anything
 * else decodes to null instead of throwing: a forged message is then refused by the workflow rather
 * than failing its workflow task forever. `show` (the codec endpoint for staff) passes plaintext
 * through and throws UndecodablePayloadError for what it cannot open.
 */
export function createPayloadCodec(
  keys: MasterKeys,
  unopened: Unopened = 'refuse',
  compression: Compression = 'deflate',
): PayloadCodec {
  const encryptKey = deriveKey(keys.current, PURPOSE);
  const encryptKeyId = masterKeyId(keys.current);
  const decryptKeys = new Map([...masterKeysById(keys)].map(([id, key]) => [id, deriveKey(key, PURPOSE)]));
  const nextIv = ivSource();

  function open(payload: Payload): Payload {
    const encrypted = text(payload.metadata?.encoding) === ENCRYPTED_ENCODING;
    if (!encrypted) {
      if (unopened === 'show') return payload;
      return REFUSED_PAYLOAD;
    }
    try {
      return decrypt(payload);
    } catch (err) {
      if (unopened === 'show') throw err;
      return REFUSED_PAYLOAD;
    }
  }

  function decrypt(payload: Payload): Payload {
    const keyId = text(payload.metadata?.[KEY_ID]);
    const key = decryptKeys.get(keyId);
    if (!key) throw new UndecodablePayloadError(`payload encrypted under unknown master key id ${keyId}`);
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new UndecodablePayloadError('encrypted payload too short');
    let plaintext: Buffer;
    try {
      // A full 16-byte tag only: GCM would otherwise accept a truncated one, and with it a forgery.
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new UndecodablePayloadError('encrypted payload does not authenticate');
    }
    return deserialize(plaintext);
  }

  return {
    async encode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((payload) => {
        const iv = nextIv();
        const cipher = createCipheriv('aes-256-gcm', encryptKey, iv, { authTagLength: TAG_BYTES });
        const body = Buffer.concat([cipher.update(serialize(payload, compression)), cipher.final()]);
        return {
          metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID]: utf8(encryptKeyId) },
          data: Buffer.concat([iv, cipher.getAuthTag(), body]),
        };
      });
    },
    async decode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map(open);
    },
  };
}

/**
 * Random IVs, 12 fresh bytes of the CSPRNG each, drawn a block at a time: `randomBytes(12)` per
 * payload is a native job, with its async-hook bookkeeping, for every payload a worker seals (#18).
 * A block's bytes are handed out once, in order; GCM needs an IV never repeated under a key, and
 * 96 random bits are what NIST SP 800-38D's random construction uses.
 */
const IVS_PER_BLOCK = 256;

export function ivSource(): () => Buffer {
  let block = Buffer.alloc(0);
  let offset = 0;
  return () => {
    if (offset === block.length) {
      block = randomBytes(IV_BYTES * IVS_PER_BLOCK);
      offset = 0;
    }
    offset += IV_BYTES;
    return block.subarray(offset - IV_BYTES, offset);
  };
}

const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : '');

/**
 * The inner payload, framed: a version byte, the metadata's length, the metadata as JSON (its values,
 * bytes, in base64; a few dozen bytes), then the data as it is. The first format, JSON with the data in
 * base64 too, cost ten times the CPU and a third more bytes in the history on every payload (#18); it
 * still opens, told apart by its first byte, `{`, which no framed payload starts with.
 */
const FRAMED = 0x01;
const LEGACY_JSON = 0x7b;
/**
 * A framed payload compressed whole with raw deflate at level 1 (fast; higher levels gain little on a
 * few KiB of JSON). Smaller payloads gain too little to pay for it. Compressing before encrypting makes a
 * payload's length depend on its content; that tells nothing here, since no secret enters a history
 * (SECURITY.md). Inflated only after the tag has authenticated, so only a key holder chooses what is
 * inflated, and never past INFLATED_MAX, four times Temporal's default limit on a payload; nothing
 * larger is compressed, so whatever is sealed opens again.
 */
const DEFLATED = 0x02;
const DEFLATE_FROM = 1024;
const INFLATED_MAX = 8 * 1024 * 1024;

function serialize(payload: Payload, compression: Compression): Buffer {
  const framed = frame(payload);
  if (compression === 'off' || framed.length < DEFLATE_FROM || framed.length > INFLATED_MAX) return framed;
  return Buffer.concat([Buffer.of(DEFLATED), deflateRawSync(framed, { level: 1 })]);
}

function frame(payload: Payload): Buffer {
  const metadata = Buffer.from(
    JSON.stringify(
      Object.fromEntries(
        Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
    ),
  );
  const head = Buffer.alloc(5);
  head[0] = FRAMED;
  head.writeUInt32BE(metadata.length, 1);
  // A payload from the workflow thread may carry its bytes as a plain array, not a Uint8Array.
  const data = payload.data ?? new Uint8Array();
  return Buffer.concat([head, metadata, data instanceof Uint8Array ? data : Buffer.from(data)]);
}

function deserialize(bytes: Buffer): Payload {
  if (bytes[0] === DEFLATED) return unframe(inflate(bytes.subarray(1)));
  if (bytes[0] === LEGACY_JSON) {
    const { metadata, data } = JSON.parse(bytes.toString('utf8')) as { metadata: Record<string, string>; data: string };
    return { metadata: fromBase64(metadata), data: new Uint8Array(Buffer.from(data, 'base64')) };
  }
  return unframe(bytes);
}

function inflate(bytes: Buffer): Buffer {
  try {
    return inflateRawSync(bytes, { maxOutputLength: INFLATED_MAX });
  } catch {
    throw new UndecodablePayloadError('compressed payload does not inflate');
  }
}

function unframe(bytes: Buffer): Payload {
  if (bytes[0] !== FRAMED || bytes.length < 5) throw new UndecodablePayloadError('unknown inner payload format');
  const end = 5 + bytes.readUInt32BE(1);
  if (end > bytes.length) throw new UndecodablePayloadError('inner payload truncated');
  const metadata = JSON.parse(bytes.subarray(5, end).toString('utf8')) as Record<string, string>;
  return { metadata: fromBase64(metadata), data: new Uint8Array(bytes.subarray(end)) };
}

const fromBase64 = (metadata: Record<string, string>) =>
  Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]));
