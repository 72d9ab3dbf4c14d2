import { randomBytes } from 'node:crypto';
import { startStack, type Stack } from '../support/stack';

/** The tenant configuration API as Shipium runs it: versions, asOfDateTime, PATCH, DELETE-archives, testMode, origins. */
describe('tenant configuration API', () => {
  let stack: Stack;
  let staff: { token: string };

  beforeAll(async () => {
    stack = await startStack();
    staff = await stack.addUser('staff');
  });
  afterAll(() => stack?.stop());

  const origin = {
    partnerProvidedId: 'fc-1',
    name: 'Rotterdam FC',
    originType: 'fulfillment_center',
    address: { street1: 'Kade 1', city: 'Rotterdam', postalCode: '3011AA', countryCode: 'NL' },
    contact: { name: 'Dock', email: 'dock@acme.example' },
    schedule: {
      shippingDays: ['MONDAY', 'FRIDAY'],
      cutoffTimes: [{ dayOfWeek: 'FRIDAY', cutoff: '13:45' }],
      cutoffExceptions: [{ date: '2026-12-24', cutoff: '11:00' }],
      holidays: [{ date: '2026-12-25', name: 'Christmas' }],
    },
  };
  const tenantBody = (overrides: Record<string, unknown> = {}) => ({
    partnerProvidedId: `t-${randomBytes(4).toString('hex')}`,
    name: 'Acme',
    plan: 'TRADE',
    origins: [origin],
    ...overrides,
  });
  const tenantCount = async () =>
    Number((await stack.db.pool.query('SELECT count(*) FROM tenant_versions')).rows[0].count);
  const create = async (overrides: Record<string, unknown> = {}) => {
    const res = await stack.http('POST', '/v1/tenants', { token: staff.token, body: tenantBody(overrides) });
    expect(res.status).toBe(201);
    return res.body;
  };

  it('creates version 1 with its origins and reads it by tenantId or partnerProvidedId', async () => {
    const created = await create();
    expect(created).toMatchObject({
      version: 1,
      archived: false,
      name: 'Acme',
      origins: [expect.objectContaining({ partnerProvidedId: 'fc-1' })],
    });
    const byId = await stack.http('GET', `/v1/tenants/${created.tenantId}`, { token: staff.token });
    const byPartner = await stack.http('GET', `/v1/tenants/${created.partnerProvidedId}`, { token: staff.token });
    expect(byId.body).toEqual(created);
    expect(byPartner.body).toEqual(created);
  });

  it('refuses a second live tenant with the same partnerProvidedId (409)', async () => {
    const created = await create();
    const again = await stack.http('POST', '/v1/tenants', {
      token: staff.token,
      body: tenantBody({ partnerProvidedId: created.partnerProvidedId }),
    });
    expect(again.status).toBe(409);
  });

  it('PATCH changes only the properties given, as a new version; asOfDateTime reads the old one; 404 before it existed', async () => {
    const created = await create({ description: 'first' });
    const patched = await stack.http('PATCH', `/v1/tenants/${created.partnerProvidedId}`, {
      token: staff.token,
      body: { name: 'Acme Shipping' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      version: 2,
      name: 'Acme Shipping',
      description: 'first',
      plan: 'TRADE',
      // The origins carry over as they were; only their link to the tenant names it anew.
      origins: created.origins.map((o: any) => ({
        ...o,
        tenantLinkReference: { ...o.tenantLinkReference, name: 'Acme Shipping' },
      })),
    });

    const then = await stack.http(
      'GET',
      `/v1/tenants/${created.tenantId}?asOfDateTime=${encodeURIComponent(created.validFrom)}`,
      { token: staff.token },
    );
    expect(then.body).toMatchObject({ version: 1, name: 'Acme' });
    expect((await stack.http('GET', `/v1/tenants/${created.tenantId}`, { token: staff.token })).body.version).toBe(2);
    const before = new Date(Date.parse(created.validFrom) - 60_000).toISOString();
    expect(
      (await stack.http('GET', `/v1/tenants/${created.tenantId}?asOfDateTime=${before}`, { token: staff.token }))
        .status,
    ).toBe(404);
    expect(
      (await stack.http('GET', `/v1/tenants/${created.tenantId}?asOfDateTime=yesterday`, { token: staff.token })).body
        .errors[0].path,
    ).toBe('asOfDateTime');
  });

  it('DELETE archives: answers the tenant as it was, and earlier versions stay readable', async () => {
    const created = await create();
    const deleted = await stack.http('DELETE', `/v1/tenants/${created.partnerProvidedId}`, { token: staff.token });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual(created);
    expect((await stack.http('GET', `/v1/tenants/${created.tenantId}`, { token: staff.token })).status).toBe(410);
    const asOf = await stack.http(
      'GET',
      `/v1/tenants/${created.tenantId}?asOfDateTime=${encodeURIComponent(created.validFrom)}`,
      { token: staff.token },
    );
    expect(asOf.body).toEqual(created);
    // Archived, its partnerProvidedId is free for a new live tenant.
    await create({ partnerProvidedId: created.partnerProvidedId });
  });

  it('testMode validates and answers with what would be stored, changing nothing, on every write', async () => {
    const created = await create();
    const before = await tenantCount();
    const post = await stack.http('POST', '/v1/tenants', {
      token: staff.token,
      body: tenantBody({ testMode: true, name: 'Dry' }),
    });
    expect(post.status).toBe(200);
    expect(post.body).toMatchObject({ testMode: true, name: 'Dry', version: 1 });
    const patch = await stack.http('PATCH', `/v1/tenants/${created.tenantId}`, {
      token: staff.token,
      body: { testMode: true, name: 'Dry' },
    });
    expect(patch.body).toMatchObject({ testMode: true, name: 'Dry', version: 2 });
    const del = await stack.http('DELETE', `/v1/tenants/${created.tenantId}`, {
      token: staff.token,
      body: { testMode: true },
    });
    expect(del.body).toMatchObject({ testMode: true, archived: false });
    const bad = await stack.http('POST', '/v1/tenants', {
      token: staff.token,
      body: tenantBody({ testMode: true, plan: '' }),
    });
    expect(bad.status).toBe(400);
    expect(await tenantCount()).toBe(before);
    expect((await stack.http('GET', `/v1/tenants/${created.tenantId}`, { token: staff.token })).body).toEqual(created);
  });

  it('validates origin schedules: HH:MM times, ISO dates, weekday names, cutoffs on shipping days', async () => {
    const before = await tenantCount();
    const schedule = {
      shippingDays: ['FUNDAY'],
      cutoffTimes: [{ dayOfWeek: 'MONDAY', cutoff: '25:00' }],
      cutoffExceptions: [{ date: '2026-02-30', cutoff: '9:00' }],
      holidays: [{ date: '24/12/2026' }],
    };
    const res = await stack.http('POST', '/v1/tenants', {
      token: staff.token,
      body: tenantBody({ origins: [{ ...origin, originType: 'castle', schedule }] }),
    });
    expect(res.status).toBe(400);
    const paths = res.body.errors.map((e: any) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'origins.0.originType',
        'origins.0.schedule.shippingDays.0',
        'origins.0.schedule.cutoffTimes.0.cutoff',
        'origins.0.schedule.cutoffExceptions.0.date',
        'origins.0.schedule.cutoffExceptions.0.cutoff',
        'origins.0.schedule.holidays.0.date',
      ]),
    );
    const offDay = await stack.http('POST', '/v1/tenants', {
      token: staff.token,
      body: tenantBody({
        origins: [
          {
            ...origin,
            schedule: { shippingDays: ['MONDAY'], cutoffTimes: [{ dayOfWeek: 'FRIDAY', cutoff: '13:45' }] },
          },
        ],
      }),
    });
    expect(offDay.body.errors).toEqual([
      { path: 'origins.0.schedule.cutoffTimes.0.dayOfWeek', message: 'FRIDAY is not a shipping day' },
    ]);
    expect(await tenantCount()).toBe(before);
  });

  it('is for staff and admins only', async () => {
    const approver = await stack.addUser('approver');
    expect((await stack.http('POST', '/v1/tenants', { token: approver.token, body: tenantBody() })).status).toBe(403);
    expect((await stack.http('GET', '/v1/tenants/anything')).status).toBe(401);
  });
});
