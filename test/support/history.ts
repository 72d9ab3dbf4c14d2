import type { Payload, PayloadCodec } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

/**
 * Everything a workflow history says, as searchable text: payload bytes decoded as UTF-8 (JSON
 * payloads are plain JSON), beside every string field. JSON.stringify alone would render the
 * bytes as {"0":123,…} and hide any secret from a search.
 */
export function historyText(history: History): string {
  const parts: string[] = [];
  const walk = (value: unknown): void => {
    if (value instanceof Uint8Array) parts.push(Buffer.from(value).toString('utf8'));
    else if (typeof value === 'string') parts.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(history);
  return parts.join('\n');
}

/** The same text after running every payload through the codec, as the codec endpoint would for staff. */
export async function decodedHistoryText(history: History, codec: PayloadCodec): Promise<string> {
  const isPayload = (v: unknown): v is Payload => !!v && typeof v === 'object' && 'metadata' in v && 'data' in v;
  const decode = async (value: unknown): Promise<unknown> => {
    if (isPayload(value)) return (await codec.decode([value]))[0];
    if (value instanceof Uint8Array || typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return Promise.all(value.map(decode));
    return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await decode(v)])));
  };
  return historyText((await decode(history)) as History);
}
