import type { Pool } from 'pg';
import { listPendingNotices, markNoticeSent } from '../db/failure-notices';
import type { Logger } from '../lib/logger';
import { pollingLoop } from '../lib/polling-loop';
import type { Mailer } from './mailer';
import { sendOnce } from './mail-log';

export interface FailureNotifier {
  /** Mails the pending notices; returns how many it settled. */
  runOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Mails each failure notice (db/failure-notices.ts) to its tenant's failure notification emails, each mail
 * once per notice and address (mail_log), then marks it sent. Two workers may take the same notice at
 * once: sendOnce makes the second one's mails no-ops. A tenant with no address settles with none.
 */
export function createFailureNotifier(options: {
  pool: Pool;
  mailer: Mailer;
  log: Logger;
  pollIntervalMs?: number;
}): FailureNotifier {
  const { pool, mailer, log } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;

  async function runOnce(): Promise<number> {
    const notices = await listPendingNotices(pool, 20);
    for (const notice of notices) {
      for (const to of notice.recipients)
        await sendOnce(pool, mailer, {
          idempotencyKey: `failure:${notice.key}:${to.toLowerCase()}`,
          to,
          subject: notice.subject,
          text: notice.body,
        });
      await markNoticeSent(pool, notice.key, notice.recipients);
      log.info({ kind: notice.kind, recipients: notice.recipients.length }, 'failure notice sent');
    }
    return notices.length;
  }

  const loop = pollingLoop({ runOnce, intervalMs: pollIntervalMs, log, failure: 'failure notice round failed' });
  return { runOnce, start: loop.start, stop: loop.stop };
}
