import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate } from '../../db/migrate';
import { completeOnboarding, oauthToken } from '../support/complete-onboarding';
import { createTestDatabase } from '../support/database';
import { startBody, startStack, type Stack } from '../support/stack';

/** Issue #17, Shipium's rows: dated schedules, USPPI, ids and links, orchestratedAssetMetadata, reactivation, customer tokens. */
describe('Shipium tenant configuration', () => {
  let stack: Stack;
  let staff: { email: string; token: string };
  let admin: { email: string; token: string };

  beforeAll(async () => {
    stack = await startStack();
    staff = await stack.addUser('staff');
    admin = await stack.addUser('admin');
  });
  afterAll(() => stack?.stop());

  const DAY = 24 * 3600_000;
  const iso = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString();
  const ended = { from: iso(-60), to: iso(-30) };
  const current = { from: iso(-30), to: iso(30) };
  const upcoming = { from: iso(30) };
  const ups = {
    carrierId: 'ups',
    carrierServiceMethodIds: ['ups-ground', 'ups-2nd-day'],
    cutoffTimes: [{ dayOfWeek: 'FRIDAY', cutoff: '13:45' }],
    cutoffExceptions: [{ date: '2026-12-24', cutoff: '11:00' }],
    pickupTimes: [{ dayOfWeek: 'FRIDAY', pickup: '15:00' }],
  };
  const entry = (window: object, extra: object = {}) => ({
    ...window,
    shippingDays: ['MONDAY', 'FRIDAY'],
    holidays: [{ date: '2026-07-04', metadata: { reason: 'Independence Day' } }],
    processingCutoff: { expectedDaysToShip: 1, shippingCutoffHour: 14, weekendCutoffHour: 11 },
    carrierSchedules: [ups],
    ...extra,
  });
  const origin = (partnerProvidedId = 'fc-1', extra: object = {}) => ({
    partnerProvidedId,
    name: 'Reno FC',
    originType: 'fulfillment_center',
    address: {
      addressType: 'commercial',
      street1: '1 Dock Rd',
      city: 'Reno',
      state: 'NV',
      postalCode: '89501',
      countryCode: 'US',
    },
    schedules: [entry(ended), entry(current), entry(upcoming)],
    ...extra,
  });
  const usppi = {
    unitedStatesPrincipalPartyInInterestAddress: {
      addressType: 'commercial',
      company: 'Acme Exports Inc.',
      name: 'Export desk',
      street1: '100 Main St',
      city: 'Austin',
      state: 'TX',
      postalCode: '78701',
      countryCode: 'US',
    },
    unitedStatesPrincipalPartyInInterestContact: {
      name: 'Pat Export',
      email: 'export@acme.example',
      phoneNumber: '+1 512 555 0100',
    },
  };
  const tenantBody = (overrides: Record<string, unknown> = {}) => ({
    partnerProvidedId: `s-${randomBytes(4).toString('hex')}`,
    name: 'Acme',
    plan: 'TRADE',
    origins: [origin()],
    ...overrides,
  });
  const create = async (overrides: Record<string, unknown> = {}, token = staff.token) => {
    const res = await stack.http('POST', '/v1/tenants', { token, body: tenantBody(overrides) });
    expect(res.status).toBe(201);
    return res.body;
  };
  const versions = async (tenantId?: string) =>
    Number(
      (
        await stack.db.pool.query('SELECT count(*) FROM tenant_versions WHERE $1::uuid IS NULL OR tenant_id = $1', [
          tenantId ?? null,
        ])
      ).rows[0].count,
    );
  const get = (path: string, token = staff.token) => stack.http('GET', path, { token });
  const patch = (path: string, body: unknown, token = staff.token) => stack.http('PATCH', path, { token, body });

  describe('dated origin schedules', () => {
    it('shows which schedule is active, each with its status, with carrier schedules and the processing cutoff', async () => {
      const created = await create();
      const [o] = created.origins;
      expect(o.scheduleConfigured).toBe(true);
      expect(o.schedules.map((s: any) => s.status)).toEqual(['ENDED', 'ACTIVE', 'UPCOMING']);
      expect(o.activeSchedule).toEqual(o.schedules[1]);
      expect(o.activeSchedule).toMatchObject({
        from: current.from,
        to: current.to,
        scheduleEntryId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        shippingDays: ['MONDAY', 'FRIDAY'],
        holidays: [{ date: '2026-07-04', metadata: { reason: 'Independence Day' } }],
        processingCutoff: { expectedDaysToShip: 1, shippingCutoffHour: 14, weekendCutoffHour: 11 },
        carrierSchedules: [{ ...ups, carrierScheduleId: expect.stringMatching(/^[0-9a-f-]{36}$/) }],
      });
      expect(o.schedules[2].to).toBeUndefined();
      // The same answer from the origin's own route, and none active when no window covers now.
      expect((await get(`/v1/tenants/${created.tenantId}/origins/fc-1`)).body).toEqual(o);
      const gap = await create({ origins: [origin('fc-2', { schedules: [entry(ended), entry(upcoming)] })] });
      expect(gap.origins[0]).toMatchObject({ scheduleConfigured: true, activeSchedule: null });
      const none = await create({ origins: [origin('fc-3', { schedules: undefined })] });
      expect(none.origins[0]).toMatchObject({ scheduleConfigured: false, activeSchedule: null, schedules: [] });
    });

    it('refuses overlapping windows, a window ending before it starts, hours out of range and contradictions, naming each field', async () => {
      const before = await versions();
      const refused = async (schedules: object[]) => {
        const body = tenantBody({ origins: [origin('fc-1', { schedules })] });
        const res = await stack.http('POST', '/v1/tenants', { token: staff.token, body });
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
        return res.body.errors as { path: string; message: string }[];
      };
      const at = (p: string) => `origins.0.schedules.${p}`;
      const fields = await refused([
        entry(
          { from: 'next tuesday' },
          { processingCutoff: { expectedDaysToShip: -1, shippingCutoffHour: 24, weekendCutoffHour: 1.5 } },
        ),
      ]);
      expect(fields.map((e) => e.path)).toEqual([
        at('0.from'),
        at('0.processingCutoff.expectedDaysToShip'),
        at('0.processingCutoff.shippingCutoffHour'),
        at('0.processingCutoff.weekendCutoffHour'),
      ]);
      expect(fields[2].message).toBe('an hour from 0 to 23');
      const carriers = await refused([
        entry(current, {
          carrierSchedules: [
            { ...ups, cutoffTimes: [{ dayOfWeek: 'SUNDAY', cutoff: '10:00' }], pickupTimes: [] },
            { ...ups, pickupTimes: [{ dayOfWeek: 'FRIDAY', pickup: '12:00' }] },
          ],
        }),
      ]);
      expect(carriers).toEqual([
        { path: at('0.carrierSchedules.1.pickupTimes.0.pickup'), message: 'before the FRIDAY cutoff 13:45' },
        { path: at('0.carrierSchedules.0.cutoffTimes.0.dayOfWeek'), message: 'SUNDAY is not a shipping day' },
        { path: at('0.carrierSchedules.1.carrierId'), message: 'carrier ups has a schedule here already' },
      ]);
      const windows = await refused([
        entry({ from: iso(-10), to: iso(10) }),
        entry({ from: iso(5), to: iso(20) }),
        entry({ from: iso(50), to: iso(40) }),
      ]);
      expect(windows).toEqual([
        { path: at('1.from'), message: expect.stringMatching(/^overlaps schedule 0/) },
        { path: at('2.to'), message: expect.stringMatching(/^must be after from/) },
      ]);
      expect(await versions()).toBe(before);
    });
  });

  describe('the US principal party in interest', () => {
    it('keeps the USPPI address (with addressType) and contact under the seed’s names, and wants a US address', async () => {
      const created = await create(usppi);
      expect(created).toMatchObject(usppi);
      expect((await get(`/v1/tenants/${created.tenantId}`)).body).toMatchObject(usppi);
      const contact = { name: 'Sam Export', email: 'sam@acme.example' };
      const patched = await patch(`/v1/tenants/${created.tenantId}`, {
        unitedStatesPrincipalPartyInInterestContact: contact,
      });
      expect(patched.body).toMatchObject({
        version: 2,
        unitedStatesPrincipalPartyInInterestAddress: usppi.unitedStatesPrincipalPartyInInterestAddress,
        unitedStatesPrincipalPartyInInterestContact: contact,
      });
      const foreign = await patch(`/v1/tenants/${created.tenantId}`, {
        unitedStatesPrincipalPartyInInterestAddress: {
          ...usppi.unitedStatesPrincipalPartyInInterestAddress,
          countryCode: 'NL',
        },
        unitedStatesPrincipalPartyInInterestContact: { name: 'x', email: 'not an email' },
      });
      expect(foreign.status).toBe(400);
      expect(foreign.body.errors.map((e: any) => e.path)).toEqual([
        'unitedStatesPrincipalPartyInInterestAddress.countryCode',
        'unitedStatesPrincipalPartyInInterestContact.email',
      ]);
      expect(await versions(created.tenantId)).toBe(2);
    });
  });

  describe('server-assigned ids and links', () => {
    it('assigns originId, scheduleEntryId and carrierScheduleId, with href and tenantLinkReference, the same in every version', async () => {
      const created = await create();
      const [o] = created.origins;
      const tenantHref = `${stack.config.publicUrl}/v1/tenants/${created.tenantId}`;
      expect(created.href).toBe(tenantHref);
      expect(o).toMatchObject({
        originId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        href: `${tenantHref}/origins/${o.originId}`,
        tenantLinkReference: { href: tenantHref, identifier: created.tenantId, name: 'Acme' },
      });
      expect((await get(new URL(o.href).pathname)).body.originId).toBe(o.originId);

      // A change elsewhere keeps every id.
      const renamed = (await patch(`/v1/tenants/${created.tenantId}`, { name: 'Acme Inc' })).body;
      expect(renamed.origins[0]).toMatchObject({ originId: o.originId, href: o.href });
      expect(renamed.origins[0].schedules).toEqual(o.schedules);

      // The origins sent back as read (ids and all), one changed and one added: the old ids stay, the new is fresh.
      const read = (await get(`/v1/tenants/${created.tenantId}`)).body;
      const echoed = [{ ...read.origins[0], name: 'Reno North' }, origin('fc-9', { schedules: [entry(current)] })];
      const next = (await patch(`/v1/tenants/${created.tenantId}`, { origins: echoed })).body;
      expect(next.version).toBe(3);
      expect(next.origins[0]).toMatchObject({ originId: o.originId, name: 'Reno North' });
      expect(next.origins[0].schedules.map((s: any) => s.scheduleEntryId)).toEqual(
        o.schedules.map((s: any) => s.scheduleEntryId),
      );
      expect(next.origins[1].originId).not.toBe(o.originId);
      // Without ids, by natural key (partnerProvidedId, from, carrierId): still the same ones.
      const bare = (
        await patch(`/v1/tenants/${created.tenantId}`, {
          origins: [origin(), origin('fc-9', { schedules: [entry(current)] })],
        })
      ).body;
      expect(bare.origins.map((x: any) => x.originId)).toEqual(next.origins.map((x: any) => x.originId));
      expect(bare.origins[0].activeSchedule.carrierSchedules[0].carrierScheduleId).toBe(
        o.activeSchedule.carrierSchedules[0].carrierScheduleId,
      );
      // Version 1, read back, names the same origin.
      const then = await get(`/v1/tenants/${created.tenantId}?asOfDateTime=${encodeURIComponent(created.validFrom)}`);
      expect(then.body.origins[0].originId).toBe(o.originId);
    });

    it('refuses ids it did not assign: any on create, an unknown one on PATCH (400 naming it, nothing written)', async () => {
      const made = await create();
      const before = await versions();
      const withIds = await stack.http('POST', '/v1/tenants', {
        token: staff.token,
        body: tenantBody({ origins: [{ ...origin(), originId: made.origins[0].originId }] }),
      });
      expect(withIds.status).toBe(400);
      expect(withIds.body.errors).toEqual([
        { path: 'origins.0.originId', message: 'assigned by the server: leave it out' },
      ]);
      const unknown = await patch(`/v1/tenants/${made.tenantId}`, {
        origins: [{ ...origin(), schedules: [{ ...entry(current), scheduleEntryId: made.origins[0].originId }] }],
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors).toEqual([
        {
          path: 'origins.0.schedules.0.scheduleEntryId',
          message: expect.stringMatching(/not an id the server assigned/),
        },
      ]);
      expect(await versions()).toBe(before);
    });
  });

  describe('orchestratedAssetMetadata', () => {
    it('names the staff member who made a tenant through POST /v1/tenants, and when, on the tenant, its origins and schedules', async () => {
      const started = Date.now();
      const created = await create({}, admin.token);
      const metadata = { orchestrationId: `user:${admin.email}`, orchestrationTimeStamp: expect.any(String) };
      expect(created.orchestratedAssetMetadata).toEqual(metadata);
      const stamp = Date.parse(created.orchestratedAssetMetadata.orchestrationTimeStamp);
      expect(stamp).toBeGreaterThanOrEqual(started - 1000);
      expect(stamp).toBeLessThanOrEqual(Date.now());
      expect(created.origins[0].orchestratedAssetMetadata).toEqual(created.orchestratedAssetMetadata);
      for (const s of created.origins[0].schedules)
        expect(s.orchestratedAssetMetadata).toEqual(created.orchestratedAssetMetadata);

      // What another caller adds later names that caller; what was there keeps its maker.
      const added = await patch(`/v1/tenants/${created.tenantId}/origins/fc-1`, {
        schedules: [...created.origins[0].schedules, entry({ from: iso(-200), to: iso(-100) })].map(
          ({ status: _s, ...s }: any) => s,
        ),
      });
      expect(added.status).toBe(200);
      expect(added.body.schedules.map((s: any) => s.orchestratedAssetMetadata.orchestrationId)).toEqual([
        `user:${admin.email}`,
        `user:${admin.email}`,
        `user:${admin.email}`,
        `user:${staff.email}`,
      ]);
    });
  });

  describe('reactivating an archived tenant', () => {
    it('takes it back with PATCH status ACTIVE: a new version, audited, its origins as they were', async () => {
      const created = await create();
      expect(created.status).toBe('ACTIVE');
      await stack.http('DELETE', `/v1/tenants/${created.tenantId}`, { token: staff.token });
      // Any other PATCH of an archived tenant is 410, pointing at the reactivation.
      const stale = await patch(`/v1/tenants/${created.tenantId}`, { name: 'x' });
      expect(stale.status).toBe(410);
      expect(stale.body.detail).toMatch(/"status": "ACTIVE"/);
      const dry = await patch(`/v1/tenants/${created.tenantId}`, { status: 'ACTIVE', testMode: 'true' });
      expect(dry.body).toMatchObject({ testMode: true, status: 'ACTIVE', archived: false, version: 3 });
      expect(await versions(created.tenantId)).toBe(2);

      const back = await patch(`/v1/tenants/${created.tenantId}`, { status: 'ACTIVE', description: 'back again' });
      expect(back.status).toBe(200);
      expect(back.body).toMatchObject({ version: 3, status: 'ACTIVE', archived: false, description: 'back again' });
      expect(back.body.origins.map((o: any) => o.originId)).toEqual(created.origins.map((o: any) => o.originId));
      expect((await get(`/v1/tenants/${created.partnerProvidedId}`)).body.version).toBe(3);
      const { rows } = await stack.db.pool.query(
        "SELECT actor, detail FROM security_events WHERE event = 'tenant_reactivated' AND subject = $1",
        [created.tenantId],
      );
      expect(rows).toEqual([
        { actor: staff.email, detail: { version: 3, partnerProvidedId: created.partnerProvidedId } },
      ]);

      // PATCH status ARCHIVED archives as DELETE does.
      const archived = await patch(`/v1/tenants/${created.tenantId}`, { status: 'ARCHIVED' });
      expect(archived.body).toMatchObject({ version: 4, status: 'ARCHIVED', archived: true });
      expect((await get(`/v1/tenants/${created.tenantId}`)).status).toBe(410);
    });

    it('refuses (409) when a live tenant has taken its partnerProvidedId meanwhile, changing nothing', async () => {
      const first = await create();
      await stack.http('DELETE', `/v1/tenants/${first.tenantId}`, { token: staff.token });
      const second = await create({ partnerProvidedId: first.partnerProvidedId });
      for (const testMode of [true, false]) {
        const res = await patch(`/v1/tenants/${first.tenantId}`, { status: 'ACTIVE', testMode });
        expect(res.status).toBe(409);
        expect(res.body.detail).toContain(first.partnerProvidedId);
      }
      expect(await versions(first.tenantId)).toBe(2);
      // With a partnerProvidedId of its own, it comes back.
      const renamed = await patch(`/v1/tenants/${first.tenantId}`, {
        status: 'ACTIVE',
        partnerProvidedId: `${first.partnerProvidedId}-old`,
      });
      expect(renamed.body).toMatchObject({ status: 'ACTIVE', partnerProvidedId: `${first.partnerProvidedId}-old` });
      expect((await get(`/v1/tenants/${first.partnerProvidedId}`)).body.tenantId).toBe(second.tenantId);
      // Any PATCH onto a live tenant's partnerProvidedId is refused by the index, naming it.
      const clash = await patch(`/v1/tenants/${second.tenantId}`, {
        partnerProvidedId: `${first.partnerProvidedId}-old`,
      });
      expect(clash.status).toBe(409);
      expect(clash.body.detail).toBe(`a live tenant already has partnerProvidedId ${first.partnerProvidedId}-old`);
    });
  });

  describe('origins one at a time', () => {
    it('adds an origin (its partnerProvidedId twice is 409 naming the first), and a PATCH that changes nothing writes no version', async () => {
      const created = await create();
      const url = `/v1/tenants/${created.tenantId}/origins`;
      const added = await stack.http('POST', url, { token: staff.token, body: origin('fc-2') });
      expect(added.status).toBe(201);
      expect(added.headers.get('location')).toBe(added.body.href);
      const again = await stack.http('POST', url, { token: staff.token, body: origin('fc-2') });
      expect(again.status).toBe(409);
      expect(again.body.originId).toBe(added.body.originId);
      expect((await get(url)).body.items.map((o: any) => o.partnerProvidedId)).toEqual(['fc-1', 'fc-2']);

      const count = await versions(created.tenantId);
      for (let i = 0; i < 2; i++) {
        const res = await patch(`${url}/${added.body.originId}`, { description: 'dock 4' });
        expect(res.body).toMatchObject({ originId: added.body.originId, description: 'dock 4' });
      }
      expect(await versions(created.tenantId)).toBe(count + 1);

      const bad = await patch(`${url}/fc-2`, { schedules: [entry({ from: iso(1), to: iso(0) })] });
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([
        { path: 'schedules.0.to', message: expect.stringMatching(/must be after from/) },
      ]);
      expect((await patch(`${url}/fc-2`, { partnerProvidedId: 'fc-1' })).status).toBe(409);
      expect((await patch(`${url}/nowhere`, { description: 'x' })).status).toBe(404);
      expect(await versions(created.tenantId)).toBe(count + 1);
    });
  });

  describe('customer systems with their own access token', () => {
    let customer: { token: string; clientId: string; tenantId: string; partnerProvidedId: string; workflowId: string };

    beforeAll(async () => {
      const approver = await stack.addUser('approver');
      const body = startBody();
      const done = await completeOnboarding(
        stack,
        { staffToken: staff.token, approver },
        { tenant: { ...body.tenant, origins: [origin()], ...usppi } },
      );
      const token = await oauthToken(stack, done.kit, { grant_type: 'client_credentials' });
      expect(token.status).toBe(200);
      customer = {
        token: token.body.access_token,
        clientId: done.kit.clientId,
        tenantId: done.view.tenant.tenantId,
        partnerProvidedId: body.tenant.partnerProvidedId,
        workflowId: done.started.workflowId,
      };
    }, 120_000);

    it('reads its own tenant, whose origins and schedules the onboarding marked as its own', async () => {
      const own = await get(`/v1/tenants/${customer.partnerProvidedId}`, customer.token);
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ tenantId: customer.tenantId, ...usppi });
      const byWorkflow = { orchestrationId: customer.workflowId, orchestrationTimeStamp: expect.any(String) };
      expect(own.body.orchestratedAssetMetadata).toEqual(byWorkflow);
      expect(own.body.origins[0].orchestratedAssetMetadata).toEqual(own.body.orchestratedAssetMetadata);
      expect(own.body.origins[0].activeSchedule.orchestratedAssetMetadata).toEqual(own.body.orchestratedAssetMetadata);
      expect((await get(`/v1/tenants/${customer.tenantId}/origins`, customer.token)).body.items).toEqual(
        own.body.origins,
      );
    });

    it('changes its own configuration and origins, named as its API client', async () => {
      const changed = await patch(
        `/v1/tenants/${customer.tenantId}`,
        { description: 'set by our ERP' },
        customer.token,
      );
      expect(changed.status).toBe(200);
      expect(changed.body.description).toBe('set by our ERP');
      const added = await stack.http('POST', `/v1/tenants/${customer.tenantId}/origins`, {
        token: customer.token,
        body: origin('dc-east', { schedules: [entry(current)] }),
      });
      expect(added.status).toBe(201);
      expect(added.body.orchestratedAssetMetadata.orchestrationId).toBe(`client:${customer.clientId}`);
      expect(added.body.activeSchedule.orchestratedAssetMetadata.orchestrationId).toBe(`client:${customer.clientId}`);
    });

    it('finds no other tenant (404 as for one that does not exist), and may not create, delete, list or change what staff decide (403)', async () => {
      const other = await create();
      const unknown = await get('/v1/tenants/no-such-tenant', customer.token);
      const foreign = await get(`/v1/tenants/${other.tenantId}`, customer.token);
      expect(unknown.status).toBe(404);
      expect(foreign.status).toBe(404);
      expect(foreign.body.detail).toBe(`no tenant ${other.tenantId}`);
      expect(Object.keys(foreign.body).sort()).toEqual(Object.keys(unknown.body).sort());
      for (const path of [
        `/v1/tenants/${other.partnerProvidedId}`,
        `/v1/tenants/${other.tenantId}/origins`,
        `/v1/tenants/${other.tenantId}/origins/fc-1`,
      ])
        expect((await get(path, customer.token)).status).toBe(404);
      expect((await patch(`/v1/tenants/${other.tenantId}`, { description: 'mine now' }, customer.token)).status).toBe(
        404,
      );
      expect(
        (
          await stack.http('POST', `/v1/tenants/${other.tenantId}/origins`, {
            token: customer.token,
            body: origin('x'),
          })
        ).status,
      ).toBe(404);
      expect(await versions(other.tenantId)).toBe(1);

      const before = await versions(customer.tenantId);
      expect((await stack.http('POST', '/v1/tenants', { token: customer.token, body: tenantBody() })).status).toBe(403);
      expect((await stack.http('DELETE', `/v1/tenants/${customer.tenantId}`, { token: customer.token })).status).toBe(
        403,
      );
      expect((await get('/v1/tenants', customer.token)).status).toBe(403);
      const plan = await patch(
        `/v1/tenants/${customer.tenantId}`,
        { plan: 'BASIC', status: 'ARCHIVED' },
        customer.token,
      );
      expect(plan.status).toBe(403);
      expect(plan.body.detail).toBe('A customer system cannot change plan, status');
      const invalid = await patch(`/v1/tenants/${customer.tenantId}`, { name: '' }, customer.token);
      expect(invalid.status).toBe(400);
      expect(await versions(customer.tenantId)).toBe(before);
      // Staff tokens still reach every tenant.
      expect((await get(`/v1/tenants/${customer.tenantId}`)).status).toBe(200);
    });
  });

  it('migration 012 gives the origins stored before ids existed one originId each, the same in every version', async () => {
    const db = await createTestDatabase({ migrated: false });
    const dir = mkdtempSync(path.join(tmpdir(), 'migrations-'));
    try {
      const source = path.join(__dirname, '..', '..', 'db', 'migrations');
      for (const f of readdirSync(source).filter((f) => f < '012'))
        copyFileSync(path.join(source, f), path.join(dir, f));
      await migrate(db.pool, dir);
      const v1 = {
        partnerProvidedId: 't',
        name: 'T',
        plan: 'TRADE',
        origins: [{ partnerProvidedId: 'a' }, { partnerProvidedId: 'b' }],
      };
      const v2 = { ...v1, origins: [{ partnerProvidedId: 'b' }] };
      const { rows } = await db.pool.query(
        'INSERT INTO tenants (partner_provided_id, name, plan, data) VALUES ($1, $2, $3, $4) RETURNING tenant_id',
        ['t', 'T', 'TRADE', v2],
      );
      await db.pool.query(
        'INSERT INTO tenant_versions (tenant_id, version, data, valid_from) VALUES ($1, 1, $2, now()), ($1, 2, $3, now())',
        [rows[0].tenant_id, v1, v2],
      );
      expect(await migrate(db.pool)).toContain('012_origin_ids.sql');
      const versionsData = (await db.pool.query('SELECT data FROM tenant_versions ORDER BY version')).rows.map(
        (r) => r.data,
      );
      const current = (await db.pool.query('SELECT data FROM tenants')).rows[0].data;
      const [a, b] = versionsData[0].origins;
      expect(a.originId).toMatch(/^[0-9a-f-]{36}$/);
      expect(b.originId).not.toBe(a.originId);
      expect(versionsData[1].origins).toEqual([{ partnerProvidedId: 'b', originId: b.originId }]);
      expect(current.origins).toEqual(versionsData[1].origins);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await db.drop();
    }
  });
});
