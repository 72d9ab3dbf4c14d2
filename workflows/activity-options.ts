import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { CarryingProgress } from '../activities/progress';
import type { OnboardingPolicy } from '../domain';

type Activities = CarryingProgress<ReturnType<typeof createActivities>>;

/** Writes to our own PostgreSQL stores: quick, and retried until the database is back. */
export const db = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    nonRetryableErrorTypes: ['INVALID_INPUT', 'CONFLICT'],
  },
});

/** Mail: the SMTP server may be away for a while; each mail is keyed, so retries never send twice. */
export const notify = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5m' },
});

/** The projection is a single short upsert: a local activity keeps it out of the task queue round trip. */
export const projection = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * One portal check of the workflow's own loop (workflows/connectivity-checks.ts): the portal's
 * answer comes back as a value; only our side failing (database, worker) is retried here.
 */
export function portalCheck(policy: OnboardingPolicy) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: policy.connectivityDeadlineMs,
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '30s',
      nonRetryableErrorTypes: ['INVALID_INPUT'],
    },
  });
}
