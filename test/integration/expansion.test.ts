import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { requireMasterKeys } from '../../lib/config';
import { createPayloadCodec } from '../../lib/payload-codec';
import { completeOnboarding, oauthToken } from '../support/complete-onboarding';
import { clientFor, submitCredentials } from '../support/journey';
import { recordHistory } from '../support/record-history';
import { startBody, startStack, type Stack } from '../support/stack';
import { startReceiver } from '../support/webhook-receiver';

/** Expanding a live customer: what it has is reused and kept; only what it lacks is approved, assigned, collected. */
describe('an expansion of a live customer', () => {
  let stack: Stack;
  let portal: PortalStub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let staff: { email: string; token: string };
  let approver: { email: string; token: string };
  let customer: Awaited<ReturnType<typeof completeOnboarding>>;
  let partnerProvidedId: string;
  let tenantId: string;

  const count = async (sql: string, args: unknown[] = []) =>
    Number((await stack.db.pool.query<{ n: string }>(sql, args)).rows[0].n);
  const start = (body: unknown) => stack.http('POST', '/v1/onboardings', { token: staff.token, body });
  const assigned = async () =>
    (
      await stack.db.pool.query<{ code: string }>(
        "SELECT code FROM subscriptions WHERE tenant_id = $1 AND status = 'ASSIGNED' ORDER BY code",
        [tenantId],
      )
    ).rows.map((r) => r.code);

  beforeAll(async () => {
    stack = await startStack();
    portal = await startPortalStub({ username: 'client1', password: 'right-password' });
    receiver = await startReceiver();
    staff = await stack.addUser('staff');
    approver = await stack.addUser('approver');
    customer = await completeOnboarding(
      stack,
      { staffToken: staff.token, approver },
      { subscriptions: ['ORDER_MANAGEMENT'], tenant: { ...startBody().tenant, accountManagerEmail: approver.email } },
    );
    partnerProvidedId = customer.body.tenant.partnerProvidedId;
    tenantId = customer.view.tenant.tenantId;
  });
  afterAll(async () => {
    await stack?.stop();
    await portal?.close();
    await receiver?.close();
  });

  it('reuses the tenant, user and API client, approves and assigns only the new subscription, and issues no secret', async () => {
    const client = clientFor(portal, 'client-new');
    const notifyEmail = 'ops-expansion@acme.example';
    const started = await start({
      tenant: { partnerProvidedId, existing: true },
      subscriptions: ['INVOICING'],
      clients: [client],
      notify: { email: notifyEmail, webhookUrl: receiver.url },
    });
    expect(started.status).toBe(202);
    expect(started.body.workflowId).toBe(`onboarding-${partnerProvidedId}`);
    const { id } = started.body;

    const waiting = await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
    expect(waiting).toMatchObject({
      expansion: true,
      tenant: { tenantId, partnerProvidedId },
      integrationUser: { username: customer.view.integrationUser.username },
      clientId: customer.view.clientId,
    });
    expect(waiting.steps.slice(0, 3)).toEqual([
      expect.objectContaining({ name: 'CREATE_TENANT', status: 'SKIPPED', detail: `live tenant ${tenantId} reused` }),
      expect.objectContaining({
        name: 'CREATE_INTEGRATION_USER',
        status: 'SKIPPED',
        detail: `integration user ${customer.view.integrationUser.username} reused`,
      }),
      expect.objectContaining({
        name: 'ISSUE_CLIENT_CREDENTIALS',
        status: 'SKIPPED',
        detail: `API client ${customer.view.clientId} reused; no new secret`,
      }),
    ]);
    // The tenant's account manager is asked, about the new subscription only.
    expect(waiting.approvals.map((a: any) => [a.subscription, a.approverEmail])).toEqual([
      ['INVOICING', approver.email],
    ]);
    const decided = await stack.http('POST', `/v1/onboardings/${id}/approvals`, {
      token: approver.token,
      body: { subscription: 'INVOICING', decision: 'APPROVE' },
    });
    expect(decided.status).toBe(200);

    await submitCredentials(stack, client.contactEmail, 1, 'right-password');
    const done = await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'COMPLETED');
    expect(done.steps.map((s: any) => [s.name, s.status])).toEqual([
      ['CREATE_TENANT', 'SKIPPED'],
      ['CREATE_INTEGRATION_USER', 'SKIPPED'],
      ['ISSUE_CLIENT_CREDENTIALS', 'SKIPPED'],
      ['REQUEST_APPROVAL', 'DONE'],
      ['ASSIGN_SUBSCRIPTIONS', 'DONE'],
      ['COLLECT_CLIENT_CREDENTIALS', 'DONE'],
      ['VERIFY_CONNECTIVITY', 'DONE'],
      ['DELIVER_KIT', 'DONE'],
    ]);
    expect(done.steps[7].detail).toBe('told the customer what was added; no new secret');
    expect(done.clients).toEqual([
      expect.objectContaining({ partnerProvidedId: 'client-new', connectivity: 'CONNECTED' }),
    ]);
    expect(await assigned()).toEqual(['INVOICING', 'ORDER_MANAGEMENT']);

    // Nothing new was made for the customer: one tenant, one user, one client, one kit (the first onboarding's).
    expect(await count('SELECT count(*) AS n FROM tenants')).toBe(1);
    expect(await count('SELECT count(*) AS n FROM integration_users')).toBe(1);
    expect(await count('SELECT count(*) AS n FROM api_clients')).toBe(1);
    expect(await count('SELECT count(*) AS n FROM kits')).toBe(1);
    // The secret the customer holds still works.
    const token = await oauthToken(
      stack,
      { clientId: customer.kit.clientId, clientSecret: customer.kit.clientSecret },
      { grant_type: 'client_credentials' },
    );
    expect(token.status).toBe(200);

    // Told what was added, by mail (no kit link) and by webhook.
    const told = await stack.mail.waitFor((m) => m.to.includes(notifyEmail) && /What was added/.test(m.subject));
    expect(told.text).toContain('Subscriptions added: INVOICING');
    expect(told.text).toContain('client-new: CONNECTED');
    expect(told.text).toContain('no new secret was issued');
    expect(told.text).not.toMatch(/\/kit\//);
    expect(
      stack.mail.messages().filter((m) => m.to.includes(notifyEmail) && /integration kit/.test(m.subject)),
    ).toEqual([]);
    const deadline = Date.now() + 10_000;
    const expanded = () =>
      receiver.received.map((r) => JSON.parse(r.body)).filter((p: any) => p.type === 'tenant.expanded');
    while (expanded().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(expanded()).toEqual([
      expect.objectContaining({
        onboardingId: id,
        data: {
          tenantId,
          partnerProvidedId,
          subscriptions: ['INVOICING'],
          clients: [{ partnerProvidedId: 'client-new', connectivity: 'CONNECTED' }],
        },
      }),
    ]);
    await recordHistory(
      started.body.workflowId,
      'expansion-adds-subscription-and-client',
      createPayloadCodec(requireMasterKeys(stack.config), 'show'),
    );
  });

  it('adds a client later: no subscriptions, so approval and assignment are skipped', async () => {
    const client = clientFor(portal, 'client-later');
    const started = await start({
      tenantId,
      clients: [client],
      notify: { email: 'ops-later@acme.example' },
    });
    expect(started.status).toBe(202);
    await submitCredentials(stack, client.contactEmail, 1, 'right-password');
    const done = await stack.waitForOnboarding(started.body.id, staff.token, (v) => v.status === 'COMPLETED');
    expect(done.steps.map((s: any) => [s.name, s.status, s.detail])).toEqual([
      ['CREATE_TENANT', 'SKIPPED', expect.stringMatching(/reused/)],
      ['CREATE_INTEGRATION_USER', 'SKIPPED', expect.stringMatching(/reused/)],
      ['ISSUE_CLIENT_CREDENTIALS', 'SKIPPED', expect.stringMatching(/no new secret/)],
      ['REQUEST_APPROVAL', 'SKIPPED', 'no subscriptions requested'],
      ['ASSIGN_SUBSCRIPTIONS', 'SKIPPED', 'no subscriptions requested'],
      ['COLLECT_CLIENT_CREDENTIALS', 'DONE', 'every client submitted credentials'],
      ['VERIFY_CONNECTIVITY', 'DONE', '1 of 1 client(s) connected'],
      ['DELIVER_KIT', 'DONE', 'told the customer what was added; no new secret'],
    ]);
    expect(done.approvals).toEqual([]);
    const told = await stack.mail.waitFor((m) => m.to.includes('ops-later@acme.example'));
    expect(told.text).toContain('Subscriptions added: none');
    expect(told.text).toContain('client-later: CONNECTED');
    expect(await assigned()).toEqual(['INVOICING', 'ORDER_MANAGEMENT']);
  });

  it('undoes only what a cancelled expansion added: the customer keeps its tenant, user, client and secret', async () => {
    const started = await start({
      tenant: { partnerProvidedId, existing: true },
      subscriptions: ['CONTROL_TOWER_ORDERS'],
      notify: { email: 'ops-cancel@acme.example' },
    });
    expect(started.status).toBe(202);
    await stack.waitForOnboarding(started.body.id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
    const cancel = await stack.http('POST', `/v1/onboardings/${started.body.id}/cancel`, {
      token: staff.token,
      body: { reason: 'customer changed its mind' },
    });
    expect(cancel.status).toBe(202);
    const view = await stack.waitForOnboarding(started.body.id, staff.token, (v) => v.status === 'CANCELLED');
    expect(view.steps.slice(0, 3).map((s: any) => s.status)).toEqual(['SKIPPED', 'SKIPPED', 'SKIPPED']);
    expect(await count('SELECT count(*) AS n FROM tenants WHERE archived_at IS NULL')).toBe(1);
    expect(await count('SELECT count(*) AS n FROM integration_users WHERE disabled_at IS NULL')).toBe(1);
    expect(await count('SELECT count(*) AS n FROM api_clients WHERE revoked_at IS NULL')).toBe(1);
    expect(await assigned()).toEqual(['INVOICING', 'ORDER_MANAGEMENT']);
    const token = await oauthToken(
      stack,
      { clientId: customer.kit.clientId, clientSecret: customer.kit.clientSecret },
      { grant_type: 'client_credentials' },
    );
    expect(token.status).toBe(200);
  });

  it('refuses a subscription the customer already holds (409), an unknown tenant (404) and an archived one (409)', async () => {
    const held = await start({
      tenant: { partnerProvidedId, existing: true },
      subscriptions: ['ORDER_MANAGEMENT', 'CONTROL_TOWER_INVOICING'],
      notify: { email: 'ops@acme.example' },
    });
    expect(held.status).toBe(409);
    expect(held.body.detail).toContain('already holds ORDER_MANAGEMENT');

    const unknown = await start({
      tenant: { partnerProvidedId: 'nobody-here', existing: true },
      subscriptions: ['INVOICING'],
      notify: { email: 'ops@acme.example' },
    });
    expect(unknown.status).toBe(404);

    const made = await stack.http('POST', '/v1/tenants', {
      token: staff.token,
      body: { partnerProvidedId: `gone-${Date.now()}`, name: 'Gone Ltd', plan: 'TRADE' },
    });
    expect(made.status).toBe(201);
    expect((await stack.http('DELETE', `/v1/tenants/${made.body.tenantId}`, { token: staff.token })).status).toBe(200);
    const archived = await start({
      tenantId: made.body.tenantId,
      subscriptions: ['INVOICING'],
      notify: { email: 'ops@acme.example' },
    });
    expect(archived.status).toBe(409);
    expect(archived.body.detail).toMatch(/archived/);

    // A dry run shows the plan of an expansion, starting nothing.
    const dry = await start({
      tenant: { partnerProvidedId, existing: true },
      clients: [clientFor(portal, 'client-dry')],
      notify: { email: 'ops@acme.example' },
      testMode: true,
    });
    expect(dry.status).toBe(200);
    expect(dry.body.plan.filter((p: any) => p.willRun).map((p: any) => p.name)).toEqual([
      'COLLECT_CLIENT_CREDENTIALS',
      'VERIFY_CONNECTIVITY',
      'DELIVER_KIT',
    ]);

    const nothing = await start({
      tenant: { partnerProvidedId, existing: true },
      notify: { email: 'ops@acme.example' },
    });
    expect(nothing.status).toBe(400);
  });

  it('refuses a first onboarding of a live tenant with 409 naming it, before anything starts', async () => {
    const before = await count('SELECT count(*) AS n FROM onboardings');
    const again = await start(
      startBody({ approverEmail: approver.email, tenant: { ...startBody().tenant, partnerProvidedId } }),
    );
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain(`tenant ${partnerProvidedId} is live`);
    expect(again.body.tenantId).toBe(tenantId);
    expect(await count('SELECT count(*) AS n FROM onboardings')).toBe(before);
  });
});
