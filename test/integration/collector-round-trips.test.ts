import type { ApiDeps } from '../../api/deps';
import { HttpProblem } from '../../api/problem';
import { submitPortalCredentials } from '../../api/use-cases/submit-portal-credentials';
import { loadDataKey } from '../../db/data-keys';
import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { requireMasterKeys } from '../../lib/config';
import { createSecrets, type Secrets } from '../../lib/secrets';
import { countingPool } from '../support/counting-pool';
import { awaitingCredentials } from '../support/journey';
import { startStack, type Stack } from '../support/stack';

/**
 * The PostgreSQL round trips of a credential submission through a collector link (#18): the link's id, then
 * one statement that spends it, stores the sealed credentials and reads the onboarding's run, then the
 * signal, then the mark that it was delivered. No transaction: the spend and the store are one statement.
 */
describe('round trips of POST /v1/collect/{token}', () => {
  let stack: Stack;
  let portal: PortalStub;
  let secrets: Secrets;
  let counted: ReturnType<typeof countingPool>;
  let deps: ApiDeps;

  beforeAll(async () => {
    stack = await startStack();
    portal = await startPortalStub({ username: 'client1', password: 'right-password' });
    secrets = createSecrets(await loadDataKey(stack.db.pool, requireMasterKeys(stack.config)));
    counted = countingPool(stack.db.pool);
    // Only what a submission uses; the HTTP layer (rate limits, framing) is not the submission's own work.
    deps = { config: stack.config, pool: counted.pool, temporal: stack.temporal, secrets } as unknown as ApiDeps;
  });
  afterAll(async () => {
    await stack?.stop();
    await portal?.close();
  });

  it('spends the link and stores the credentials in one statement, signals, and marks the signal', async () => {
    const { id, staff, token } = await awaitingCredentials(stack, portal);
    const tokenHash = secrets.hashToken(token);
    const right = { username: 'client1', password: 'right-password' };

    counted.reset();
    await submitPortalCredentials(deps, tokenHash, right);
    expect(counted.statements()).toEqual(['SELECT', 'WITH', 'UPDATE']);
    expect(counted.rounds()).toBe(3);
    const { rows } = await stack.db.pool.query(
      'SELECT used_at, signalled_at, credentials_sealed FROM collector_links WHERE onboarding_id = $1',
      [id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].used_at).not.toBeNull();
    expect(rows[0].signalled_at).not.toBeNull();
    expect(rows[0].credentials_sealed).not.toContain('right-password');

    // The workflow got the signal: the portal accepted the credentials it was pointed to.
    const view = await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'COMPLETED');
    expect(view.clients[0].connectivity).toBe('CONNECTED');

    // The same submission again (its answer lost) is received; other credentials on a spent link are not.
    counted.reset();
    await submitPortalCredentials(deps, tokenHash, right);
    expect(counted.statements()).toEqual(['SELECT', 'SELECT']);
    const other = submitPortalCredentials(deps, tokenHash, { username: 'client1', password: 'another' });
    await expect(other).rejects.toBeInstanceOf(HttpProblem);
    await expect(other).rejects.toMatchObject({ status: 410 });
    expect(portal.logins).toHaveLength(1);
  });
});
