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
  /** A notice is new: the next round starts at once. */
  wake(): void;
}

/** Notices mailed in one round; a full round goes again at once. */
const BATCH = 20;

/**
 * Mails each failure notice (db/failure-notices.ts) to its tenant's failure notification emails, each mail
 * once per notice and address (mail_log), then marks it sent. Two workers may take the same notice at
 * once: sendOnce makes the second one's mails no-ops. A tenant with no address settles with none.
 */
export function createFailureNotifier(options: {
  pool: Pool;
  mailer: Mailer;
  log: Logger;
  /** The pause between rounds while nothing wakes the notifier. */
  pollIntervalMs?: number;
  /** True while the notifier is woken (wake()) for every new notice (notify/work-due.ts): it then polls every `idleMs`. */
  wokenWhenDue?: () => boolean;
  idleMs?: number;
}): FailureNotifier {
  const { pool, mailer, log } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const idleMs = options.idleMs ?? 30_000;

  async function runOnce(): Promise<number> {
    const notices = await listPendingNotices(pool, BATCH);
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

  const loop = pollingLoop({
    runOnce,
    intervalMs: pollIntervalMs,
    log,
    failure: 'failure notice round failed',
    pauseMs: (settled) => (settled >= BATCH ? 0 : options.wokenWhenDue?.() ? idleMs : pollIntervalMs),
  });
  return { runOnce, start: loop.start, stop: loop.stop, wake: loop.wake };
}
