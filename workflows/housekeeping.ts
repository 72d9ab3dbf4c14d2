import { patched, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { PATCHES } from './patches';

const { pruneExpiredRecords, removeUnstartedRows } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '5m',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 5 },
});

/**
 * Run by one Temporal Schedule per installation (api/schedules.ts, every HOUSEKEEPING_INTERVAL): prunes
 * the expired Idempotency-Key answers, rate-limit windows and refresh tokens (db/retention.ts), then removes
 * the rows of onboardings and offboardings whose workflow never started (activities/housekeeping.ts).
 */
export async function housekeepingWorkflow() {
  const pruned = await pruneExpiredRecords();
  if (!patched(PATCHES.housekeepingRemovesUnstartedRows)) return pruned;
  return { ...pruned, unstartedRows: await removeUnstartedRows() };
}
