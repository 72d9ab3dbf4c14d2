import type { SubscriptionCode, SubscriptionRoles } from '../domain';
import type { Queryable } from './queryable';

/** Idempotent: assigning an assigned subscription changes nothing. */
export async function assignSubscriptions(
  db: Queryable,
  tenantId: string,
  codes: SubscriptionCode[],
  at: Date,
  roles: SubscriptionRoles = {},
): Promise<void> {
  await db.query(
    `INSERT INTO subscriptions (tenant_id, code, status, assigned_at, role)
     SELECT $1, code, 'ASSIGNED', $3, $4::jsonb ->> code FROM unnest($2::text[]) AS code
     ON CONFLICT (tenant_id, code) DO UPDATE
       SET status = 'ASSIGNED', assigned_at = EXCLUDED.assigned_at, unassigned_at = NULL, role = EXCLUDED.role
     WHERE subscriptions.status <> 'ASSIGNED'`,
    [tenantId, codes, at, JSON.stringify(roles)],
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

/** The codes the tenant holds now. */
export async function listAssignedCodes(db: Queryable, tenantId: string): Promise<SubscriptionCode[]> {
  const { rows } = await db.query<{ code: SubscriptionCode }>(
    "SELECT code FROM subscriptions WHERE tenant_id = $1 AND status = 'ASSIGNED' ORDER BY code",
    [tenantId],
  );
  return rows.map((r) => r.code);
}

/** Offboarding: every subscription the tenant holds is unassigned; answers the codes this call unassigned. */
export async function unassignAllSubscriptions(db: Queryable, tenantId: string, at: Date): Promise<SubscriptionCode[]> {
  const { rows } = await db.query<{ code: SubscriptionCode }>(
    "UPDATE subscriptions SET status = 'UNASSIGNED', unassigned_at = $2 WHERE tenant_id = $1 AND status = 'ASSIGNED' RETURNING code",
    [tenantId, at],
  );
  return rows.map((r) => r.code).sort();
}
