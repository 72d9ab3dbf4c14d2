import { randomBytes } from 'node:crypto';
import { withTransaction } from '../db/transaction';
import type { ActivityDeps } from './deps';

export interface IssueClientCredentialsInput {
  onboardingId: string;
  tenantId: string;
  /** TecCom: a client always has an administrator. Absent in inputs recorded before the rule. */
  administrators?: string[];
}

/** The sealed client secret waits in the kit row; this context binds it to that one onboarding. */
export const kitSecretContext = (onboardingId: string) => `kit-secret:${onboardingId}`;

export function apiClientActivities({ pool, secrets, clock }: Pick<ActivityDeps, 'pool' | 'secrets' | 'clock'>) {
  return {
    /**
     * Issues a client id and a 256-bit secret. The secret is stored as a keyed hash for /oauth/token and,
     * sealed, in the kit row until the customer opens the kit once. It never leaves this activity:
     * the workflow's history holds only the client id.
     */
    async issueClientCredentials({ onboardingId, tenantId, administrators = [] }: IssueClientCredentialsInput): Promise<{ clientId: string }> {
      return withTransaction(pool, async (client) => {
        const existing = await client.query<{ client_id: string }>('SELECT client_id FROM api_clients WHERE orchestration_id = $1', [onboardingId]);
        if (existing.rows[0]) return { clientId: existing.rows[0].client_id };
        const clientId = `gw_${randomBytes(12).toString('hex')}`;
        const secret = secrets.newToken();
        await client.query('INSERT INTO api_clients (client_id, secret_hash, orchestration_id, created_at) VALUES ($1, $2, $3, $4)', [
          clientId,
          secrets.hashToken(secret),
          onboardingId,
          clock(),
        ]);
        await client.query('INSERT INTO api_client_tenants (client_id, tenant_id) VALUES ($1, $2)', [clientId, tenantId]);
        await client.query(
          'INSERT INTO api_client_administrators (client_id, email) SELECT $1, lower(e) FROM unnest($2::text[]) AS e ON CONFLICT DO NOTHING',
          [clientId, administrators],
        );
        await client.query('INSERT INTO kits (onboarding_id, client_id, client_secret_sealed) VALUES ($1, $2, $3)', [
          onboardingId,
          clientId,
          secrets.seal(secret, kitSecretContext(onboardingId)),
        ]);
        return { clientId };
      });
    },

    /** Compensation: the client stops working and the undelivered secret is destroyed. */
    async revokeClientCredentials({ onboardingId }: { onboardingId: string }): Promise<void> {
      await withTransaction(pool, async (client) => {
        const revoked = await client.query<{ client_id: string }>(
          'UPDATE api_clients SET revoked_at = COALESCE(revoked_at, $2) WHERE orchestration_id = $1 RETURNING client_id',
          [onboardingId, clock()],
        );
        for (const { client_id } of revoked.rows) await client.query('DELETE FROM api_client_tenants WHERE client_id = $1', [client_id]);
        await client.query('UPDATE kits SET client_secret_sealed = NULL WHERE onboarding_id = $1', [onboardingId]);
      });
    },
  };
}
