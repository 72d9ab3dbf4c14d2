import { defaultPayloadConverter } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { createPayloadCodec } from '../../lib/payload-codec';

describe('payload codec', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const plain = defaultPayloadConverter.toPayload({ password: 'hunter2' });

  it('encrypts every payload, and decodes it back to the same payload', async () => {
    const codec = createPayloadCodec({ current: oldKey, previous: [] });
    const [encoded] = await codec.encode([plain]);
    expect(Buffer.from(encoded.data!).toString('latin1')).not.toContain('hunter2');
    expect(Buffer.from(encoded.metadata!.encoding).toString()).toBe('binary/encrypted');
    expect(await codec.decode([encoded])).toEqual([plain]);
  });

  it('passes payloads it did not encode through (histories recorded before the codec)', async () => {
    expect(await createPayloadCodec({ current: oldKey, previous: [] }).decode([plain])).toEqual([plain]);
  });

  it('after a rotation, decodes old payloads with the previous key, and refuses them without it', async () => {
    const [encoded] = await createPayloadCodec({ current: oldKey, previous: [] }).encode([plain]);
    expect(await createPayloadCodec({ current: newKey, previous: [oldKey] }).decode([encoded])).toEqual([plain]);
    await expect(createPayloadCodec({ current: newKey, previous: [] }).decode([encoded])).rejects.toThrow(
      /unknown master key id/,
    );
  });
});
