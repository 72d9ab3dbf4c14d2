import { createHash } from 'node:crypto';
import type { QueryConfig } from 'pg';

const names = new Map<string, string>();

/**
 * A statement PostgreSQL parses and plans once per connection and afterwards only executes, for the ones
 * sent on every request or step: an unnamed statement is parsed and planned each time, which measured more
 * than half of PostgreSQL's CPU for reading one onboarding (docs/performance.md, #18). The name comes from
 * the text, so one name never stands for two texts on a connection (pg refuses that), and a statement built
 * from a caller's filters gets one name per shape of filters, never per value.
 */
export function prepared(text: string, values: unknown[]): QueryConfig {
  let name = names.get(text);
  if (name === undefined) {
    name = `gangway_${createHash('sha256').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return { name, text, values };
}
