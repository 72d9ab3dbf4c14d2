import { buildOpenApiDocument } from '../../api/openapi';
import { completeOnboarding, oauthToken } from '../support/complete-onboarding';
import { startBody, startStack, type Stack } from '../support/stack';
import { expiredToken, forgedTokens } from '../support/tokens';

/**
 * Issue #13 item 8: every documented route × every kind of caller, each cell asserted.
 * 'allowed' means the auth layer let the request through: any status but 401/403 (a 400 for a deliberately
 * empty body, a 404 for an unknown id). No cell may ever answer 5xx.
 */
const IDENTITIES = [
  'anonymous',
  'staff',
  'approverAssigned',
  'approverOther',
  'admin',
  'customer',
  'disabled',
  'expired',
  'algNone',
  'foreignKey',
  'wrongAudience',
] as const;
type Identity = (typeof IDENTITIES)[number];
type Outcome = 'allowed' | 401 | 403;
type Row = { path: string; body?: unknown; headers?: Record<string, string>; expect: Record<Identity, Outcome> };

const NOBODY = '00000000-0000-4000-8000-000000000001';

/** A gangway-user route: no valid user token → 401; a user without the role (or assignment) → 403. */
function user(allowed: Identity[], forbiddenToo: Identity[] = []): Record<Identity, Outcome> {
  const people: Identity[] = ['staff', 'approverAssigned', 'approverOther', 'admin'];
  return Object.fromEntries(
    IDENTITIES.map((i) => [
      i,
      !people.includes(i) ? 401 : allowed.includes(i) && !forbiddenToo.includes(i) ? 'allowed' : 403,
    ]),
  ) as Record<Identity, Outcome>;
}
const everyone = (outcome: Outcome) =>
  Object.fromEntries(IDENTITIES.map((i) => [i, outcome])) as Record<Identity, Outcome>;
const STAFF: Identity[] = ['staff', 'admin'];
/** The tenant configuration API: staff, or a customer system's own token for its own tenant (a 403 where it may not). */
const configuration = (customer: Outcome) => ({ ...user(STAFF), customer });
const APPROVERS: Identity[] = ['approverAssigned', 'approverOther', 'admin'];

describe('authorization matrix (issue #13 item 8)', () => {
  let stack: Stack;
  const tokens = {} as Record<Identity, string | undefined>;
  let rows: Record<string, Row>;
  const openapi = buildOpenApiDocument('http://localhost');
  const documented = Object.entries(openapi.paths ?? {}).flatMap(([path, ops]) =>
    Object.keys(ops as object)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
  /** Outside the OpenAPI document, public by design: the document itself, its viewer, the pages' scripts and styles. */
  const UNDOCUMENTED_PUBLIC = [
    'GET /openapi.json',
    'GET /docs/',
    'GET /ui/inbox.js',
    'GET /ui/console.js',
    'GET /ui/session.js',
    'GET /ui/ui.css',
    'OPTIONS /codec/decode',
  ];

  beforeAll(async () => {
    // Eleven callers hit each token-keyed route: the per-token and per-client limits stay out of the way here.
    stack = await startStack({ RATE_LIMIT_PER_TOKEN: '1000000', RATE_LIMIT_PER_CLIENT: '1000000' });
    const staff = await stack.addUser('staff');
    const admin = await stack.addUser('admin');
    const assigned = await stack.addUser('approver');
    const other = await stack.addUser('approver');
    const disabled = await stack.addUser('approver');
    expect((await stack.http('POST', `/v1/users/${disabled.id}/disable`, { token: admin.token })).status).toBe(200);

    const done = await completeOnboarding(
      stack,
      { staffToken: staff.token, approver: assigned },
      {
        integrationUser: {
          email: 'api@acme.example',
          integrationSystem: 'SAP S/4HANA',
          scope: 'TENANT',
          invoiceDataAccess: true,
        },
      },
    );
    const client = { clientId: done.kit.clientId as string, clientSecret: done.kit.clientSecret as string };
    const customer = await oauthToken(stack, client, { grant_type: 'client_credentials' });
    expect(customer.status).toBe(200);
    const tenantId = (await stack.http('GET', `/v1/clients/${client.clientId}`, { token: staff.token })).body.tenants[0]
      .tenantId as string;

    const started = await stack.http('POST', '/v1/onboardings', {
      token: staff.token,
      body: startBody({ approverEmail: assigned.email }),
    });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');

    Object.assign(tokens, {
      anonymous: undefined,
      staff: staff.token,
      approverAssigned: assigned.token,
      approverOther: other.token,
      admin: admin.token,
      customer: customer.body.access_token,
      disabled: disabled.token,
      expired: await expiredToken(stack, admin),
      algNone: forgedTokens.algNone(),
      foreignKey: forgedTokens.foreignKey(admin.id),
      wrongAudience: forgedTokens.wrongAudience(admin.id),
    });

    const c = `/v1/clients/${client.clientId}`;
    const o = `/v1/onboardings/${id}`;
    rows = {
      'POST /v1/login': { path: '/v1/login', body: {}, expect: everyone('allowed') },
      'POST /v1/token/refresh': { path: '/v1/token/refresh', body: { refreshToken: 'nope' }, expect: everyone(401) },
      'POST /v1/logout': { path: '/v1/logout', body: {}, expect: everyone('allowed') },
      'GET /v1/users': { path: '/v1/users', expect: user(['admin']) },
      'POST /v1/users/{id}/disable': { path: `/v1/users/${NOBODY}/disable`, expect: user(['admin']) },
      'POST /v1/users/{id}/enable': { path: `/v1/users/${NOBODY}/enable`, expect: user(['admin']) },
      'POST /v1/onboardings': { path: '/v1/onboardings', body: {}, expect: user(STAFF) },
      'GET /v1/onboardings': { path: '/v1/onboardings', expect: user(STAFF) },
      'GET /v1/onboardings/{id}': { path: o, expect: user([...STAFF, 'approverAssigned']) },
      'GET /v1/onboardings/{id}/audit': { path: `${o}/audit`, expect: user([...STAFF, 'approverAssigned']) },
      // Only the assigned approver may decide; admins and staff are not assigned.
      'POST /v1/onboardings/{id}/approvals': {
        path: `${o}/approvals`,
        body: { subscription: 'ORDER_MANAGEMENT', decision: 'APPROVE', comment: 'matrix' },
        expect: user(['approverAssigned']),
      },
      'POST /v1/onboardings/{id}/reassignments': { path: `${o}/reassignments`, body: {}, expect: user(['admin']) },
      // Only the assigned approver may delegate (to the admin here, a registered approver).
      'POST /v1/onboardings/{id}/delegations': {
        path: `${o}/delegations`,
        body: { subscription: 'INVOICING', to: admin.email, reason: 'matrix' },
        expect: user(['approverAssigned']),
      },
      'POST /v1/onboardings/{id}/cancel': { path: `${o}/cancel`, body: {}, expect: user(STAFF) },
      'POST /v1/onboardings/{id}/resend': { path: `${o}/resend`, body: {}, expect: user(STAFF) },
      'POST /v1/onboardings/{id}/clients/{partnerProvidedId}/retry': {
        path: `${o}/clients/nobody/retry`,
        expect: user(STAFF),
      },
      'PATCH /v1/onboardings/{id}': { path: o, body: {}, expect: user(STAFF) },
      'GET /v1/approvals': { path: '/v1/approvals', expect: user(APPROVERS) },
      'GET /inbox': { path: '/inbox', expect: everyone('allowed') },
      'GET /console': { path: '/console', expect: everyone('allowed') },
      'GET /console/onboardings/{id}': { path: `/console/onboardings/${id}`, expect: everyone('allowed') },
      'GET /v1/stats/onboardings': { path: '/v1/stats/onboardings', expect: user(STAFF) },
      'GET /collect/{token}': { path: '/collect/nope', expect: everyone('allowed') },
      'POST /v1/collect/{token}': { path: '/v1/collect/nope', body: {}, expect: everyone('allowed') },
      'GET /kit/{token}': { path: '/kit/nope', expect: everyone('allowed') },
      'POST /v1/kits/{token}': { path: '/v1/kits/nope', expect: everyone('allowed') },
      'GET /v1/kits/{token}': { path: '/v1/kits/nope', expect: everyone('allowed') },
      // Client authentication is HTTP Basic: a bearer token of any kind is no client → 401 invalid_client.
      'POST /oauth/token': {
        path: '/oauth/token',
        body: 'grant_type=client_credentials',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        expect: everyone(401),
      },
      'POST /codec/encode': { path: '/codec/encode', body: {}, expect: user(STAFF) },
      'POST /codec/decode': { path: '/codec/decode', body: {}, expect: user(STAFF) },
      'POST /v1/tenants': { path: '/v1/tenants', body: {}, expect: configuration(403) },
      'GET /v1/tenants/{identifier}': { path: `/v1/tenants/${tenantId}`, expect: configuration('allowed') },
      'PATCH /v1/tenants/{identifier}': {
        path: `/v1/tenants/${tenantId}`,
        body: { testMode: true },
        expect: configuration('allowed'),
      },
      'DELETE /v1/tenants/{identifier}': {
        path: `/v1/tenants/${tenantId}`,
        body: { testMode: true },
        expect: configuration(403),
      },
      'GET /v1/tenants': { path: '/v1/tenants', expect: configuration(403) },
      'GET /v1/tenants/{identifier}/origins': {
        path: `/v1/tenants/${tenantId}/origins`,
        expect: configuration('allowed'),
      },
      'POST /v1/tenants/{identifier}/origins': {
        path: `/v1/tenants/${tenantId}/origins`,
        body: { testMode: true },
        expect: configuration('allowed'),
      },
      'GET /v1/tenants/{identifier}/origins/{origin}': {
        path: `/v1/tenants/${tenantId}/origins/nowhere`,
        expect: configuration('allowed'),
      },
      'PATCH /v1/tenants/{identifier}/origins/{origin}': {
        path: `/v1/tenants/${tenantId}/origins/nowhere`,
        body: { testMode: true },
        expect: configuration('allowed'),
      },
      // No reason: refused as invalid (400) for staff, before anything is offboarded.
      'POST /v1/tenants/{identifier}/offboard': {
        path: `/v1/tenants/${tenantId}/offboard`,
        body: {},
        expect: user(STAFF),
      },
      'GET /v1/offboardings/{id}': { path: `/v1/offboardings/${NOBODY}`, expect: user(STAFF) },
      'GET /v1/clients/{clientId}': { path: c, expect: user(STAFF) },
      'POST /v1/clients/{clientId}/rotate-secret': { path: `${c}/rotate-secret`, body: {}, expect: user(STAFF) },
      // Staff pass the client check on the customer's behalf (400 for the empty body); which tenants a non-admin may
      // add is integration-access's: *adds only tenants the caller administers…*.
      'POST /v1/clients/{clientId}/tenants': { path: `${c}/tenants`, body: {}, expect: user(STAFF) },
      'PATCH /v1/clients/{clientId}/tenants/{tenantId}': {
        path: `${c}/tenants/${tenantId}`,
        body: { enabled: 'not a boolean' },
        expect: user(STAFF),
      },
      'DELETE /v1/clients/{clientId}/tenants/{tenantId}': { path: `${c}/tenants/${NOBODY}`, expect: user(STAFF) },
      'POST /v1/clients/{clientId}/administrators': { path: `${c}/administrators`, body: {}, expect: user(STAFF) },
      'DELETE /v1/clients/{clientId}/administrators/{email}': {
        path: `${c}/administrators/nobody@x.example`,
        expect: user(STAFF),
      },
      'POST /v1/webhooks': { path: '/v1/webhooks', body: {}, expect: user(STAFF) },
      'GET /v1/webhooks': { path: '/v1/webhooks', expect: user(STAFF) },
      'DELETE /v1/webhooks/{id}': { path: `/v1/webhooks/${NOBODY}`, expect: user(STAFF) },
      'GET /v1/webhooks/{id}/deliveries': { path: `/v1/webhooks/${NOBODY}/deliveries`, expect: user(STAFF) },
      'POST /v1/webhooks/{id}/deliveries/{deliveryId}/redeliver': {
        path: `/v1/webhooks/${NOBODY}/deliveries/nope/redeliver`,
        expect: user(STAFF),
      },
      'POST /v1/onboardings/{id}/kit-link': { path: `${o}/kit-link`, expect: user(STAFF) },
      'GET /v1/tenants/{identifier}/api-users': { path: `/v1/tenants/${tenantId}/api-users`, expect: user(STAFF) },
      'PATCH /v1/tenants/{identifier}/api-users/{username}': {
        path: `/v1/tenants/${tenantId}/api-users/${done.kit.username}`,
        body: {},
        expect: user(STAFF),
      },
      'GET /v1/tenants/{identifier}/api-users/{username}/access-changes': {
        path: `/v1/tenants/${tenantId}/api-users/${done.kit.username}/access-changes`,
        expect: user(STAFF),
      },
      'GET /v1/access-changes': { path: '/v1/access-changes', expect: user(APPROVERS) },
      // An unknown change is 404 to every signed-in person: a known one is shown to staff and its approver.
      'GET /v1/access-changes/{id}': { path: '/v1/access-changes/nope', expect: user([...STAFF, ...APPROVERS]) },
      'POST /v1/access-changes/{id}/approvals': {
        path: '/v1/access-changes/nope/approvals',
        body: { decision: 'APPROVE' },
        expect: user([...STAFF, ...APPROVERS]),
      },
      'POST /v1/automation-users': { path: '/v1/automation-users', body: {}, expect: user(['admin']) },
      'GET /v1/automation-users': { path: '/v1/automation-users', expect: user(['admin']) },
      'GET /v1/catalog/integration-systems': { path: '/v1/catalog/integration-systems', expect: user(STAFF) },
      'GET /set-password/{token}': { path: '/set-password/nope', expect: everyone('allowed') },
      'POST /v1/set-password/{token}': { path: '/v1/set-password/nope', body: {}, expect: everyone('allowed') },
      // The customer API: only an /oauth/token access token (here with an invoice scope) is accepted.
      'GET /platform/v1/invoices': {
        path: '/platform/v1/invoices',
        expect: { ...everyone(401), customer: 'allowed' },
      },
      'GET /healthz': { path: '/healthz', expect: everyone('allowed') },
      'GET /readyz': { path: '/readyz', expect: everyone('allowed') },
      'GET /metrics': { path: '/metrics', expect: everyone('allowed') },
      ...Object.fromEntries(
        UNDOCUMENTED_PUBLIC.map((route) => [route, { path: route.split(' ')[1], expect: everyone('allowed') }]),
      ),
    };
  }, 120_000);
  afterAll(() => stack?.stop());

  it('has a row for every route the OpenAPI document lists', () => {
    const missing = documented.filter((route) => !rows[route]);
    expect(missing).toEqual([]);
    const extra = Object.keys(rows).filter((r) => !documented.includes(r) && !UNDOCUMENTED_PUBLIC.includes(r));
    expect(extra).toEqual([]);
  });

  it('answers every cell as the contract demands, and never 5xx', async () => {
    const cells: { route: string; identity: Identity; status: number; ok: boolean }[] = [];
    for (const [route, row] of Object.entries(rows)) {
      const method = route.split(' ')[0];
      for (const identity of IDENTITIES) {
        const token = tokens[identity];
        const res = await stack.http(method, row.path, {
          body: row.body,
          headers: { ...row.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        });
        const want = row.expect[identity];
        const ok =
          res.status < 500 && (want === 'allowed' ? res.status !== 401 && res.status !== 403 : res.status === want);
        cells.push({ route, identity, status: res.status, ok });
      }
    }
    const broken = cells.filter((c) => !c.ok);
    if (broken.length) {
      const width = Math.max(...Object.keys(rows).map((r) => r.length));
      const header = `${'route'.padEnd(width)} | ${IDENTITIES.map((i) => i.slice(0, 10).padEnd(10)).join(' | ')}`;
      const lines = Object.entries(rows).map(
        ([route, row]) =>
          `${route.padEnd(width)} | ${IDENTITIES.map((i) => {
            const cell = cells.find((c) => c.route === route && c.identity === i)!;
            return `${cell.ok ? ' ' : '✗'}${cell.status}/${row.expect[i] === 'allowed' ? 'ok' : row.expect[i]}`.padEnd(
              10,
            );
          }).join(' | ')}`,
      );
      throw new Error(
        `${broken.length} of ${cells.length} cells broke (✗ actual/expected; ok = not 401/403 and not 5xx):\n${header}\n${lines.join('\n')}`,
      );
    }
    expect(cells).toHaveLength(Object.keys(rows).length * IDENTITIES.length);
  }, 180_000);
});
