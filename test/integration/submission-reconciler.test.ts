import { collectorContext } from '../../activities/collection';
import { findOpenCollectorLink, spendCollectorLink } from '../../db/collector-links';
import { loadDataKey } from '../../db/data-keys';
import { reconcileSubmissionsScheduleId } from '../../domain';
import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { requireMasterKeys } from '../../lib/config';
import { createPayloadCodec } from '../../lib/payload-codec';
import { createSecrets } from '../../lib/secrets';
import { awaitingCredentials } from '../support/journey';
import { recordHistory } from '../support/record-history';
import { runScheduleNow } from '../support/schedules';
import { startStack, type Stack } from '../support/stack';

/**
 * A submission stored but never signalled (the collector's process died, or Temporal was down, between
 * the commit and the signal) is delivered by the reconciliation Schedule; a second delivery is harmless.
 */
describe('submission reconciler', () => {
  let stack: Stack;
  let portal: PortalStub;

  beforeAll(async () => {
    stack = await startStack({ SUBMISSION_RECONCILE_INTERVAL: '6h' });
    portal = await startPortalStub({ username: 'client1', password: 'right-password' });
  });
  afterAll(async () => {
    await stack?.stop();
    await portal?.close();
  });

  const trigger = () => runScheduleNow(stack.temporal, reconcileSubmissionsScheduleId(stack.config.temporal.taskQueue));

  it('delivers a stored submission whose signal was lost, and marks one whose onboarding finished', async () => {
    const { id, staff, token } = await awaitingCredentials(stack, portal);

    // What the collector commits before it signals, and then nothing: its process died.
    const secrets = createSecrets(await loadDataKey(stack.db.pool, requireMasterKeys(stack.config)));
    const linkId = (await findOpenCollectorLink(stack.db.pool, secrets.hashToken(token)))!.id;
    const sealed = secrets.seal(
      JSON.stringify({ username: 'client1', password: 'right-password' }),
      collectorContext(linkId),
    );
    expect(await spendCollectorLink(stack.db.pool, linkId, sealed)).toMatchObject({ id: linkId });
    const backdate = () =>
      stack.db.pool.query(
        "UPDATE collector_links SET used_at = now() - interval '1 minute', signalled_at = NULL WHERE id = $1",
        [linkId],
      );
    await backdate();
    const view = await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'AWAITING_CREDENTIALS');
    expect(view.clients[0].connectivity).toBe('PENDING');

    const first = await trigger();
    expect(first.result).toEqual({ delivered: 1, abandoned: 0 });
    await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'COMPLETED');
    expect(portal.logins).toHaveLength(1);
    await recordHistory(
      first.workflowId,
      'reconcile-submissions-delivers-lost-signal',
      createPayloadCodec(requireMasterKeys(stack.config)),
    );

    // Nobody waits for a finished onboarding's submission: it is marked, not signalled.
    await backdate();
    expect((await trigger()).result).toEqual({ delivered: 0, abandoned: 1 });
    const { rows } = await stack.db.pool.query('SELECT signalled_at FROM collector_links WHERE id = $1', [linkId]);
    expect(rows[0].signalled_at).not.toBeNull();
    expect(portal.logins).toHaveLength(1);
  });

  it('marks a submission signalled when the collector told the workflow itself, and answers its repeat 202', async () => {
    const { id, staff, token } = await awaitingCredentials(stack, portal);
    const posted = await stack.http('POST', `/v1/collect/${token}`, {
      body: { username: 'client1', password: 'right-password' },
    });
    expect(posted.status).toBe(202);
    const { rows } = await stack.db.pool.query('SELECT signalled_at FROM collector_links WHERE onboarding_id = $1', [
      id,
    ]);
    expect(rows[0].signalled_at).not.toBeNull();
    // The same submission again (its answer lost to a timeout) was received; other credentials are refused.
    const again = (password: string) =>
      stack.http('POST', `/v1/collect/${token}`, { body: { username: 'client1', password } });
    expect((await again('right-password')).status).toBe(202);
    expect((await again('another-password')).status).toBe(410);
    await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'COMPLETED');
  });
});
