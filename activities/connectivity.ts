import { findSubmittedCredentials } from '../db/collector-links';
import { EGRESS_REFUSED, isEgressRefusal } from '../lib/egress';
import type { ActivityDeps } from './deps';
import { collectorContext } from './collection';

export interface VerifyPortalLoginInput {
  onboardingId: string;
  collectorLinkId: string;
  portalUrl: string;
}
export type PortalLoginOutcome = 'CONNECTED' | 'WRONG_CREDENTIALS';
/**
 * One login attempt's answer; a transient one names the class of trouble for the onboarding view.
 * REFUSED: the egress guard will never let gangway call this portal, so trying again is pointless.
 */
export interface PortalCheckResult {
  outcome: PortalLoginOutcome | 'TRANSIENT' | 'REFUSED';
  errorClass: string | null;
  status?: number;
}

/** The portal refused these credentials: an answer for the workflow, not an error to retry. */
const REFUSED = new Set([401, 403]);

export function connectivityActivities({
  pool,
  secrets,
  http,
  config,
  log,
}: Pick<ActivityDeps, 'pool' | 'secrets' | 'http' | 'config' | 'log'>) {
  /**
   * Logs into the portal client's portal with the submitted credentials (contract: POST {portalUrl}/login).
   * 2xx is connected, 401/403 wrong credentials, anything else (5xx, timeout, refused) transient.
   */
  async function check({
    onboardingId,
    collectorLinkId,
    portalUrl,
  }: VerifyPortalLoginInput): Promise<PortalCheckResult> {
    const sealed = await findSubmittedCredentials(pool, collectorLinkId, onboardingId);
    // A submission whose row never committed counts as wrong credentials: the client gets a fresh link.
    if (!sealed) return { outcome: 'WRONG_CREDENTIALS', errorClass: 'WRONG_CREDENTIALS' };
    const credentials = JSON.parse(secrets.open(sealed, collectorContext(collectorLinkId))) as {
      username: string;
      password: string;
    };

    let result: PortalCheckResult;
    try {
      const response = await http(new URL('login', portalUrl.endsWith('/') ? portalUrl : `${portalUrl}/`), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(credentials),
        signal: AbortSignal.timeout(config.portalTimeoutMs),
        redirect: 'manual',
      });
      await response.body?.cancel();
      if (response.ok) result = { outcome: 'CONNECTED', errorClass: null };
      else if (REFUSED.has(response.status)) result = { outcome: 'WRONG_CREDENTIALS', errorClass: 'WRONG_CREDENTIALS' };
      else
        result = {
          outcome: 'TRANSIENT',
          errorClass: `HTTP_${Math.floor(response.status / 100)}XX`,
          status: response.status,
        };
    } catch (err) {
      // Neutral on purpose: the view must not tell which internal address or port answered.
      if (isEgressRefusal(err)) result = { outcome: 'REFUSED', errorClass: EGRESS_REFUSED };
      else result = { outcome: 'TRANSIENT', errorClass: networkErrorClass(err) };
    }
    log.info({ onboardingId, collectorLinkId, portal: new URL(portalUrl).host, ...result }, 'portal login checked');
    return result;
  }

  return {
    /** One check, answered as a value: the workflow records it and decides when to try again. */
    checkPortalLogin: check,
  };
}

function networkErrorClass(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'TIMEOUT';
  if (e?.cause?.code === 'ECONNREFUSED') return 'CONNECTION_REFUSED';
  if (e?.cause?.code === 'ENOTFOUND' || e?.cause?.code === 'EAI_AGAIN') return 'DNS_FAILURE';
  return 'NETWORK_ERROR';
}
