import type { SubscriptionCode } from '../domain';
import type { ActivityDeps } from './deps';

export interface SubscriptionsInput { tenantId: string; codes: SubscriptionCode[] }

export function subscriptionActivities({ pool, clock }: Pick<ActivityDeps, 'pool' | 'clock'>) {
  return {
    /** Idempotent: assigning an assigned subscription changes nothing. */
    async assignSubscriptions({ tenantId, codes }: SubscriptionsInput): Promise<void> {
      await pool.query(
        `INSERT INTO subscriptions (tenant_id, code, status, assigned_at)
         SELECT $1, code, 'ASSIGNED', $3 FROM unnest($2::text[]) AS code
         ON CONFLICT (tenant_id, code) DO UPDATE SET status = 'ASSIGNED', assigned_at = EXCLUDED.assigned_at, unassigned_at = NULL
         WHERE subscriptions.status <> 'ASSIGNED'`,
        [tenantId, codes, clock()],
      );
    },

    /** Compensation of assignSubscriptions. */
    async unassignSubscriptions({ tenantId, codes }: SubscriptionsInput): Promise<void> {
      await pool.query(
        `UPDATE subscriptions SET status = 'UNASSIGNED', unassigned_at = $3
         WHERE tenant_id = $1 AND code = ANY($2::text[]) AND status = 'ASSIGNED'`,
        [tenantId, codes, clock()],
      );
    },
  };
}
