import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey, masterKeyId, masterKeysById, type MasterKeys } from './master-keys';

/** A data key in clear, held in memory only; `id` names its row in data_keys. */
export interface DataKey {
  id: string;
  key: Buffer;
}
export interface WrappedDataKey {
  id: string;
  masterKeyId: string;
  wrapped: string;
}

const PURPOSE = 'wrap-data-key';

export function newDataKey(): DataKey {
  return { id: `dk_${randomBytes(8).toString('hex')}`, key: randomBytes(32) };
}

/** AES-256-GCM under a key derived from the master key, bound to the data key's id. */
export function wrapDataKey(dataKey: DataKey, master: Buffer): WrappedDataKey {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(master, PURPOSE), iv);
  cipher.setAAD(Buffer.from(dataKey.id));
  const body = Buffer.concat([cipher.update(dataKey.key), cipher.final()]);
  const wrapped = [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
  return { id: dataKey.id, masterKeyId: masterKeyId(master), wrapped };
}

export class UnknownMasterKeyError extends Error {}

/** Opens a wrapped data key with whichever known master key wrapped it. */
export function unwrapDataKey(row: WrappedDataKey, keys: MasterKeys): DataKey {
  const master = masterKeysById(keys).get(row.masterKeyId);
  if (!master) {
    throw new UnknownMasterKeyError(
      `data key ${row.id} is wrapped by master key ${row.masterKeyId}, which is neither GANGWAY_MASTER_KEY (${masterKeyId(keys.current)}) nor in GANGWAY_PREVIOUS_MASTER_KEYS`,
    );
  }
  const [iv, tag, body] = row.wrapped.split('.').map((part) => Buffer.from(part, 'base64url'));
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(master, PURPOSE), iv, { authTagLength: 16 });
  decipher.setAAD(Buffer.from(row.id));
  decipher.setAuthTag(tag);
  return { id: row.id, key: Buffer.concat([decipher.update(body), decipher.final()]) };
}
