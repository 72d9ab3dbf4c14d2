import { randomBytes } from 'node:crypto';
import { startBody, startStack, type Stack } from '../support/stack';

/** GET /v1/onboardings with its filters, and GET /v1/tenants with its paging, on the real read model. */
describe('the lists', () => {
  let stack: Stack;
  let staff: { email: string; token: string };
  let other: { email: string; token: string };
  let approver: { email: string; token: string };
  let approver2: { email: string; token: string };
  const ids: Record<string, string> = {};
  const tag = randomBytes(3).toString('hex');

  const list = (query: string) => stack.http('GET', `/v1/onboardings?${query}`, { token: staff.token });
  const idsOf = (res: { body: { items: { id: string }[] } }) => res.body.items.map((i) => i.id).sort();

  beforeAll(async () => {
    stack = await startStack();
    staff = await stack.addUser('staff');
    other = await stack.addUser('staff');
    approver = await stack.addUser('approver');
    approver2 = await stack.addUser('approver');
    const start = async (name: string, by: { token: string }, overrides: Record<string, unknown>) => {
      const body = startBody({
        tenant: { ...startBody().tenant, partnerProvidedId: `${name}-${tag}`, name: `${name} Trading ${tag}` },
        ...overrides,
      });
      const res = await stack.http('POST', '/v1/onboardings', { token: by.token, body });
      if (res.status !== 202) throw new Error(res.text);
      ids[name] = res.body.id;
      await stack.waitForOnboarding(res.body.id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
    };
    await start('alpha', staff, { approverEmail: approver.email, subscriptions: ['ORDER_MANAGEMENT'] });
    await start('bravo', other, { approverEmail: approver2.email, subscriptions: ['INVOICING'] });
    await start('charlie', staff, { approverEmail: approver2.email, subscriptions: ['ORDER_MANAGEMENT', 'INVOICING'] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('filters onboardings by who started them, approver, subscription, creation time and free text', async () => {
    expect(idsOf(await list(`startedBy=${encodeURIComponent(staff.email)}`))).toEqual([ids.alpha, ids.charlie].sort());
    expect(idsOf(await list(`startedBy=${encodeURIComponent(other.email.toUpperCase())}`))).toEqual([ids.bravo]);
    expect(idsOf(await list(`approver=${encodeURIComponent(approver2.email)}`))).toEqual(
      [ids.bravo, ids.charlie].sort(),
    );
    expect(idsOf(await list('subscription=INVOICING'))).toEqual([ids.bravo, ids.charlie].sort());
    expect(idsOf(await list(`subscription=ORDER_MANAGEMENT&approver=${encodeURIComponent(approver2.email)}`))).toEqual([
      ids.charlie,
    ]);
    expect(idsOf(await list(`q=bravo%20trading`))).toEqual([ids.bravo]);
    expect(idsOf(await list(`q=charlie-${tag}`))).toEqual([ids.charlie]);
    expect(idsOf(await list(`q=${ids.alpha.slice(0, 13)}`))).toEqual([ids.alpha]);
    // A % in q is a character, not a wildcard.
    expect(idsOf(await list('q=%25'))).toEqual([]);

    const charlie = (await stack.http('GET', `/v1/onboardings/${ids.charlie}`, { token: staff.token })).body;
    const bravo = (await stack.http('GET', `/v1/onboardings/${ids.bravo}`, { token: staff.token })).body;
    expect(idsOf(await list(`createdFrom=${encodeURIComponent(charlie.createdAt)}`))).toEqual([ids.charlie]);
    expect(
      idsOf(
        await list(
          `createdFrom=${encodeURIComponent(bravo.createdAt)}&createdTo=${encodeURIComponent(charlie.createdAt)}`,
        ),
      ),
    ).toEqual([ids.bravo]);
  });

  it('answers bad filters with a 400 problem naming each', async () => {
    for (const [query, path] of [
      ['subscription=CONTROL_TOWER_X', 'subscription'],
      ['startedBy=not-an-email', 'startedBy'],
      ['approver=nobody', 'approver'],
      ['createdFrom=yesterday', 'createdFrom'],
      ['createdFrom=2026-12-02T00:00:00Z&createdTo=2026-12-01T00:00:00Z', 'createdTo'],
      [`q=${'x'.repeat(201)}`, 'q'],
    ]) {
      const res = await list(query);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(res.body.errors).toEqual([expect.objectContaining({ path })]);
    }
    for (const query of ['limit=0', 'limit=101', 'cursor=garbage', 'q=']) {
      const res = await stack.http('GET', `/v1/tenants?${query}`, { token: staff.token });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
  });

  it('pages onboardings made within one millisecond without skipping any, and still reads an older cursor', async () => {
    // PostgreSQL keeps microseconds; a cursor holding a JavaScript Date's milliseconds skipped the rest of them.
    const newestFirst = [ids.charlie, ids.bravo, ids.alpha];
    await stack.db.pool.query(
      `UPDATE onboardings SET created_at = timestamptz '2026-12-01T10:00:00.123Z' + (400 - 100 * array_position($1::uuid[], id)) * interval '1 microsecond'
        WHERE id = ANY($1::uuid[])`,
      [newestFirst],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const res: any = await list(`limit=1&q=${tag}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(newestFirst);

    // A cursor handed out before (an ISO time with milliseconds) goes on from that time as it did.
    const older = Buffer.from(JSON.stringify(['2026-12-01T10:00:00.124Z', ids.alpha])).toString('base64url');
    const res = await list(`limit=5&q=${tag}&cursor=${older}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual(newestFirst);
  });

  it('pages customers newest first with their access, subscriptions and client', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await stack.http('POST', '/v1/tenants', {
        token: staff.token,
        body: { partnerProvidedId: `page-${tag}-${i}`, name: `Paged ${tag} ${i}`, plan: 'TRADE' },
      });
      expect(res.status).toBe(201);
      made.push(res.body.tenantId);
    }
    const seen: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: any = await stack.http(
        'GET',
        `/v1/tenants?limit=2&q=${encodeURIComponent(`Paged ${tag}`)}${cursor ? `&cursor=${cursor}` : ''}`,
        { token: staff.token },
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen.map((t) => t.tenantId)).toEqual([...made].reverse());
    expect(seen[0]).toEqual({
      tenantId: made[4],
      partnerProvidedId: `page-${tag}-4`,
      name: `Paged ${tag} 4`,
      plan: 'TRADE',
      archived: false,
      createdAt: expect.any(String),
      apiAccess: false,
      subscriptions: [],
      clientId: null,
    });

    // The onboardings' tenants are listed too: live, but with no API access before their kit.
    const all = await stack.http('GET', '/v1/tenants?limit=100', { token: staff.token });
    expect(all.body.items.map((t: any) => t.partnerProvidedId)).toEqual(
      expect.arrayContaining([`alpha-${tag}`, `bravo-${tag}`, `charlie-${tag}`]),
    );
    const alpha = all.body.items.find((t: any) => t.partnerProvidedId === `alpha-${tag}`);
    expect(alpha).toMatchObject({ archived: false, subscriptions: [], clientId: expect.stringMatching(/^gw_/) });
    const times = all.body.items.map((t: any) => t.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });
});
