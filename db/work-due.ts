import type { OpenListener } from '../lib/keep-listening';
import { listen } from './listen';

/** The channel on which PostgreSQL says which of the worker's outboxes has work due now (migration 019). */
const CHANNEL = 'gangway_work_due';

export type DueWork = 'webhooks' | 'failure-notices';

const KINDS: readonly string[] = ['webhooks', 'failure-notices'] satisfies DueWork[];

/** Hears work become due in the outboxes, whoever made it due (db/listen.ts). */
export function listenForDueWork(
  connectionString: string,
  handlers: { onDue(work: DueWork): void; onLost(err: Error): void },
): Promise<OpenListener> {
  return listen(connectionString, CHANNEL, {
    onNotify: (payload) => KINDS.includes(payload) && handlers.onDue(payload as DueWork),
    onLost: (err) => handlers.onLost(err),
  });
}
