import { assignSubscriptions, unassignSubscriptions } from '../db/subscriptions';
import type { SubscriptionCode, SubscriptionRoles } from '../domain';
import type { ActivityDeps } from './deps';

export interface SubscriptionsInput {
  tenantId: string;
  codes: SubscriptionCode[];
  /** ShipServ: the INVOICING role (buyer or supplier), stored with the assignment. */
  roles?: SubscriptionRoles;
}

export function subscriptionActivities({ pool, clock }: Pick<ActivityDeps, 'pool' | 'clock'>) {
  return {
    /** Idempotent: assigning an assigned subscription changes nothing. */
    async assignSubscriptions({ tenantId, codes, roles }: SubscriptionsInput): Promise<void> {
      await assignSubscriptions(pool, tenantId, codes, clock(), roles);
    },

    /** Compensation of assignSubscriptions. */
    async unassignSubscriptions({ tenantId, codes }: SubscriptionsInput): Promise<void> {
      await unassignSubscriptions(pool, tenantId, codes, clock());
    },
  };
}
