import { defaultPayloadConverter } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { createPayloadCodec } from '../lib/payload-codec';

/**
 * The payload codec's cost per payload, encode then decode, at the sizes an onboarding's payloads have
 * (a signal's few hundred bytes, a view of a few KiB, a large view): microseconds per payload, the median
 * of seven rounds, and the sealed size. Run in two checkouts to compare codecs:
 *
 *   node -r ./scripts/register-ts.js bench/codec-cost.ts
 */
async function main(): Promise<void> {
  const codec = createPayloadCodec({ current: randomBytes(32), previous: [] });
  console.log('| payload bytes | sealed bytes | µs per payload (encode + decode) |');
  console.log('| --- | --- | --- |');
  for (const size of [300, 3_000, 20_000]) {
    const payload = defaultPayloadConverter.toPayload({ text: 'x'.repeat(size - 11) });
    const n = Math.max(200, Math.floor(2_000_000 / size));
    const rounds: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) await codec.decode(await codec.encode([payload]));
      rounds.push(Number(process.hrtime.bigint() - t0) / n / 1000);
    }
    const [sealed] = await codec.encode([payload]);
    rounds.sort((a, b) => a - b);
    console.log(`| ${payload.data!.length} | ${sealed.data!.length} | ${rounds[3].toFixed(1)} |`);
  }
}

void main();
