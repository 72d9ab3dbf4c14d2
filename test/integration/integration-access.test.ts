import { claimsOf, completeOnboarding, oauthToken } from '../support/complete-onboarding';
import { kitRevealPath, startStack, type Stack } from '../support/stack';

/**
 * What the customer holds after an onboarding: the kit, a password only they chose, tokens whose
 * scopes follow the rules, and a client its administrators manage (rotation, tenants, administrators).
 */
describe('integration access after an onboarding', () => {
  let stack: Stack;
  let staff: { email: string; token: string };
  let admin: { email: string; token: string };
  let approver: { email: string; token: string };
  let done: Awaited<ReturnType<typeof completeOnboarding>>;

  beforeAll(async () => {
    stack = await startStack({ CLIENT_SECRET_GRACE: '1500ms' });
    staff = await stack.addUser('staff');
    admin = await stack.addUser('admin');
    approver = await stack.addUser('approver');
    done = await completeOnboarding(
      stack,
      { staffToken: staff.token, approver },
      { subscriptions: ['ORDER_MANAGEMENT', 'INVOICING'] },
    );
  });
  afterAll(() => stack?.stop());

  const setPasswordPath = (kit: { setPasswordUrl: string }) =>
    new URL(kit.setPasswordUrl).pathname.replace('/set-password/', '/v1/set-password/');

  it('hands over exactly the kit: client id, secret, username, set-password link, portal link, subscriptions, account type; none of it in the mail', () => {
    expect(Object.keys(done.kit)).toEqual([
      'clientId',
      'clientSecret',
      'username',
      'setPasswordUrl',
      'developerPortalUrl',
      'subscriptions',
      'accountType',
    ]);
    expect(done.kit).toMatchObject({
      clientId: done.view.clientId,
      username: done.view.integrationUser.username,
      subscriptions: ['ORDER_MANAGEMENT', 'INVOICING'],
      accountType: 'PRODUCTION',
    });
    expect(done.kit.username).toMatch(/^WSI_ACME_/);
    expect(done.kit.setPasswordUrl).toMatch(/\/set-password\/[A-Za-z0-9_-]{43}$/);
    expect(done.kitMail.text).not.toContain(done.kit.clientSecret);
    expect(done.kitMail.text).not.toContain(done.kit.setPasswordUrl.split('/').pop());
  });

  it('marks the tenant it created with orchestratedAssetMetadata (the workflow id)', async () => {
    const tenant = await stack.http('GET', `/v1/tenants/${done.body.tenant.partnerProvidedId}`, { token: staff.token });
    expect(tenant.body).toMatchObject({
      tenantId: done.view.tenant.tenantId,
      version: 1,
      orchestratedAssetMetadata: {
        orchestrationId: done.started.workflowId,
        orchestrationTimeStamp: expect.any(String),
      },
    });
  });

  it('lets the customer set the password once through the link; then grant_type=password works', async () => {
    const before = await oauthToken(stack, done.kit, {
      grant_type: 'password',
      username: done.kit.username,
      password: 'customer chosen secret',
    });
    expect(before.status).toBe(400);
    expect(before.body.error).toBe('invalid_grant');

    const page = await fetch(done.kit.setPasswordUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(done.kit.username);
    expect((await stack.http('POST', setPasswordPath(done.kit), { body: { password: 'short' } })).status).toBe(400);
    const set = await stack.http('POST', setPasswordPath(done.kit), { body: { password: 'customer chosen secret' } });
    expect(set.status).toBe(200);
    expect(
      (await stack.http('POST', setPasswordPath(done.kit), { body: { password: 'another chosen secret' } })).status,
    ).toBe(410);

    const token = await oauthToken(stack, done.kit, {
      grant_type: 'password',
      username: done.kit.username,
      password: 'customer chosen secret',
    });
    expect(token.status).toBe(200);
    // A TENANT-scoped user belongs to exactly its one tenant.
    expect(claimsOf(token.body.access_token)).toMatchObject({
      sub: done.kit.username,
      tenants: [done.view.tenant.tenantId],
    });
    const stored = await stack.db.pool.query('SELECT password_hash FROM integration_users WHERE username = $1', [
      done.kit.username,
    ]);
    expect(stored.rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  });

  it('gives an AUTOMATION user (started by an admin) every tenant', async () => {
    const admin = await stack.addUser('admin');
    const automation = await completeOnboarding(
      stack,
      { staffToken: admin.token, approver },
      {
        integrationUser: {
          email: 'robot@acme.example',
          integrationSystem: 'Other',
          integrationSystemName: 'Storage lift',
          scope: 'AUTOMATION',
          invoiceDataAccess: false,
        },
      },
    );
    await stack.http('POST', setPasswordPath(automation.kit), { body: { password: 'lift password 123' } });
    const token = await oauthToken(stack, automation.kit, {
      grant_type: 'password',
      username: automation.kit.username,
      password: 'lift password 123',
    });
    expect(claimsOf(token.body.access_token).tenants).toEqual(['*']);
    const row = await stack.db.pool.query(
      'SELECT scope, integration_system FROM integration_users WHERE username = $1',
      [automation.kit.username],
    );
    expect(row.rows[0]).toEqual({ scope: 'AUTOMATION', integration_system: 'Storage lift' });
  });

  it('gives no invoice scope while invoiceDataAccess is false, and refuses invoice data with 403', async () => {
    const token = await oauthToken(stack, done.kit, { grant_type: 'client_credentials' });
    expect(token.body.scope).toBe('order_management');
    const invoices = await stack.http('GET', '/platform/v1/invoices', { token: token.body.access_token });
    expect(invoices.status).toBe(403);
    expect((await stack.http('GET', '/platform/v1/invoices')).status).toBe(401);
  });

  it('serves every subscription the tenant holds with the same credentials, invoices included when allowed', async () => {
    const allowed = await completeOnboarding(
      stack,
      { staffToken: staff.token, approver },
      {
        subscriptions: ['ORDER_MANAGEMENT', 'CONTROL_TOWER_ORDERS', 'INVOICING'],
        integrationUser: {
          email: 'api@acme.example',
          integrationSystem: 'SAP S/4HANA',
          scope: 'TENANT',
          invoiceDataAccess: true,
        },
      },
    );
    const token = await oauthToken(stack, allowed.kit, { grant_type: 'client_credentials' });
    expect(token.body.scope).toBe('control_tower_orders invoicing order_management');
    expect((await stack.http('GET', '/platform/v1/invoices', { token: token.body.access_token })).body).toEqual({
      items: [],
    });
  });

  it('keeps a rotated secret working for the grace period only; the new secret reaches the customer once, by link', async () => {
    const fresh = await completeOnboarding(stack, { staffToken: staff.token, approver });
    const answer = await stack.http('POST', `/v1/clients/${fresh.kit.clientId}/rotate-secret`, {
      token: staff.token,
      body: { reason: 'scheduled rotation' },
    });
    expect(answer.status).toBe(202);
    expect(answer.body).not.toHaveProperty('clientSecret');
    const mail = await stack.mail.waitFor(
      (m) => m.to.includes(fresh.body.notify.email) && /new client secret/.test(m.subject),
    );
    const revealed = await stack.http('POST', kitRevealPath(mail.text));
    const rotated = { body: { ...answer.body, clientSecret: revealed.body.clientSecret } };
    expect(rotated.body.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stack.http('POST', kitRevealPath(mail.text))).status).toBe(410);
    const stored = await stack.db.pool.query('SELECT secret_hash FROM api_clients WHERE client_id = $1', [
      fresh.kit.clientId,
    ]);
    expect(stored.rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.rows[0].secret_hash).not.toContain(rotated.body.clientSecret);
    const grant = { grant_type: 'client_credentials' };
    expect(
      (await oauthToken(stack, { clientId: fresh.kit.clientId, clientSecret: rotated.body.clientSecret }, grant))
        .status,
    ).toBe(200);
    expect((await oauthToken(stack, fresh.kit, grant)).status).toBe(200);
    await new Promise((resolve) =>
      setTimeout(resolve, Date.parse(rotated.body.previousSecretValidUntil) - Date.now() + 100),
    );
    expect((await oauthToken(stack, fresh.kit, grant)).status).toBe(401);
    expect(
      (await oauthToken(stack, { clientId: fresh.kit.clientId, clientSecret: rotated.body.clientSecret }, grant))
        .status,
    ).toBe(200);
  });

  it('keeps at least one administrator: the starter by default; others may be added; the last cannot be removed', async () => {
    const clientPath = `/v1/clients/${done.kit.clientId}`;
    const outsider = await stack.addUser('approver', { firstName: 'Ada', lastName: 'Lovelace' });
    // Registered before people had names: listed with none.
    expect((await stack.http('GET', clientPath, { token: staff.token })).body.administrators).toEqual([
      { email: staff.email.toLowerCase(), firstName: null, lastName: null },
    ]);
    expect((await stack.http('GET', clientPath, { token: outsider.token })).status).toBe(403);

    const added = await stack.http('POST', `${clientPath}/administrators`, {
      token: staff.token,
      body: { email: outsider.email.toUpperCase() },
    });
    expect(added.status).toBe(201);
    // TecCom: the person found by email shows with first and last name, in the answer and in the list.
    const ada = { email: outsider.email.toLowerCase(), firstName: 'Ada', lastName: 'Lovelace' };
    expect(added.body.administrator).toEqual(ada);
    expect(added.body.administrators).toEqual([
      { email: staff.email.toLowerCase(), firstName: null, lastName: null },
      ada,
    ]);
    // The new administrator reads the client id and may manage it.
    const asAdmin = await stack.http('GET', clientPath, { token: outsider.token });
    expect(asAdmin.body.clientId).toBe(done.kit.clientId);
    expect(asAdmin.body.administrators).toEqual(added.body.administrators);
    expect(
      (
        await stack.http('DELETE', `${clientPath}/administrators/${encodeURIComponent(staff.email)}`, {
          token: outsider.token,
        })
      ).status,
    ).toBe(200);
    const last = await stack.http('DELETE', `${clientPath}/administrators/${encodeURIComponent(outsider.email)}`, {
      token: outsider.token,
    });
    expect(last.status).toBe(409);
    expect(last.body.detail).toMatch(/at least one administrator/);
    expect((await stack.http('GET', clientPath, { token: staff.token })).body.administrators).toEqual([ada]);
  });

  it('answers an unknown email with 404 "User not found" and adds nobody', async () => {
    const clientPath = `/v1/clients/${done.kit.clientId}`;
    const before = (await stack.http('GET', clientPath, { token: admin.token })).body;
    const unknown = await stack.http('POST', `${clientPath}/administrators`, {
      token: admin.token,
      body: { email: 'nobody@x.example', reason: 'new colleague' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(unknown.body).toMatchObject({
      type: 'https://gangway.dev/problems/user-not-found',
      title: 'User not found',
      status: 404,
      detail: expect.stringContaining('No gangway user has the email nobody@x.example'),
    });
    expect((await stack.http('GET', clientPath, { token: admin.token })).body).toEqual(before);
    const audited = await stack.db.pool.query(
      "SELECT 1 FROM security_events WHERE subject = $1 AND event = 'client_administrator_added' AND detail ->> 'email' = $2",
      [done.kit.clientId, 'nobody@x.example'],
    );
    expect(audited.rows).toEqual([]);
    // Not an email at all stays a 400 naming the field.
    const invalid = await stack.http('POST', `${clientPath}/administrators`, {
      token: admin.token,
      body: { email: 'not an email' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors).toEqual([expect.objectContaining({ path: 'email' })]);
  });

  it('assigns a tenant to at most one client; a client serves several; tenants can be disabled and given notification emails', async () => {
    const a = await completeOnboarding(stack, { staffToken: staff.token, approver });
    const b = await completeOnboarding(stack, { staffToken: staff.token, approver });
    const tenantB = b.view.tenant.tenantId;
    const toA = await stack.http('POST', `/v1/clients/${a.kit.clientId}/tenants`, {
      token: admin.token,
      body: { tenant: b.body.tenant.partnerProvidedId },
    });
    expect(toA.status).toBe(409);

    expect(
      (await stack.http('DELETE', `/v1/clients/${b.kit.clientId}/tenants/${tenantB}`, { token: staff.token })).status,
    ).toBe(200);
    const added = await stack.http('POST', `/v1/clients/${a.kit.clientId}/tenants`, {
      token: admin.token,
      body: { tenant: tenantB, notificationEmails: ['alerts@acme.example'] },
    });
    expect(added.status).toBe(201);
    expect(added.body.tenants).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tenantId: tenantB, enabled: true, notificationEmails: ['alerts@acme.example'] }),
      ]),
    );
    let claims = claimsOf((await oauthToken(stack, a.kit, { grant_type: 'client_credentials' })).body.access_token);
    expect(claims.tenants.sort()).toEqual([a.view.tenant.tenantId, tenantB].sort());

    const disabled = await stack.http('PATCH', `/v1/clients/${a.kit.clientId}/tenants/${tenantB}`, {
      token: staff.token,
      body: { enabled: false },
    });
    expect(disabled.body.tenants).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tenantId: tenantB, enabled: false, notificationEmails: ['alerts@acme.example'] }),
      ]),
    );
    claims = claimsOf((await oauthToken(stack, a.kit, { grant_type: 'client_credentials' })).body.access_token);
    expect(claims.tenants).toEqual([a.view.tenant.tenantId]);
    expect(
      (await stack.http('PATCH', `/v1/clients/${a.kit.clientId}/tenants/${tenantB}`, { token: staff.token, body: {} }))
        .status,
    ).toBe(400);
    expect(
      (
        await stack.http('PATCH', `/v1/clients/${a.kit.clientId}/tenants/not-a-uuid`, {
          token: staff.token,
          body: { enabled: true },
        })
      ).status,
    ).toBe(404);
  });

  it('adds only tenants the caller administers (on their client, or on none and onboarded by them or onto their client); admins add any', async () => {
    const otherStaff = await stack.addUser('staff');
    const person = await stack.addUser('approver', { firstName: 'Pat', lastName: 'Customer' });
    const a = await completeOnboarding(stack, { staffToken: staff.token, approver });
    const b = await completeOnboarding(stack, { staffToken: staff.token, approver });
    const [clientA, clientB] = [`/v1/clients/${a.kit.clientId}`, `/v1/clients/${b.kit.clientId}`];
    const tenantB = b.view.tenant.tenantId as string;
    const add = (token: string, clientPath: string, tenant: string) =>
      stack.http('POST', `${clientPath}/tenants`, { token, body: { tenant, reason: 'move' } });
    const tenantsOf = async (clientPath: string) =>
      (await stack.http('GET', clientPath, { token: admin.token })).body.tenants.map((t: any) => t.tenantId);

    // A tenant nobody onboarded and no client serves: only an admin may add it.
    const loose = await stack.http('POST', '/v1/tenants', {
      token: admin.token,
      body: { partnerProvidedId: `loose-${Date.now().toString(36)}`, name: 'Loose', plan: 'TRADE' },
    });
    const refused = await add(staff.token, clientA, loose.body.partnerProvidedId);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body.detail).toContain(`you do not administer tenant ${loose.body.partnerProvidedId}`);
    expect(await tenantsOf(clientA)).toEqual([a.view.tenant.tenantId]);
    const stored = await stack.db.pool.query('SELECT 1 FROM api_client_tenants WHERE tenant_id = $1', [
      loose.body.tenantId,
    ]);
    expect(stored.rows).toEqual([]);
    // An unknown tenant looks the same to a non-admin; an admin is told it does not exist.
    expect((await add(staff.token, clientA, 'no-such-tenant')).status).toBe(403);
    expect((await add(admin.token, clientA, 'no-such-tenant')).status).toBe(400);

    // On client B, tenant B belongs to B's administrators: staff acting on A's behalf are refused, B's own get
    // the usual 409 (a tenant is on at most one client).
    expect((await add(otherStaff.token, clientA, tenantB)).status).toBe(403);
    expect((await add(staff.token, clientA, tenantB)).status).toBe(409);

    // Moved: taken off B, it belongs to whoever onboarded it and to its home client B's administrators.
    for (const clientPath of [clientA, clientB])
      expect(
        (
          await stack.http('POST', `${clientPath}/administrators`, {
            token: staff.token,
            body: { email: person.email },
          })
        ).status,
      ).toBe(201);
    expect((await stack.http('DELETE', `${clientB}/tenants/${tenantB}`, { token: staff.token })).status).toBe(200);
    expect((await add(otherStaff.token, clientA, tenantB)).status).toBe(403);
    const moved = await add(person.token, clientA, tenantB);
    expect(moved.status).toBe(201);
    expect(moved.body.tenants.map((t: any) => t.tenantId)).toContain(tenantB);

    // The starter alone, no longer an administrator of B, still administers it while it is on no client.
    expect((await stack.http('DELETE', `${clientA}/tenants/${tenantB}`, { token: person.token })).status).toBe(200);
    expect(
      (
        await stack.http('DELETE', `${clientB}/administrators/${encodeURIComponent(staff.email)}`, {
          token: person.token,
        })
      ).status,
    ).toBe(200);
    expect((await add(staff.token, clientA, tenantB)).status).toBe(201);

    // Admins add any live tenant.
    expect((await add(admin.token, clientB, loose.body.tenantId)).status).toBe(201);
    expect(await tenantsOf(clientB)).toEqual([loose.body.tenantId]);
  });
});
