import fc from 'fast-check';
import { buildOpenApiDocument } from '../../api/openapi';
import { completeOnboarding } from '../support/complete-onboarding';
import { startBody, startStack, type Stack } from '../support/stack';

/**
 * Issue #13 item 8: property-based fuzzing of everything the API reads — every documented request body,
 * query parameter and path, plus the Authorization, Idempotency-Key, Content-Type and X-Forwarded-For
 * headers — as an admin and anonymously. No answer may be 5xx, and a refused request (4xx) changes nothing.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 130801);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

/**
 * The tables a refused request must leave alone. Not rate_limits and security_events: counting a refusal
 * (a failed login, a per-token or per-address hit) and recording it is what those two are for.
 */
const TABLES = [
  'onboardings',
  'tenants',
  'tenant_versions',
  'users',
  'api_clients',
  'api_client_tenants',
  'audit_events',
  'refresh_tokens',
  'webhook_deliveries',
  'webhook_subscriptions',
  'mail_log',
  'idempotency_keys',
  'integration_users',
  'subscriptions',
  'collector_links',
  'kits',
  'api_client_administrators',
  'offboardings',
  'access_changes',
  'automation_grants',
];

/** Header values fetch accepts: visible ASCII and spaces. */
const headerText = fc.string({ maxLength: 80 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));
const malformed = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '{"a":', '[', 'null', '"', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":1}}'),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v).slice(0, -1)),
);

describe('fuzzing the API (issue #13 item 8)', () => {
  let stack: Stack;
  let adminToken: string;
  const openapi = buildOpenApiDocument('http://localhost') as any;
  let params: Record<string, string>;

  beforeAll(async () => {
    stack = await startStack({
      RATE_LIMIT_PER_TOKEN: '1000000',
      RATE_LIMIT_PER_CLIENT: '1000000',
      LOGIN_FREE_ATTEMPTS: '1000000',
    });
    const staff = await stack.addUser('staff');
    const admin = await stack.addUser('admin');
    adminToken = admin.token;
    const approver = await stack.addUser('approver');
    const done = await completeOnboarding(stack, { staffToken: staff.token, approver });
    const client = await stack.http('GET', `/v1/clients/${done.kit.clientId}`, { token: staff.token });
    const started = await stack.http('POST', '/v1/onboardings', {
      token: staff.token,
      body: startBody({ approverEmail: approver.email }),
    });
    await stack.waitForOnboarding(started.body.id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
    params = {
      id: started.body.id,
      identifier: client.body.tenants[0].tenantId,
      clientId: done.kit.clientId,
      tenantId: client.body.tenants[0].tenantId,
      token: 'not-a-live-token',
      email: approver.email,
      username: done.kit.username,
      partnerProvidedId: done.view.clients[0]?.partnerProvidedId ?? 'client-1',
    };
    // The setup's workflows still mail and audit for a moment; the fuzz starts from a quiet database.
    await settle();
  }, 120_000);
  afterAll(() => stack?.stop());

  const counts = async () =>
    (await stack.db.pool.query(`SELECT ${TABLES.map((t) => `(SELECT count(*)::int FROM ${t}) AS ${t}`).join(', ')}`))
      .rows[0] as Record<string, number>;

  /** Waits until the counts hold still for a second (at most 15 s): accepted requests may start async work. */
  async function settle() {
    let last = JSON.stringify(await counts());
    for (let still = 0, waited = 0; still < 4 && waited < 15_000; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const now = JSON.stringify(await counts());
      still = now === last ? still + 1 : 0;
      last = now;
    }
  }

  /** The property names of a documented JSON body, so generated bodies also look almost right. */
  function bodyKeys(op: any): string[] {
    let schema = op.requestBody?.content?.['application/json']?.schema;
    if (schema?.$ref) schema = openapi.components.schemas[schema.$ref.split('/').pop()];
    return Object.keys(schema?.properties ?? {});
  }

  const operations = Object.entries<any>(openapi.paths).flatMap(([path, ops]) =>
    Object.entries<any>(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );

  it.each(operations.map((o) => [`${o.method} ${o.path}`, o] as const))(
    '%s: never 5xx, and a refusal changes nothing',
    async (_name, { method, path, op }) => {
      const concrete = path.replace(/\{(\w+)\}/g, (_m: string, name: string) => encodeURIComponent(params[name]));
      const queryNames: string[] = (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name);
      const keys = bodyKeys(op);
      const form = !!op.requestBody?.content?.['application/x-www-form-urlencoded'];
      const hasBody = method !== 'GET';
      const body = fc.oneof(
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        keys.length
          ? fc
              .dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 2 }), { maxKeys: keys.length })
              .map((v) => JSON.stringify(v))
          : fc.constant('{}'),
        malformed,
        form
          ? fc
              .dictionary(fc.constantFrom('grant_type', 'username', 'password', 'scope'), fc.string({ maxLength: 40 }))
              .map((v) => new URLSearchParams(v).toString())
          : fc.constant(''),
      );
      const query = fc.dictionary(
        fc.oneof(fc.constantFrom(...queryNames, 'cursor', 'limit'), fc.string({ maxLength: 10 })),
        fc.oneof(fc.string({ maxLength: 60 }), fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 })),
        { maxKeys: 4 },
      );
      const request = fc.record({
        admin: fc.boolean(),
        body: hasBody ? fc.option(body) : fc.constant(null),
        query: fc.option(query),
        authorization: fc.option(
          fc.oneof(
            headerText,
            headerText.map((s) => `Bearer ${s}`),
            fc.string({ maxLength: 60 }).map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
          ),
        ),
        idempotencyKey: fc.option(headerText),
        contentType: fc.option(
          fc.oneof(
            headerText,
            fc.constantFrom(
              'application/json',
              'application/x-www-form-urlencoded',
              'text/plain',
              'application/json; charset=utf-16',
              'multipart/form-data; boundary=x',
            ),
          ),
        ),
        forwardedFor: fc.option(headerText),
      });

      const seen: string[] = [];
      await fc.assert(
        fc.asyncProperty(request, async (r): Promise<void> => {
          const search = new URLSearchParams();
          for (const [k, v] of Object.entries(r.query ?? {}))
            for (const one of Array.isArray(v) ? v : [v]) search.append(k, one);
          const url = search.size ? `${concrete}?${search.toString()}` : concrete;
          const headers: Record<string, string> = {};
          if (r.body !== null)
            headers['content-type'] = form ? 'application/x-www-form-urlencoded' : 'application/json';
          if (r.contentType !== null) headers['content-type'] = r.contentType;
          if (r.admin) headers.authorization = `Bearer ${adminToken}`;
          if (r.authorization !== null) headers.authorization = r.authorization;
          if (r.idempotencyKey !== null) headers['idempotency-key'] = r.idempotencyKey;
          if (r.forwardedFor !== null) headers['x-forwarded-for'] = r.forwardedFor;

          const before = await counts();
          const res = await stack.http(method, url, { body: r.body ?? undefined, headers });
          seen.push(String(res.status));
          if (res.status >= 500) throw new Error(`${method} ${url} answered ${res.status}: ${res.text.slice(0, 300)}`);
          // An accepted write may go on working (a workflow, a mail): let it finish before the next snapshot.
          if (res.status < 400) return method === 'GET' ? undefined : settle();
          const after = await counts();
          expect({ status: res.status, counts: after }).toEqual({ status: res.status, counts: before });
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      expect(seen).toHaveLength(RUNS);
    },
    60_000,
  );
});
