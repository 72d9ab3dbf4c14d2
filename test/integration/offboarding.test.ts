import { listConnectedPortalClients } from '../../db/onboardings';
import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { requireMasterKeys } from '../../lib/config';
import { createPayloadCodec } from '../../lib/payload-codec';
import { oauthToken } from '../support/complete-onboarding';
import { completeOnboarding } from '../support/journey';
import { recordHistory } from '../support/record-history';
import { kitRevealPath, startBody, startStack, type Stack } from '../support/stack';
import { pollUntil } from '../support/wait';
import { startReceiver } from '../support/webhook-receiver';

/** Taking a live customer off: every access ends, its clients' credentials go, it is told, its tenant archived. */
describe('offboarding a customer', () => {
  let stack: Stack;
  let portal: PortalStub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let staff: { email: string; token: string };
  let approver: { email: string; token: string };

  const count = async (sql: string, args: unknown[] = []) =>
    Number((await stack.db.pool.query<{ n: string }>(sql, args)).rows[0].n);
  const offboard = (identifier: string, body: unknown = { reason: 'contract ended' }) =>
    stack.http('POST', `/v1/tenants/${identifier}/offboard`, { token: staff.token, body });
  const waitForOffboarding = async (id: string, status = 'COMPLETED') => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await stack.http('GET', `/v1/offboardings/${id}`, { token: staff.token });
      if (res.status === 200 && res.body.status === status) return res.body;
      if (Date.now() > deadline) throw new Error(`offboarding ${id} not ${status}: ${res.text}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    stack = await startStack();
    portal = await startPortalStub({ username: 'client1', password: 'right-password' });
    receiver = await startReceiver();
    staff = await stack.addUser('staff');
    approver = await stack.addUser('approver');
  });
  afterAll(async () => {
    await stack?.stop();
    await portal?.close();
    await receiver?.close();
  });

  it('refuses tokens, revokes, disables, unassigns, erases, tells the customer and archives the tenant', async () => {
    const notifyEmail = `ops-${Date.now()}@acme.example`;
    const journey = await completeOnboarding(stack, { staff, approver }, portal, ['right-password'], {
      notify: { email: notifyEmail, webhookUrl: receiver.url },
    });
    const { tenantId, partnerProvidedId } = journey.view.tenant;
    const kitMail = await stack.mail.waitFor((m) => m.to.includes(notifyEmail) && /integration kit/.test(m.subject));
    const kit = (await stack.http('POST', kitRevealPath(kitMail.text))).body;
    const credentials = { clientId: kit.clientId, clientSecret: kit.clientSecret };
    const issued = await oauthToken(stack, credentials, { grant_type: 'client_credentials' });
    expect(issued.status).toBe(200);
    const accessToken = issued.body.access_token;
    // Authenticated, but without an invoice scope: 403 now, 401 once the token is refused.
    expect((await stack.http('GET', '/platform/v1/invoices', { token: accessToken })).status).toBe(403);
    expect(await listConnectedPortalClients(stack.db.pool)).toHaveLength(1);
    const listed = await stack.http('GET', `/v1/tenants?q=${partnerProvidedId}`, { token: staff.token });
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        tenantId,
        apiAccess: true,
        subscriptions: ['ORDER_MANAGEMENT'],
        clientId: kit.clientId,
      }),
    ]);

    // A widening of the integration user's invoice access still waits for its approver.
    const { username } = journey.view.integrationUser;
    const asked = await stack.http('PATCH', `/v1/tenants/${partnerProvidedId}/api-users/${username}`, {
      token: staff.token,
      body: { invoiceDataAccess: true, approverEmail: approver.email },
    });
    expect(asked.status).toBe(202);
    const changeId = asked.body.change.id;
    expect(asked.body.change.status).toBe('PENDING');

    // DELETE would leave the access working: refused, pointing at the offboarding.
    const deleted = await stack.http('DELETE', `/v1/tenants/${tenantId}`, { token: staff.token });
    expect(deleted.status).toBe(409);
    expect(deleted.body.detail).toContain(`/v1/tenants/${tenantId}/offboard`);

    // Asked twice at once: one offboarding.
    const [first, second] = await Promise.all([offboard(partnerProvidedId), offboard(tenantId)]);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.id).toBe(first.body.id);
    expect(first.body.workflowId).toBe(`offboarding-${partnerProvidedId}`);

    const done = await waitForOffboarding(first.body.id);
    expect(done).toMatchObject({
      id: first.body.id,
      workflowId: `offboarding-${partnerProvidedId}`,
      status: 'COMPLETED',
      tenant: { tenantId, partnerProvidedId },
      reason: 'contract ended',
      requestedBy: staff.email,
    });
    expect(done.steps.map((s: any) => [s.name, s.status])).toEqual([
      ['REFUSE_TOKENS', 'DONE'],
      ['CANCEL_OPEN_ONBOARDING', 'DONE'],
      ['STOP_REVERIFICATION', 'DONE'],
      ['REVOKE_CLIENT_SECRET', 'DONE'],
      ['DISABLE_INTEGRATION_USER', 'DONE'],
      ['UNASSIGN_SUBSCRIPTIONS', 'DONE'],
      ['ERASE_PORTAL_CREDENTIALS', 'DONE'],
      ['NOTIFY_CUSTOMER', 'DONE'],
      ['ARCHIVE_TENANT', 'DONE'],
    ]);
    for (const step of done.steps) expect(step.startedAt <= step.finishedAt).toBe(true);
    expect(done.steps.find((s: any) => s.name === 'UNASSIGN_SUBSCRIPTIONS').detail).toBe(
      'unassigned: ORDER_MANAGEMENT',
    );
    expect(done.steps.find((s: any) => s.name === 'ERASE_PORTAL_CREDENTIALS').detail).toMatch(/erased for client-1/);
    expect(done.steps.find((s: any) => s.name === 'DISABLE_INTEGRATION_USER').detail).toBe(
      `disabled: ${username}; withdrew ${changeId}`,
    );

    // The pending widening was withdrawn, not left for its approver: deciding it now changes nothing.
    const changePath = `/v1/access-changes/${changeId}`;
    const withdrawn = await pollUntil(
      async () => (await stack.http('GET', changePath, { token: staff.token })).body,
      (change) => change.status === 'WITHDRAWN',
    );
    expect(withdrawn.status).toBe('WITHDRAWN');
    expect(withdrawn.approval).toMatchObject({ status: 'PENDING', decidedBy: null });
    const late = await stack.http('POST', `${changePath}/approvals`, {
      token: approver.token,
      body: { decision: 'APPROVE' },
    });
    expect(late.status).toBe(409);
    expect(late.body.detail).toContain('WITHDRAWN');
    expect((await stack.http('GET', changePath, { token: staff.token })).body.status).toBe('WITHDRAWN');
    expect(
      await count('SELECT count(*) AS n FROM integration_users WHERE username = $1 AND invoice_data_access', [
        username,
      ]),
    ).toBe(0);
    const toldRequester = await stack.mail.waitFor((m) => m.to.includes(staff.email) && /^Withdrawn:/.test(m.subject));
    expect(toldRequester.text).toContain('offboarded');

    // Every access is gone.
    expect((await oauthToken(stack, credentials, { grant_type: 'client_credentials' })).status).toBe(401);
    expect((await stack.http('GET', '/platform/v1/invoices', { token: accessToken })).status).toBe(401);
    expect(await count('SELECT count(*) AS n FROM integration_users WHERE disabled_at IS NULL')).toBe(0);
    expect(await count('SELECT count(*) AS n FROM api_clients WHERE revoked_at IS NULL')).toBe(0);
    expect(await count("SELECT count(*) AS n FROM subscriptions WHERE status = 'ASSIGNED'")).toBe(0);
    expect(await count('SELECT count(*) AS n FROM collector_links WHERE credentials_sealed IS NOT NULL')).toBe(0);
    expect(await count('SELECT count(*) AS n FROM kits WHERE client_secret_sealed IS NOT NULL')).toBe(0);
    expect(await listConnectedPortalClients(stack.db.pool)).toEqual([]);
    expect((await stack.http('GET', `/v1/tenants/${tenantId}`, { token: staff.token })).status).toBe(410);
    const after = await stack.http('GET', `/v1/tenants?q=${partnerProvidedId}`, { token: staff.token });
    expect(after.body.items).toEqual([
      expect.objectContaining({ tenantId, archived: true, apiAccess: false, subscriptions: [] }),
    ]);

    // Told once by mail and by webhook; audited.
    const mails = stack.mail.messages().filter((m) => m.to.includes(notifyEmail) && /has been closed/.test(m.subject));
    expect(mails).toHaveLength(1);
    expect(mails[0].text).toContain(partnerProvidedId);
    const deadline = Date.now() + 10_000;
    const told = () =>
      receiver.received.map((r) => JSON.parse(r.body)).filter((p: any) => p.type === 'tenant.offboarded');
    while (told().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(told()).toEqual([
      expect.objectContaining({
        data: { offboardingId: first.body.id, tenantId, partnerProvidedId },
      }),
    ]);
    const audited = await stack.db.pool.query<{ event: string; actor: string; reason: string }>(
      "SELECT event, actor, reason FROM security_events WHERE subject = $1 AND event LIKE 'tenant_%' ORDER BY id",
      [tenantId],
    );
    expect(audited.rows).toEqual([
      { event: 'tenant_delete_refused', actor: staff.email, reason: 'tenant still has API access' },
      { event: 'tenant_offboard_requested', actor: staff.email, reason: 'contract ended' },
      { event: 'tenant_offboarded', actor: staff.email, reason: 'contract ended' },
    ]);

    // Once archived, there is nothing left to offboard, and its access cannot come back by reactivation:
    // a returning customer is onboarded again (a reactivated tenant would be live with no user or client).
    expect((await offboard(tenantId)).status).toBe(409);
    const reactivate = await stack.http('PATCH', `/v1/tenants/${tenantId}`, {
      token: staff.token,
      body: { status: 'ACTIVE' },
    });
    expect(reactivate.status).toBe(409);
    expect(reactivate.body.detail).toMatch(/offboarded.*first onboarding/);
    expect(
      await count('SELECT count(*) AS n FROM tenants WHERE tenant_id = $1 AND archived_at IS NOT NULL', [tenantId]),
    ).toBe(1);
    const show = createPayloadCodec(requireMasterKeys(stack.config), 'show');
    await recordHistory(first.body.workflowId, 'offboarding-completed', show);
    await recordHistory(changeId, 'access-change-withdrawn', show);
  });

  it('cancels an open onboarding first, with its compensation, and waits for it to close', async () => {
    const body = startBody({ approverEmail: approver.email, subscriptions: ['ORDER_MANAGEMENT'] });
    const started = await stack.http('POST', '/v1/onboardings', { token: staff.token, body });
    expect(started.status).toBe(202);
    const waiting = await stack.waitForOnboarding(
      started.body.id,
      staff.token,
      (v) => v.status === 'AWAITING_APPROVAL',
    );
    const { tenantId } = waiting.tenant;

    const asked = await offboard(body.tenant.partnerProvidedId, { reason: 'signed by mistake' });
    expect(asked.status).toBe(202);
    const done = await waitForOffboarding(asked.body.id);
    const cancelStep = done.steps.find((s: any) => s.name === 'CANCEL_OPEN_ONBOARDING');
    expect(cancelStep).toMatchObject({ status: 'DONE', detail: `onboarding ${started.body.id} ended CANCELLED` });

    const cancelled = await stack.waitForOnboarding(started.body.id, staff.token, (v) => v.status === 'CANCELLED');
    expect(cancelled.reason).toBe(`cancelled by ${staff.email}: offboarding: signed by mistake`);
    expect(cancelled.steps.slice(0, 3).map((s: any) => s.status)).toEqual([
      'COMPENSATED',
      'COMPENSATED',
      'COMPENSATED',
    ]);
    // The onboarding had closed before the offboarding went on.
    const nextStep = done.steps.find((s: any) => s.name === 'STOP_REVERIFICATION');
    expect(cancelled.updatedAt <= nextStep.startedAt).toBe(true);
    expect(
      await count('SELECT count(*) AS n FROM tenants WHERE tenant_id = $1 AND archived_at IS NOT NULL', [tenantId]),
    ).toBe(1);
  });

  it('answers 404 for an unknown tenant and 400 without a reason', async () => {
    expect((await offboard('nobody-here')).status).toBe(404);
    const made = await stack.http('POST', '/v1/tenants', {
      token: staff.token,
      body: { partnerProvidedId: `bare-${Date.now()}`, name: 'Bare Ltd', plan: 'TRADE' },
    });
    const bad = await offboard(made.body.tenantId, {});
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'reason' })]);
    expect((await stack.http('GET', '/v1/offboardings/not-an-id', { token: staff.token })).status).toBe(404);
  });
});
