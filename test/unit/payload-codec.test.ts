import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { createCipheriv, randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { deriveKey, masterKeyId } from '../../lib/master-keys';
import { createPayloadCodec, ivSource, REFUSED_PAYLOAD, UndecodablePayloadError } from '../../lib/payload-codec';

describe('payload codec', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const plain = defaultPayloadConverter.toPayload({ password: 'hunter2' });
  const withData = (p: Payload, data: Buffer): Payload => ({ ...p, data });

  it('encrypts every payload, and decodes it back to the same payload', async () => {
    const codec = createPayloadCodec({ current: oldKey, previous: [] });
    const [encoded] = await codec.encode([plain]);
    expect(Buffer.from(encoded.data!).toString('latin1')).not.toContain('hunter2');
    expect(Buffer.from(encoded.metadata!.encoding).toString()).toBe('binary/encrypted');
    expect(await codec.decode([encoded])).toEqual([plain]);
  });

  it('decodes a payload it did not encrypt to null (a forgery), or shows it as it is to staff', async () => {
    expect(await createPayloadCodec({ current: oldKey, previous: [] }).decode([plain])).toEqual([REFUSED_PAYLOAD]);
    expect(defaultPayloadConverter.fromPayload(REFUSED_PAYLOAD)).toBeNull();
    expect(await createPayloadCodec({ current: oldKey, previous: [] }, 'show').decode([plain])).toEqual([plain]);
  });

  it('after a rotation, decodes old payloads with the previous key, and refuses them without it', async () => {
    const [encoded] = await createPayloadCodec({ current: oldKey, previous: [] }).encode([plain]);
    expect(await createPayloadCodec({ current: newKey, previous: [oldKey] }).decode([encoded])).toEqual([plain]);
    expect(await createPayloadCodec({ current: newKey, previous: [] }).decode([encoded])).toEqual([REFUSED_PAYLOAD]);
    await expect(createPayloadCodec({ current: newKey, previous: [] }, 'show').decode([encoded])).rejects.toThrow(
      /unknown master key id/,
    );
  });

  it('refuses a flipped bit, a truncated tag and a short payload instead of throwing', async () => {
    const codec = createPayloadCodec({ current: oldKey, previous: [] });
    const [encoded] = await codec.encode([plain]);
    const data = Buffer.from(encoded.data!);
    const flipped = Buffer.from(data);
    flipped[data.length - 1] ^= 1;
    // iv (12) + a 4-byte tag + body: GCM without a fixed tag length would check only those 4 bytes.
    const truncated = Buffer.concat([data.subarray(0, 16), data.subarray(28)]);
    for (const bad of [flipped, truncated, data.subarray(0, 20), Buffer.alloc(0)]) {
      expect(await codec.decode([withData(encoded, bad)])).toEqual([REFUSED_PAYLOAD]);
      await expect(
        createPayloadCodec({ current: oldKey, previous: [] }, 'show').decode([withData(encoded, bad)]),
      ).rejects.toThrow(UndecodablePayloadError);
    }
  });
});

describe('payload codec, inner format', () => {
  const key = randomBytes(32);
  const codec = createPayloadCodec({ current: key, previous: [] });
  const view = defaultPayloadConverter.toPayload({ steps: Array.from({ length: 10 }, (_, i) => `STEP_${i} DONE`) });

  /** What the codec wrote before the framed format: the inner payload as JSON, its bytes in base64. */
  function sealLegacy(payload: Payload): Payload {
    return seal(
      key,
      Buffer.from(
        JSON.stringify({
          metadata: Object.fromEntries(
            Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(payload.data!).toString('base64'),
        }),
      ),
    );
  }

  it('still opens payloads sealed in the first (JSON) format, as histories recorded before hold them', async () => {
    expect(await codec.decode([sealLegacy(view)])).toEqual([view]);
  });

  it('seals the data as it is, not in base64: a third fewer bytes than the first format', async () => {
    const [framed] = await codec.encode([view]);
    const legacy = sealLegacy(view);
    expect(framed.data!.length).toBeLessThan(legacy.data!.length);
    // iv, tag, version byte, metadata length, {"encoding":"<base64 of json/plain>"}, and the data itself.
    expect(framed.data!.length).toBe(12 + 16 + 1 + 4 + '{"encoding":"anNvbi9wbGFpbg=="}'.length + view.data!.length);
  });

  it('takes bytes given as a plain array, as the workflow thread may hand them over', async () => {
    const asArray = { ...view, data: Array.from(view.data!) as unknown as Uint8Array };
    expect(await codec.decode(await codec.encode([asArray]))).toEqual([view]);
  });

  it('keeps metadata that is not text, and empty data', async () => {
    const odd: Payload = { metadata: { raw: new Uint8Array([0, 255, 7]) }, data: new Uint8Array() };
    expect(await codec.decode(await codec.encode([odd]))).toEqual([odd]);
  });

  it('seals each payload under an IV of its own, across the blocks its IVs are drawn from', async () => {
    const sealed = await codec.encode(Array.from({ length: 1_000 }, () => view));
    const ivs = sealed.map((p) => Buffer.from(p.data!).subarray(0, 12).toString('hex'));
    expect(new Set(ivs).size).toBe(1_000);
  });

  it('hands out IVs that a later draw never changes', () => {
    const next = ivSource();
    const first = next();
    const kept = Buffer.from(first);
    const later = Array.from({ length: 600 }, () => next());
    expect(first.length).toBe(12);
    expect(first.equals(kept)).toBe(true);
    expect(later.some((iv) => iv.equals(first))).toBe(false);
  });
});

describe('payload codec, compression', () => {
  const key = randomBytes(32);
  const keys = { current: key, previous: [] };
  const compressing = createPayloadCodec(keys);
  const notCompressing = createPayloadCodec(keys, 'refuse', 'off');
  // A read-model view's shape: ten steps, each with its status, detail and times, as JSON.
  const view = defaultPayloadConverter.toPayload({
    steps: Array.from({ length: 10 }, (_, i) => ({
      step: `STEP_${i}`,
      status: 'DONE',
      detail: `step ${i} done`,
      startedAt: new Date(Date.UTC(2026, 11, 1, 9, i)).toISOString(),
      finishedAt: new Date(Date.UTC(2026, 11, 1, 9, i, 30)).toISOString(),
    })),
  });
  const small = defaultPayloadConverter.toPayload({ clientId: 'c-1', attempt: 2 });

  it('compresses a payload of a KiB or more before sealing it: a view seals to under half its size', async () => {
    expect(view.data!.length).toBeGreaterThan(1024);
    const [compressed] = await compressing.encode([view]);
    const [plain] = await notCompressing.encode([view]);
    expect(compressed.data!.length).toBeLessThan(plain.data!.length / 2);
    expect(await compressing.decode([compressed])).toEqual([view]);
  });

  it('leaves a small payload as it is: the same sealed size either way', async () => {
    const [a] = await compressing.encode([small]);
    const [b] = await notCompressing.encode([small]);
    expect(a.data!.length).toBe(b.data!.length);
    expect(await compressing.decode([a])).toEqual([small]);
  });

  it('opens compressed and uncompressed payloads whichever way it seals (a rolling upgrade)', async () => {
    const [compressed] = await compressing.encode([view]);
    const [uncompressed] = await notCompressing.encode([view]);
    for (const codec of [compressing, notCompressing])
      expect(await codec.decode([compressed, uncompressed])).toEqual([view, view]);
  });

  it('refuses an authentic payload that does not inflate, or inflates past the bound, instead of throwing', async () => {
    // 0xff opens a deflate block of the reserved type 3, which never inflates; random bytes alone sometimes do.
    const garbage = seal(key, Buffer.concat([Buffer.of(0x02, 0xff), randomBytes(63)]));
    // 64 MiB of zeros deflate to about 64 KiB: authentic, but past what the codec ever seals compressed.
    const bomb = seal(key, Buffer.concat([Buffer.of(0x02), deflateRawSync(Buffer.alloc(64 * 1024 * 1024))]));
    for (const bad of [garbage, bomb]) {
      expect(await compressing.decode([bad])).toEqual([REFUSED_PAYLOAD]);
      await expect(createPayloadCodec(keys, 'show').decode([bad])).rejects.toThrow(/does not inflate/);
    }
  });

  it('seals a payload too large to compress within the bound as it is, so that it opens again', async () => {
    const large = defaultPayloadConverter.toPayload({ text: 'x'.repeat(9 * 1024 * 1024) });
    const [sealed] = await compressing.encode([large]);
    expect(sealed.data!.length).toBeGreaterThan(large.data!.length);
    const [opened] = await compressing.decode([sealed]);
    // Buffer.equals: jest's toEqual walks 9 MiB element by element.
    expect(Buffer.from(opened.data!).equals(Buffer.from(large.data!))).toBe(true);
  });
});

/** Any inner bytes, encrypted under the key as the codec does: authentic, whatever they hold. */
function seal(key: Buffer, inner: Buffer): Payload {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(key, 'payload-codec'), iv, { authTagLength: 16 });
  const body = Buffer.concat([cipher.update(inner), cipher.final()]);
  return {
    metadata: { encoding: Buffer.from('binary/encrypted'), 'encryption-key-id': Buffer.from(masterKeyId(key)) },
    data: Buffer.concat([iv, cipher.getAuthTag(), body]),
  };
}
