import type { ActivityDeps } from './deps';
import { collectorContext } from './collection';

export interface VerifyPortalLoginInput { onboardingId: string; collectorLinkId: string; portalUrl: string }
export type PortalLoginOutcome = 'CONNECTED' | 'WRONG_CREDENTIALS';

/** The portal refused these credentials: an answer for the workflow, not an error to retry. */
const REFUSED = new Set([401, 403]);

export function connectivityActivities({ pool, secrets, http, config }: Pick<ActivityDeps, 'pool' | 'secrets' | 'http' | 'config'>) {
  return {
    /**
     * Logs into the client's portal with the submitted credentials (contract: POST {portalUrl}/login).
     * 2xx is connected, 401/403 wrong credentials; anything else throws, and the retry policy backs
     * off until the connectivity deadline.
     */
    async verifyPortalLogin({ onboardingId, collectorLinkId, portalUrl }: VerifyPortalLoginInput): Promise<{ outcome: PortalLoginOutcome }> {
      const { rows } = await pool.query<{ credentials_sealed: string | null }>(
        'SELECT credentials_sealed FROM collector_links WHERE id = $1 AND onboarding_id = $2',
        [collectorLinkId, onboardingId],
      );
      // A submission whose row never committed counts as wrong credentials: the client gets a fresh link.
      if (!rows[0]?.credentials_sealed) return { outcome: 'WRONG_CREDENTIALS' };
      const credentials = JSON.parse(secrets.open(rows[0].credentials_sealed, collectorContext(collectorLinkId))) as { username: string; password: string };

      const response = await http(new URL('login', portalUrl.endsWith('/') ? portalUrl : `${portalUrl}/`), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(credentials),
        signal: AbortSignal.timeout(config.portalTimeoutMs),
        redirect: 'manual',
      });
      await response.body?.cancel();
      if (response.ok) return { outcome: 'CONNECTED' };
      if (REFUSED.has(response.status)) return { outcome: 'WRONG_CREDENTIALS' };
      throw new Error(`portal answered ${response.status}`);
    },
  };
}
