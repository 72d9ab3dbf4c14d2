import type { Queryable } from './queryable';

/**
 * Who administers a tenant (TecCom's "organisation administration rights"), for callers who are not admins.
 * gangway has no organisation membership of its own, so the rights follow what already ties a person to a
 * tenant: a tenant on an API client belongs to that client's administrators; a tenant on no client (never
 * attached, or taken off its client to be moved) belongs to whoever started an onboarding of it and to the
 * administrators of the API client its onboarding issued, its home client.
 */
export async function administersTenant(
  db: Queryable,
  caller: { id: string; email: string },
  tenantId: string,
): Promise<boolean> {
  const { rows } = await db.query<{ administers: boolean }>(
    `SELECT CASE
       WHEN EXISTS (SELECT 1 FROM api_client_tenants WHERE tenant_id = $1::uuid)
       THEN EXISTS (SELECT 1 FROM api_client_tenants a
                      JOIN api_client_administrators ad ON ad.client_id = a.client_id
                     WHERE a.tenant_id = $1::uuid AND ad.email = lower($3))
       ELSE EXISTS (SELECT 1 FROM onboardings o
                     WHERE o.view #>> '{tenant,tenantId}' = $1::text AND o.started_by = $2::uuid)
         OR EXISTS (SELECT 1 FROM onboardings o
                      JOIN api_clients c ON c.orchestration_id = o.id::text AND c.revoked_at IS NULL
                      JOIN api_client_administrators ad ON ad.client_id = c.client_id
                     WHERE o.view #>> '{tenant,tenantId}' = $1::text AND ad.email = lower($3))
     END AS administers`,
    [tenantId, caller.id, caller.email],
  );
  return rows[0].administers;
}
