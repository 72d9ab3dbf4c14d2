import { randomBytes } from 'node:crypto';
import { insertOrchestratedApiClient, revokeOrchestratedApiClients } from '../db/api-clients';
import { destroyKitSecret } from '../db/kits';
import { withTransaction } from '../db/transaction';
import type { ActivityDeps } from './deps';

export interface IssueApiClientCredentialsInput {
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
     * Issues an API client: a client id and a 256-bit secret. The secret is stored as a keyed hash for /oauth/token and,
     * sealed, in the kit row until the customer opens the kit once. It never leaves this activity:
     * the workflow's history holds only the client id.
     */
    async issueClientCredentials({
      onboardingId,
      tenantId,
      administrators = [],
    }: IssueApiClientCredentialsInput): Promise<{ clientId: string }> {
      // The secret is made before we know whether an earlier attempt issued the client; then it is never stored.
      const secret = secrets.newToken();
      const clientId = await insertOrchestratedApiClient(pool, {
        clientId: `gw_${randomBytes(12).toString('hex')}`,
        secretHash: secrets.hashToken(secret),
        orchestrationId: onboardingId,
        createdAt: clock(),
        tenantId,
        administrators,
        clientSecretSealed: secrets.seal(secret, kitSecretContext(onboardingId)),
      });
      return { clientId };
    },

    /** Compensation: the API client stops working and the undelivered secret is destroyed. */
    async revokeClientCredentials({ onboardingId }: { onboardingId: string }): Promise<void> {
      await withTransaction(pool, async (tx) => {
        await revokeOrchestratedApiClients(tx, onboardingId, clock());
        await destroyKitSecret(tx, onboardingId);
      });
    },
  };
}
