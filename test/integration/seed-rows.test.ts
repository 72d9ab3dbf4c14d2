import { claimsOf, completeOnboarding, oauthToken } from '../support/complete-onboarding';
import { startBody, startStack, type Stack } from '../support/stack';
import { startReceiver } from '../support/webhook-receiver';

/** Issue #17: rows of the reference platforms' seeds (Shipium testMode, Ongoing WMS catalog and credentials mail). */
describe('seed rows', () => {
  let stack: Stack;
  let staff: { email: string; token: string };
  let approver: { email: string; token: string };

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_CLIENT: '3', WEBHOOK_MAX_ATTEMPTS: '2' });
    staff = await stack.addUser('staff');
    approver = await stack.addUser('approver');
  });
  afterAll(() => stack?.stop());

  const rows = async (table: string) =>
    Number((await stack.db.pool.query(`SELECT count(*) FROM ${table}`)).rows[0].count);
  const start = (body: unknown, headers: Record<string, string> = {}) =>
    stack.http('POST', '/v1/onboardings', { token: staff.token, body, headers });

  describe('Shipium: testMode as the seed writes it', () => {
    it('takes the string "true" as a dry run on tenants and on the start, changing nothing', async () => {
      const tenants = await rows('tenants');
      const tenant = { partnerProvidedId: 'seed-dry', name: 'Dry Run', plan: 'TRADE', testMode: 'true' };
      const dry = await stack.http('POST', '/v1/tenants', { token: staff.token, body: tenant });
      expect(dry.status).toBe(200);
      expect(dry.body).toMatchObject({ testMode: true, tenantId: null, partnerProvidedId: 'seed-dry' });
      expect(await rows('tenants')).toBe(tenants);

      const onboardings = await rows('onboardings');
      const plan = await start({ ...startBody({ approverEmail: approver.email }), testMode: 'true' });
      expect(plan.status).toBe(200);
      expect(plan.body).toMatchObject({ testMode: true, valid: true });
      expect(await rows('onboardings')).toBe(onboardings);
      // A dry run with a problem reports the plan beside it, for the string as for the boolean.
      const bad = await start({ ...startBody({ approverEmail: approver.email, subscriptions: [] }), testMode: 'true' });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ testMode: true, valid: false });

      // "false" is a real write; anything else is a 400 naming the field.
      const real = await stack.http('POST', '/v1/tenants', {
        token: staff.token,
        body: { ...tenant, testMode: 'false' },
      });
      expect(real.status).toBe(201);
      const yes = await stack.http('POST', '/v1/tenants', { token: staff.token, body: { ...tenant, testMode: 'yes' } });
      expect(yes.status).toBe(400);
      expect(yes.body.errors.map((e: any) => e.path)).toContain('testMode');
      const archive = await stack.http('DELETE', `/v1/tenants/${real.body.tenantId}`, {
        token: staff.token,
        body: { testMode: 'true' },
      });
      expect(archive.body.testMode).toBe(true);
      expect((await stack.http('GET', `/v1/tenants/${real.body.tenantId}`, { token: staff.token })).status).toBe(200);
    });
  });

  describe('Ongoing WMS: the integration system from a known list', () => {
    it('serves the catalog, with "Other" needing the system’s own name', async () => {
      const catalog = await stack.http('GET', '/v1/catalog/integration-systems', { token: staff.token });
      expect(catalog.status).toBe(200);
      expect(catalog.body.items).toEqual(expect.arrayContaining([{ name: 'SAP S/4HANA', requiresName: false }]));
      expect(catalog.body.items.filter((i: any) => i.requiresName)).toEqual([{ name: 'Other', requiresName: true }]);
      expect((await stack.http('GET', '/v1/catalog/integration-systems', { token: approver.token })).status).toBe(403);
    });

    it('checks the start against the catalog, takes any case, and wants a name for "Other"', async () => {
      const user = (integrationUser: Record<string, unknown>) => ({
        ...startBody({ approverEmail: approver.email }),
        integrationUser: { email: 'api@acme.example', ...integrationUser },
        testMode: true,
      });
      const unknown = await start(user({ integrationSystem: 'My Spreadsheet' }));
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: 'integrationUser.integrationSystem' })]),
      );
      const other = await start(user({ integrationSystem: 'Other' }));
      expect(other.status).toBe(400);
      expect(other.body.errors.map((e: any) => e.path)).toContain('integrationUser.integrationSystemName');
      expect((await start(user({ integrationSystem: 'other', integrationSystemName: 'In-house ERP' }))).status).toBe(
        200,
      );
      expect((await start(user({ integrationSystem: 'sap s/4hana' }))).status).toBe(200);
    });
  });

  describe('ShipServ: a buyer or supplier role for Invoicing', () => {
    it('puts the role into the token scope, and refuses a role that does not fit', async () => {
      const done = await completeOnboarding(
        stack,
        { staffToken: staff.token, approver },
        {
          subscriptionRoles: { INVOICING: 'SUPPLIER' },
          integrationUser: {
            email: 'api@acme.example',
            integrationSystem: 'SAP S/4HANA',
            scope: 'TENANT',
            invoiceDataAccess: true,
          },
        },
      );
      const client = { clientId: done.kit.clientId as string, clientSecret: done.kit.clientSecret as string };
      const token = await oauthToken(stack, client, { grant_type: 'client_credentials' });
      expect(token.status).toBe(200);
      expect(token.body.scope.split(' ').sort()).toEqual(['invoicing:supplier', 'order_management']);
      const invoices = await stack.http('GET', '/platform/v1/invoices', {
        headers: { authorization: `Bearer ${token.body.access_token}` },
      });
      expect(invoices.status).toBe(200);

      const dry = (extra: Record<string, unknown>) =>
        start({ ...startBody({ approverEmail: approver.email }), testMode: true, ...extra });
      expect((await dry({ subscriptionRoles: { INVOICING: 'BUYER' } })).status).toBe(200);
      for (const [extra, path] of [
        [{ subscriptionRoles: { INVOICING: 'SELLER' } }, 'subscriptionRoles.INVOICING'],
        [{ subscriptionRoles: { ORDER_MANAGEMENT: 'BUYER' } }, 'subscriptionRoles'],
        [
          { subscriptions: ['ORDER_MANAGEMENT'], subscriptionRoles: { INVOICING: 'BUYER' } },
          'subscriptionRoles.INVOICING',
        ],
      ] as const) {
        const res = await dry(extra);
        expect(res.status).toBe(400);
        expect(res.body.errors.map((e: any) => e.path)).toContain(path);
      }
    });
  });

  describe('ShipServ: production and test accounts', () => {
    it('marks a test account in its kit and tokens, keeps it apart from production, and never changes it', async () => {
      const admin = await stack.addUser('admin');
      const body = startBody({ approverEmail: approver.email });
      const test = await completeOnboarding(
        stack,
        { staffToken: staff.token, approver },
        { tenant: { ...body.tenant, accountType: 'TEST' } },
      );
      expect(test.kit.accountType).toBe('TEST');
      const client = { clientId: test.kit.clientId as string, clientSecret: test.kit.clientSecret as string };
      const token = await oauthToken(stack, client, { grant_type: 'client_credentials' });
      expect(claimsOf(token.body.access_token).account_type).toBe('test');

      const production = await completeOnboarding(stack, { staffToken: staff.token, approver });
      expect(production.kit.accountType).toBe('PRODUCTION');
      const prodToken = await oauthToken(
        stack,
        { clientId: production.kit.clientId, clientSecret: production.kit.clientSecret },
        { grant_type: 'client_credentials' },
      );
      expect(claimsOf(prodToken.body.access_token).account_type).toBe('production');

      // A production tenant may not join the test account's client, nor a test tenant change its kind.
      const spare = await stack.http('POST', '/v1/tenants', {
        token: staff.token,
        body: { partnerProvidedId: 'seed-prod-spare', name: 'Spare', plan: 'TRADE' },
      });
      const added = await stack.http('POST', `/v1/clients/${client.clientId}/tenants`, {
        token: admin.token,
        body: { tenant: spare.body.tenantId, reason: 'seed test' },
      });
      expect(added.status).toBe(409);
      const changed = await stack.http('PATCH', `/v1/tenants/${test.view.tenant.tenantId}`, {
        token: staff.token,
        body: { accountType: 'PRODUCTION' },
      });
      expect(changed.status).toBe(409);
      const client409 = await stack.http('GET', `/v1/clients/${client.clientId}`, { token: staff.token });
      expect(client409.body.tenants).toHaveLength(1);
    });
  });

  describe('TecCom: failure notices go to the addresses the tenant keeps', () => {
    it('tells the notification emails of a refused token burst, once per window', async () => {
      const done = await completeOnboarding(stack, { staffToken: staff.token, approver });
      const client = { clientId: done.kit.clientId as string, clientSecret: done.kit.clientSecret as string };
      const tenantId = done.view.tenant.tenantId as string;
      const patched = await stack.http('PATCH', `/v1/clients/${client.clientId}/tenants/${tenantId}`, {
        token: staff.token,
        body: { notificationEmails: ['alerts@burst.example', 'noc@burst.example'] },
      });
      expect(patched.status).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await oauthToken(stack, client, { grant_type: 'client_credentials' })).status);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
      for (const to of ['alerts@burst.example', 'noc@burst.example']) {
        const mail = await stack.mail.waitFor((m) => m.to.includes(to) && /Token requests refused/.test(m.subject));
        expect(mail.text).toContain(client.clientId);
      }
      const notices = await stack.db.pool.query(
        "SELECT sent_at FROM failure_notices WHERE kind = 'TOKEN_BURST_REFUSED'",
      );
      expect(notices.rows).toHaveLength(1);
      expect(stack.mail.messages().filter((m) => m.to.includes('alerts@burst.example'))).toHaveLength(1);
    });

    it("tells the tenant's contact of a webhook given up, while no notification email is set", async () => {
      const receiver = await startReceiver(Array(50).fill(500));
      try {
        const body = startBody({
          approverEmail: approver.email,
          notify: { email: 'ops@acme.example', webhookUrl: receiver.url },
        });
        body.tenant.contact = { name: 'Ops', email: 'contact@hooks.example' };
        const started = await start(body);
        expect(started.status).toBe(202);
        await stack.waitForOnboarding(started.body.id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
        const mail = await stack.mail.waitFor(
          (m) => m.to.includes('contact@hooks.example') && /Webhook delivery failed/.test(m.subject),
          20_000,
        );
        expect(mail.text).toMatch(/after 2 attempts/);
      } finally {
        await receiver.close();
      }
    });
  });

  describe('Ongoing WMS: sending the credentials by mail is optional', () => {
    async function complete(notify: Record<string, unknown>) {
      const body = startBody({ approverEmail: approver.email, notify });
      const started = await start(body);
      expect(started.status).toBe(202);
      const id = started.body.id as string;
      await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
      for (const subscription of body.subscriptions)
        await stack.http('POST', `/v1/onboardings/${id}/approvals`, {
          token: approver.token,
          body: { subscription, decision: 'APPROVE' },
        });
      await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'COMPLETED');
      return id;
    }
    const kitMails = (email: string) =>
      stack.mail.messages().filter((m) => m.to.includes(email) && /kit/.test(m.subject));

    it('mails no kit with sendCredentials false; staff get a reveal-once link, each replacing the last', async () => {
      const email = 'held@acme.example';
      const id = await complete({ email, sendCredentials: false });
      const link = (headers: Record<string, string> = {}) =>
        stack.http('POST', `/v1/onboardings/${id}/kit-link`, { token: staff.token, headers });
      const first = await link();
      expect(first.status).toBe(201);
      expect(first.body.url).toMatch(/\/kit\/[A-Za-z0-9_-]+$/);
      const second = await link({ 'idempotency-key': `kit-${id}` });
      const repeat = await link({ 'idempotency-key': `kit-${id}` });
      expect(repeat.body).toEqual(second.body);
      const reveal = (url: string) => stack.http('POST', new URL(url).pathname.replace(/^\/kit\//, '/v1/kits/'));
      expect((await reveal(first.body.url)).status).toBe(410);
      const kit = await reveal(second.body.url);
      expect(kit.status).toBe(200);
      expect(kit.body.clientSecret).toEqual(expect.any(String));
      expect((await link()).status).toBe(409);
      expect((await stack.http('POST', `/v1/onboardings/${id}/kit-link`, { token: approver.token })).status).toBe(403);
      const audit = await stack.http('GET', `/v1/onboardings/${id}/audit`, { token: staff.token });
      expect(audit.body.items.filter((e: any) => e.action === 'KIT_LINK_ISSUED')).toHaveLength(2);
      expect(kitMails(email)).toHaveLength(0);
    });

    it('still mails the kit by default, and then has no link for staff', async () => {
      const email = 'mailed@acme.example';
      const id = await complete({ email });
      await stack.mail.waitFor((m) => m.to.includes(email) && /integration kit/.test(m.subject));
      expect((await stack.http('POST', `/v1/onboardings/${id}/kit-link`, { token: staff.token })).status).toBe(409);
    });
  });
});
