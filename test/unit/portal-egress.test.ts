import type { Pool } from 'pg';
import { connectivityActivities } from '../../activities/connectivity';
import type { ActivityDeps } from '../../activities/deps';
import { createLogger } from '../../lib/logger';
import { createEgressFetch } from '../../lib/egress';
import { newDataKey } from '../../lib/envelope';
import { createSecrets } from '../../lib/secrets';

/** The portal login behind the egress guard: a refusal is a neutral, permanent answer, never a network error. */
describe('portal login through the egress guard', () => {
  const secrets = createSecrets(newDataKey());
  const sealed = secrets.seal(JSON.stringify({ username: 'u', password: 'p' }), 'collector:link-1');
  const pool = { query: async () => ({ rows: [{ credentials_sealed: sealed }] }) } as unknown as Pool;
  const check = (portalUrl: string, lookup: () => Promise<{ address: string }[]>) =>
    connectivityActivities({
      pool,
      secrets,
      http: createEgressFetch({ allowedHosts: [], lookup }),
      config: { portalTimeoutMs: 2_000 } as ActivityDeps['config'],
      log: createLogger({ level: 'silent' }),
    }).checkPortalLogin({ onboardingId: 'o-1', collectorLinkId: 'link-1', portalUrl });

  it.each([
    ['a loopback literal over http', 'http://127.0.0.1:9/'],
    ['an IPv4-compatible literal', 'https://[::7f00:1]:9/'],
    ['a name that resolves to loopback when connecting', 'https://portal.client.example:8443/'],
  ])('answers REFUSED with EGRESS_REFUSED for %s, naming no address or port', async (_what, portalUrl) => {
    const result = await check(portalUrl, async () => [{ address: '127.0.0.1' }]);
    expect(result).toEqual({ outcome: 'REFUSED', errorClass: 'EGRESS_REFUSED' });
  });
});
