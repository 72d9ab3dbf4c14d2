import { startBody, startStack, type HttpResult, type Stack } from '../support/stack';

/** The API's edge: bad input is a 400 problem naming the field and changes nothing; auth is 401/403. */
describe('API edge', () => {
  let stack: Stack;
  let staff: { email: string; token: string };
  let approver: { email: string; token: string };

  beforeAll(async () => {
    stack = await startStack();
    staff = await stack.addUser('staff');
    approver = await stack.addUser('approver');
  });
  afterAll(() => stack?.stop());

  const countRows = async () => Number((await stack.db.pool.query('SELECT count(*) FROM onboardings')).rows[0].count);

  it.each([
    [
      'a plain CONTROL_TOWER',
      { subscriptions: ['CONTROL_TOWER'] },
      'subscriptions.0',
      /CONTROL_TOWER_ORDERS or CONTROL_TOWER_INVOICING/,
    ],
    ['an unknown subscription', { subscriptions: ['TELEPORT'] }, 'subscriptions.0', /unknown subscription/],
    ['no subscriptions', { subscriptions: [] }, 'subscriptions', /.+/],
    [
      'a bad email',
      { integrationUser: { email: 'not-an-email', integrationSystem: 'SAP' } },
      'integrationUser.email',
      /.+/,
    ],
    [
      'a portal that is not http',
      { clients: [{ partnerProvidedId: 'c', name: 'C', contactEmail: 'c@c.example', portalUrl: 'ftp://x' }] },
      'clients.0.portalUrl',
      /.+/,
    ],
    ['a missing tenant', { tenant: undefined }, 'tenant', /.+/],
    [
      'a webhook to the cloud metadata address',
      { notify: { email: 'o@x.example', webhookUrl: 'http://169.254.169.254/latest/meta-data' } },
      'notify.webhookUrl',
      /link-local/,
    ],
    [
      'a webhook to a private network',
      { notify: { email: 'o@x.example', webhookUrl: 'https://10.1.2.3/hook' } },
      'notify.webhookUrl',
      /private/,
    ],
    [
      'a webhook to IPv6 loopback',
      { notify: { email: 'o@x.example', webhookUrl: 'http://[::1]:8080/hook' } },
      'notify.webhookUrl',
      /loopback/,
    ],
    ...[
      ['a portal at the metadata address, IPv4-mapped', 'https://[::ffff:a9fe:a9fe]/', /link-local/],
      ['a portal at loopback through NAT64', 'https://[64:ff9b::7f00:1]:9/', /loopback/],
      ['a portal at loopback through 6to4', 'https://[2002:7f00:1::]/', /loopback/],
      ['a portal at loopback, IPv4-compatible', 'https://[::7f00:1]/', /loopback/],
      ['a portal over plain http', 'http://portal.client.example/', /https/],
    ].map(([what, portalUrl, message]) => [
      what,
      { clients: [{ partnerProvidedId: 'c', name: 'C', contactEmail: 'c@c.example', portalUrl }] },
      'clients.0.portalUrl',
      message,
    ]),
    ['an approver who is not one', { approverEmail: 'nobody@x.example' }, 'approverEmail', /not a registered approver/],
  ] as [string, Record<string, unknown>, string, RegExp][])(
    'refuses %s with 400 naming the field, starting nothing',
    async (_what, override, path, message) => {
      const before = await countRows();
      const res = await stack.http('POST', '/v1/onboardings', {
        token: staff.token,
        body: startBody({ approverEmail: approver.email, ...override }),
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400, title: 'Invalid request' });
      expect(res.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ path, message: expect.stringMatching(message) })]),
      );
      expect(await countRows()).toBe(before);
    },
  );

  it('answers malformed JSON with a 400 problem, not a 500', async () => {
    const res = await stack.http('POST', '/v1/onboardings', {
      token: staff.token,
      body: '{"tenant": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'body', message: 'malformed JSON' }]);
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('dry-runs a testMode start: the plan, and nothing started', async () => {
    const before = await countRows();
    const res = await stack.http('POST', '/v1/onboardings', {
      token: staff.token,
      body: startBody({ approverEmail: approver.email, testMode: true }),
    });
    expect(res.status).toBe(200);
    expect(res.body.plan.map((s: any) => [s.name, s.willRun])).toContainEqual(['COLLECT_CLIENT_CREDENTIALS', false]);
    expect(await countRows()).toBe(before);
  });

  it('needs a valid token (401) and the right role (403)', async () => {
    expect((await stack.http('GET', '/v1/onboardings')).status).toBe(401);
    expect((await stack.http('GET', '/v1/onboardings', { token: 'forged.token.value' })).status).toBe(401);
    expect((await stack.http('GET', '/v1/onboardings', { token: approver.token })).status).toBe(403);
    expect((await stack.http('POST', '/v1/onboardings', { token: approver.token, body: startBody() })).status).toBe(
      403,
    );
    expect((await stack.http('GET', '/v1/approvals', { token: staff.token })).status).toBe(403);
  });

  it('answers a wrong password and an unknown email with the same 401', async () => {
    const wrong = await stack.http('POST', '/v1/login', { body: { email: staff.email, password: 'wrong' } });
    const unknown = await stack.http('POST', '/v1/login', { body: { email: 'nobody@x.example', password: 'wrong' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    // The same answer but for the request id, which is each request's own.
    expect({ ...unknown.body, requestId: undefined }).toEqual({ ...wrong.body, requestId: undefined });
    expect(unknown.body.requestId).not.toBe(wrong.body.requestId);
  });

  it('rotates refresh tokens: a used one stops working', async () => {
    const user = await stack.addUser('staff', { password: 'correct horse battery' });
    const login = await stack.http('POST', '/v1/login', {
      body: { email: user.email, password: 'correct horse battery' },
    });
    const first = await stack.http('POST', '/v1/token/refresh', { body: { refreshToken: login.body.refreshToken } });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(login.body.refreshToken);
    expect((await stack.http('GET', '/v1/onboardings', { token: first.body.accessToken })).status).toBe(200);
    expect(
      (await stack.http('POST', '/v1/token/refresh', { body: { refreshToken: login.body.refreshToken } })).status,
    ).toBe(401);
  });

  it('says in Server-Timing where a start spent its time', async () => {
    const phases = (res: HttpResult) =>
      (res.headers.get('server-timing') ?? '').split(', ').map((p) => /^(\w+);dur=\d+\.\d$/.exec(p)?.[1]);
    const plain = await stack.http('POST', '/v1/onboardings', {
      token: staff.token,
      body: startBody({ approverEmail: approver.email }),
    });
    expect(plain.status).toBe(202);
    expect(phases(plain)).toEqual(['checks', 'insert', 'temporal']);
    const keyed = await stack.http('POST', '/v1/onboardings', {
      token: staff.token,
      body: startBody({ approverEmail: approver.email }),
      headers: { 'idempotency-key': 'server-timing-1' },
    });
    expect(phases(keyed)).toEqual(['checks', 'insert', 'temporal', 'idempotency']);
  });

  it('lists newest first with cursor paging and a status filter; a bad cursor is a 400', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await stack.http('POST', '/v1/onboardings', {
        token: staff.token,
        body: startBody({ approverEmail: approver.email }),
      });
      ids.push(res.body.id);
    }
    const page1 = await stack.http('GET', '/v1/onboardings?limit=2', { token: staff.token });
    expect(page1.body.items.map((v: any) => v.id)).toEqual([ids[2], ids[1]]);
    const page2 = await stack.http('GET', `/v1/onboardings?limit=2&cursor=${page1.body.nextCursor}`, {
      token: staff.token,
    });
    expect(page2.body.items[0].id).toBe(ids[0]);
    await stack.waitForOnboarding(ids[0], staff.token, (v) => v.status === 'AWAITING_APPROVAL');
    const waiting = await stack.http('GET', '/v1/onboardings?status=AWAITING_APPROVAL&limit=100', {
      token: staff.token,
    });
    expect(waiting.body.items.map((v: any) => v.id)).toContain(ids[0]);
    expect(
      (await stack.http('GET', '/v1/onboardings?status=SLEEPING', { token: staff.token })).body.errors[0].path,
    ).toBe('status');
    expect((await stack.http('GET', '/v1/onboardings?cursor=garbage', { token: staff.token })).status).toBe(400);
    expect((await stack.http('GET', '/v1/onboardings/not-a-uuid', { token: staff.token })).status).toBe(404);
  });

  it('serves health, readiness, metrics and an OpenAPI 3.1 document of every route', async () => {
    expect((await stack.http('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await stack.http('GET', '/readyz')).body).toEqual({
      status: 'ready',
      checks: { database: 'up', temporal: 'up' },
    });
    expect((await stack.http('GET', '/metrics')).text).toContain('gangway_http_requests_total');
    const doc = (await stack.http('GET', '/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/login',
        '/v1/token/refresh',
        '/v1/onboardings',
        '/v1/onboardings/{id}',
        '/v1/onboardings/{id}/approvals',
        '/v1/onboardings/{id}/cancel',
        '/v1/approvals',
        '/collect/{token}',
        '/v1/collect/{token}',
        '/v1/kits/{token}',
        '/oauth/token',
        '/v1/tenants',
        '/v1/tenants/{identifier}',
        '/v1/clients/{clientId}',
        '/v1/clients/{clientId}/rotate-secret',
        '/v1/clients/{clientId}/tenants',
        '/v1/clients/{clientId}/tenants/{tenantId}',
        '/v1/clients/{clientId}/administrators',
        '/v1/clients/{clientId}/administrators/{email}',
        '/set-password/{token}',
        '/v1/set-password/{token}',
        '/platform/v1/invoices',
      ]),
    );
    expect(Object.keys(doc.paths['/v1/tenants/{identifier}'])).toEqual(
      expect.arrayContaining(['get', 'patch', 'delete']),
    );
    expect(JSON.stringify(doc.components.schemas.CreateTenant)).toContain('shippingDays');
    expect(JSON.stringify(doc.components.schemas.StartOnboarding)).toContain('CONTROL_TOWER_ORDERS');
    expect((await stack.http('GET', '/nowhere')).status).toBe(404);
  });
});
