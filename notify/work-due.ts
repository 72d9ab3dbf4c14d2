import { listenForDueWork, type DueWork } from '../db/work-due';
import { keepListening, type KeptListener } from '../lib/keep-listening';
import type { Logger } from '../lib/logger';

/**
 * Wakes the worker's outboxes (webhook deliveries, failure notices) when PostgreSQL says work became due
 * in them (migration 019), so that a webhook leaves within milliseconds of its commit rather than at the
 * next poll, and an idle worker does not ask every second. While this is not heard (starting, or the
 * connection lost until it is back) each outbox polls every second as before; `listening` tells them which.
 * Listening (again) wakes both: what became due meanwhile is not missed.
 */
export function wakeWhenWorkIsDue(options: {
  connectionString: string;
  wake: Record<DueWork, () => void>;
  log: Logger;
}): KeptListener {
  const { wake } = options;
  return keepListening({
    listen: (onLost) => listenForDueWork(options.connectionString, { onDue: (work) => wake[work](), onLost }),
    onListening: () => {
      wake.webhooks();
      wake['failure-notices']();
    },
    what: 'work due in the outboxes (polling every second meanwhile)',
    log: options.log,
  });
}
