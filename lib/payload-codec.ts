import type { Payload, PayloadCodec } from '@temporalio/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey, masterKeyId, masterKeysById, type MasterKeys } from './master-keys';

const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const PURPOSE = 'payload-codec';
const utf8 = (text: string) => new TextEncoder().encode(text);

/**
 * Encrypts every payload Temporal stores (inputs, results, signals, queries, failures' details) with
 * AES-256-GCM under a key derived from the master key; the history holds only ciphertext and the
 * key id. Payloads without our encoding pass through untouched, so histories recorded before the
 * codec (and the replay fixtures) still read.
 */
export function createPayloadCodec(keys: MasterKeys): PayloadCodec {
  const encryptKey = deriveKey(keys.current, PURPOSE);
  const encryptKeyId = masterKeyId(keys.current);
  const decryptKeys = new Map([...masterKeysById(keys)].map(([id, key]) => [id, deriveKey(key, PURPOSE)]));

  return {
    async encode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((payload) => {
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', encryptKey, iv);
        const body = Buffer.concat([cipher.update(serialize(payload)), cipher.final()]);
        return {
          metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID]: utf8(encryptKeyId) },
          data: Buffer.concat([iv, cipher.getAuthTag(), body]),
        };
      });
    },
    async decode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((payload) => {
        if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
        const keyId = text(payload.metadata?.[KEY_ID]);
        const key = decryptKeys.get(keyId);
        if (!key) throw new Error(`payload encrypted under unknown master key id ${keyId}`);
        const data = Buffer.from(payload.data ?? new Uint8Array());
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
        decipher.setAuthTag(data.subarray(12, 28));
        return deserialize(Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]));
      });
    },
  };
}

const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : '');

/** The inner payload as JSON with base64 bytes: no protobuf dependency for a two-field message. */
function serialize(payload: Payload): Buffer {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  );
  return Buffer.from(
    JSON.stringify({ metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') }),
  );
}

function deserialize(bytes: Buffer): Payload {
  const { metadata, data } = JSON.parse(bytes.toString('utf8')) as { metadata: Record<string, string>; data: string };
  return {
    metadata: Object.fromEntries(
      Object.entries(metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]),
    ),
    data: new Uint8Array(Buffer.from(data, 'base64')),
  };
}
