import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';

const { pruneExpiredRecords } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '5m',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 5 },
});

/**
 * Run by one Temporal Schedule per installation (api/schedules.ts, every HOUSEKEEPING_INTERVAL): prunes
 * the expired Idempotency-Key answers, rate-limit windows and refresh tokens (db/retention.ts).
 */
export async function housekeepingWorkflow() {
  return pruneExpiredRecords();
}
