import type { SubscriptionCode } from '../domain';
import type { Queryable } from './queryable';

/** Idempotent: assigning an assigned subscription changes nothing. */
export async function assignSubscriptions(
  db: Queryable,
  tenantId: string,
  codes: SubscriptionCode[],
  at: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO subscriptions (tenant_id, code, status, assigned_at)
     SELECT $1, code, 'ASSIGNED', $3 FROM unnest($2::text[]) AS code
     ON CONFLICT (tenant_id, code) DO UPDATE SET status = 'ASSIGNED', assigned_at = EXCLUDED.assigned_at, unassigned_at = NULL
     WHERE subscriptions.status <> 'ASSIGNED'`,
    [tenantId, codes, at],
  );
}

export async function unassignSubscriptions(
  db: Queryable,
  tenantId: string,
  codes: SubscriptionCode[],
  at: Date,
): Promise<void> {
  await db.query(
    `UPDATE subscriptions SET status = 'UNASSIGNED', unassigned_at = $3
     WHERE tenant_id = $1 AND code = ANY($2::text[]) AND status = 'ASSIGNED'`,
    [tenantId, codes, at],
  );
}
