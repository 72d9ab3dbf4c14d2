import { accessChangeActivities } from './access-changes';
import { apiClientActivities } from './api-clients';
import { approvalNoticeActivities } from './approval-notices';
import { auditActivities } from './audit';
import { collectionActivities } from './collection';
import { connectivityActivities } from './connectivity';
import type { ActivityDeps } from './deps';
import { integrationUserActivities } from './integration-users';
import { kitActivities } from './kit';
import { onboardingActionActivities } from './onboarding-actions';
import { offboardingActivities } from './offboarding';
import { progressActivities, withCarriedProgress } from './progress';
import { reverificationActivities } from './reverification';
import { secretDeliveryActivities } from './secret-delivery';
import { submissionReconciliationActivities } from './submission-reconciliation';
import { housekeepingActivities } from './housekeeping';
import { subscriptionActivities } from './subscriptions';
import { tenantActivities } from './tenants';

export type { ActivityDeps } from './deps';

/**
 * Every activity of the onboarding, built from injected dependencies (no module-level state); each
 * writes the read model's pending write first when the workflow hands it one (activities/progress.ts).
 */
export function createActivities(deps: ActivityDeps) {
  const progress = progressActivities(deps);
  return withCarriedProgress(
    {
      ...tenantActivities(deps),
      ...integrationUserActivities(deps),
      ...apiClientActivities(deps),
      ...subscriptionActivities(deps),
      ...approvalNoticeActivities(deps),
      ...collectionActivities(deps),
      ...connectivityActivities(deps),
      ...kitActivities(deps),
      ...progress,
      ...auditActivities(deps),
      ...reverificationActivities(deps),
      ...secretDeliveryActivities(deps),
      ...submissionReconciliationActivities(deps),
      ...housekeepingActivities(deps),
      ...onboardingActionActivities(deps),
      ...offboardingActivities(deps),
      ...accessChangeActivities(deps),
    },
    (carried) => progress.recordProgress(carried),
  );
}
