import type { temporal } from '@temporalio/proto';

/**
 * Everything a workflow history says, as searchable text: payload bytes decoded as UTF-8 (JSON
 * payloads are plain JSON), beside every string field. JSON.stringify alone would render the
 * bytes as {"0":123,…} and hide any secret from a search.
 */
export function historyText(history: temporal.api.history.v1.IHistory): string {
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
