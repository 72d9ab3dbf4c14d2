import { recordPortalClientCheck } from '../../db/onboardings';
import { reverifyScheduleId } from '../../domain';
import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { completeOnboarding } from '../support/journey';
import { startStack, type Stack } from '../support/stack';
import { startReceiver } from '../support/webhook-receiver';
import { runScheduleNow } from '../support/schedules';
import { waitFor } from '../support/wait';

/** After COMPLETED, a Temporal Schedule logs into every connected client's portal again. */
describe('re-verification', () => {
  let stack: Stack;
  let portal: PortalStub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    stack = await startStack({ REVERIFY_INTERVAL: '6h' });
    portal = await startPortalStub({ username: 'client1', password: 'first-password' });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await stack?.stop();
    await portal?.close();
    await receiver?.close();
  });

  it('runs on the configured interval; a client whose credentials stop working is FAILED, the customer told, and staff find it', async () => {
    const schedule = stack.temporal.schedule.getHandle(reverifyScheduleId(stack.config.temporal.taskQueue));
    expect((await schedule.describe()).spec.intervals).toEqual([expect.objectContaining({ every: 6 * 3_600_000 })]);

    const staff = await stack.addUser('staff');
    const approver = await stack.addUser('approver');
    const { id } = await completeOnboarding(stack, { staff, approver }, portal, ['first-password'], {
      notify: { email: 'ops@reverify.example', webhookUrl: receiver.url },
    });
    const connected = await stack.http('GET', '/v1/onboardings?connectivity=CONNECTED', { token: staff.token });
    expect(connected.body.items.map((o: any) => o.id)).toEqual([id]);

    // Still accepted: a run records the check and changes nothing else.
    let view = (await stack.http('GET', `/v1/onboardings/${id}`, { token: staff.token })).body;
    const before = view.clients[0];
    expect(await runScheduleNow(stack.temporal, schedule.scheduleId)).toMatchObject({
      result: { checked: 1, lost: 0 },
    });
    view = (await stack.http('GET', `/v1/onboardings/${id}`, { token: staff.token })).body;
    expect(view.clients[0]).toMatchObject({ connectivity: 'CONNECTED', lastError: null, checks: before.checks + 1 });
    expect(view.clients[0].lastCheckedAt).not.toEqual(before.lastCheckedAt);
    // A retried activity writes the same check again (same time, from the workflow): it counts once.
    await recordPortalClientCheck(stack.db.pool, {
      onboardingId: id,
      portalClientId: 'client-1',
      checkedAt: view.clients[0].lastCheckedAt,
      lastError: null,
      lost: false,
    });
    const again = (await stack.http('GET', `/v1/onboardings/${id}`, { token: staff.token })).body;
    expect(again.clients[0]).toMatchObject({
      checks: view.clients[0].checks,
      lastCheckedAt: view.clients[0].lastCheckedAt,
    });

    // TecCom: the tenant's failure notification emails, kept on its client, hear of a lost connectivity too.
    const patched = await stack.http('PATCH', `/v1/clients/${view.clientId}/tenants/${view.tenant.tenantId}`, {
      token: staff.token,
      body: { notificationEmails: ['failures@reverify.example'] },
    });
    expect(patched.status).toBe(200);

    // The portal's password changes: the next run finds the credentials refused.
    portal.accept({ username: 'client1', password: 'rotated-password' });
    expect(await runScheduleNow(stack.temporal, schedule.scheduleId)).toMatchObject({
      result: { checked: 1, lost: 1 },
    });
    view = await stack.waitForOnboarding(id, staff.token, (v) => v.clients[0].connectivity === 'FAILED');
    expect(view.status).toBe('COMPLETED');
    expect(view.clients[0]).toMatchObject({ connectivity: 'FAILED', lastError: 'WRONG_CREDENTIALS' });

    const mail = await stack.mail.waitFor(
      (m) => m.to.includes('ops@reverify.example') && /stopped working/.test(m.subject),
    );
    expect(mail.text).toContain('client-1');
    const notice = await stack.mail.waitFor(
      (m) => m.to.includes('failures@reverify.example') && /Connectivity lost/.test(m.subject),
    );
    expect(notice.text).toContain('client-1');
    await waitFor(async () => receiver.received.some((r) => JSON.parse(r.body).type === 'client.connectivity_lost'));
    const lost = receiver.received.map((r) => JSON.parse(r.body)).find((e) => e.type === 'client.connectivity_lost');
    expect(lost).toMatchObject({ onboardingId: id, data: { client: 'client-1', connectivity: 'FAILED' } });

    const failed = await stack.http('GET', '/v1/onboardings?connectivity=FAILED', { token: staff.token });
    expect(failed.body.items.map((o: any) => o.id)).toEqual([id]);
    expect(
      (await stack.http('GET', '/v1/onboardings?connectivity=CONNECTED', { token: staff.token })).body.items,
    ).toEqual([]);
    expect((await stack.http('GET', '/v1/onboardings?connectivity=BROKEN', { token: staff.token })).status).toBe(400);
  });
});
