import { reverifyScheduleId } from '../../domain';
import { requireMasterKeys } from '../../lib/config';
import { createPayloadCodec } from '../../lib/payload-codec';
import { recordHistory } from '../support/record-history';
import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { clientFor, startApproved, submitCredentials } from '../support/journey';
import { startStack, type Stack } from '../support/stack';
import { startReceiver } from '../support/webhook-receiver';
import { runScheduleNow } from '../support/schedules';
import { waitFor } from '../support/wait';

/** A client whose credentials stop working after COMPLETED goes back to collection until it connects again. */
describe('reconnect after re-verification', () => {
  let stack: Stack;
  let portal: PortalStub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    stack = await startStack({ REVERIFY_INTERVAL: '6h', CREDENTIAL_MAX_ATTEMPTS: '3' });
    portal = await startPortalStub({ username: 'client1', password: 'first-password' });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await stack?.stop();
    await portal?.close();
    await receiver?.close();
  });

  it('sends a fresh collector link, another after a wrong password, and shows the client CONNECTED again once the new one works', async () => {
    const staff = await stack.addUser('staff');
    const approver = await stack.addUser('approver');
    const people = { staff, approver };
    const client = clientFor(portal);
    const { id } = await startApproved(stack, people, [client], {
      notify: { email: 'ops@reconnect.example', webhookUrl: receiver.url },
    });
    await submitCredentials(stack, client.contactEmail, 1, 'first-password');
    await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'COMPLETED');

    // The portal's password changes; the schedule's run finds the credentials refused.
    portal.accept({ username: 'client1', password: 'rotated-password' });
    const scheduleId = reverifyScheduleId(stack.config.temporal.taskQueue);
    expect((await runScheduleNow(stack.temporal, scheduleId)).result).toEqual({ checked: 1, lost: 1 });
    let view = await stack.waitForOnboarding(id, staff.token, (v) => v.clients[0].connectivity === 'FAILED');
    expect(view.status).toBe('COMPLETED');
    const told = await stack.mail.waitFor(
      (m) => m.to.includes('ops@reconnect.example') && /stopped working/.test(m.subject),
    );
    expect(told.text).toContain(`A fresh collector link has been sent to ${client.contactEmail}`);

    // Collection again: the fresh link (attempt 2) is the client's second collector mail.
    const second = await submitCredentials(stack, client.contactEmail, 2, 'first-password');
    const third = await submitCredentials(stack, client.contactEmail, 3, 'rotated-password');
    expect(third).not.toBe(second);
    expect(
      (
        await stack.http('POST', `/v1/collect/${second}`, {
          body: { username: 'client1', password: 'rotated-password' },
        })
      ).status,
    ).toBe(410);

    view = await stack.waitForOnboarding(id, staff.token, (v) => v.clients[0].connectivity === 'CONNECTED');
    expect(view.status).toBe('COMPLETED');
    expect(view.clients[0]).toMatchObject({
      connectivity: 'CONNECTED',
      attempts: 3,
      lastError: null,
      awaitingCredentials: false,
    });
    expect(portal.logins.map((l) => l.password).slice(-2)).toEqual(['first-password', 'rotated-password']);

    // Each link was its own reconnect attempt, numbered after the onboarding's.
    const { rows: links } = await stack.db.pool.query<{ attempt: number; workflow_id: string }>(
      'SELECT attempt, workflow_id FROM collector_links WHERE onboarding_id = $1 ORDER BY attempt',
      [id],
    );
    expect(links.map((l) => l.attempt)).toEqual([1, 2, 3]);
    expect(links[1].workflow_id).toBe(`reconnect-${id}-client-1-2`);
    expect(links[2].workflow_id).toBe(links[1].workflow_id);
    expect(links[0].workflow_id).not.toBe(links[1].workflow_id);

    // The schedule's run that found the client lost started this reconnect as its child.
    const reconnect = stack.temporal.workflow.getHandle(links[1].workflow_id);
    await reconnect.result();
    const reverifyRun = (await reconnect.describe()).raw.workflowExecutionInfo?.parentExecution?.workflowId;
    expect(reverifyRun).toMatch(/^reverify-/);
    const codec = createPayloadCodec(requireMasterKeys(stack.config), 'show');
    await recordHistory(reverifyRun!, 'reverify-lost-client-starts-reconnect', codec);
    await recordHistory(links[1].workflow_id, 'reconnect-wrong-then-right-credentials', codec);

    expect((await stack.http('GET', '/v1/onboardings?connectivity=FAILED', { token: staff.token })).body.items).toEqual(
      [],
    );
    const connected = await stack.http('GET', '/v1/onboardings?connectivity=CONNECTED', { token: staff.token });
    expect(connected.body.items.map((o: any) => o.id)).toEqual([id]);

    await waitFor(async () =>
      receiver.received.some((r) => JSON.parse(r.body).type === 'client.connectivity_restored'),
    );
    const events = receiver.received.map((r) => JSON.parse(r.body));
    expect(events.filter((e) => e.type === 'client.connectivity_restored')).toEqual([
      expect.objectContaining({
        onboardingId: id,
        data: expect.objectContaining({ client: 'client-1', connectivity: 'CONNECTED' }),
      }),
    ]);

    // The next run checks the new credentials and keeps the client connected.
    const before = portal.logins.length;
    expect((await runScheduleNow(stack.temporal, scheduleId)).result).toEqual({ checked: 1, lost: 0 });
    expect(portal.logins.length).toBe(before + 1);
    view = (await stack.http('GET', `/v1/onboardings/${id}`, { token: staff.token })).body;
    expect(view.clients[0]).toMatchObject({ connectivity: 'CONNECTED', lastError: null });
    expect(portal.logins.at(-1)?.password).toBe('rotated-password');
  });
});
