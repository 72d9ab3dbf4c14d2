import { Webhook } from 'standardwebhooks';
import { enqueueWebhook } from '../../notify/webhook-outbox';
import { startBody, startStack, type Stack } from '../support/stack';
import { startReceiver, type Received } from '../support/webhook-receiver';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** Issue #17 (PortalDuct): webhook subscriptions on their own, beside an onboarding's notify.webhookUrl. */
describe('webhook subscriptions', () => {
  let stack: Stack;
  let staff: { email: string; token: string };
  let approver: { email: string; token: string };
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    stack = await startStack({ WEBHOOK_MAX_ATTEMPTS: '2' });
    staff = await stack.addUser('staff');
    approver = await stack.addUser('approver');
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await stack?.stop();
  });

  async function receiver(statuses: number[] = []) {
    const r = await startReceiver(statuses);
    receivers.push(r);
    return r;
  }
  const register = (body: unknown, headers: Record<string, string> = {}, token = staff.token) =>
    stack.http('POST', '/v1/webhooks', { token, body, headers });
  const count = async () =>
    Number((await stack.db.pool.query('SELECT count(*) FROM webhook_subscriptions')).rows[0].count);

  /** Polls until the receiver holds n requests matching the predicate. */
  async function waitForReceived(r: Receiver, n: number, match: (e: any) => boolean = () => true): Promise<Received[]> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = r.received.filter((x) => match(JSON.parse(x.body)));
      if (found.length >= n) return found;
      if (Date.now() > deadline) throw new Error(`receiver got ${r.received.map((x) => x.body).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  /** Verifies the Standard Webhooks signature with the secret, as a receiver would; returns the event. */
  const verified = (secret: string, received: Received) =>
    new Webhook(secret).verify(received.body, received.headers) as Record<string, any>;

  async function deliveries(webhookId: string) {
    const res = await stack.http('GET', `/v1/webhooks/${webhookId}/deliveries`, { token: staff.token });
    expect(res.status).toBe(200);
    return res.body.items as any[];
  }
  async function waitForDelivery(webhookId: string, predicate: (d: any) => boolean) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = (await deliveries(webhookId)).find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such delivery: ${JSON.stringify(await deliveries(webhookId))}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('registers a subscription, answers its secret once, keeps it sealed and sends a signed webhook.test', async () => {
    const r = await receiver();
    const res = await register({ url: r.url, events: ['onboarding.status_changed'] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ url: r.url, events: ['onboarding.status_changed'], tenant: null });
    expect(res.body.secret).toMatch(/^whsec_/);
    expect(res.headers.get('location')).toMatch(new RegExp(`/v1/webhooks/${res.body.id}$`));

    const [test] = await waitForReceived(r, 1);
    const event = verified(res.body.secret, test);
    expect(event).toMatchObject({ type: 'webhook.test', onboardingId: null, data: { webhookId: res.body.id } });

    const stored = await stack.db.pool.query('SELECT secret_enc FROM webhook_subscriptions WHERE id = $1', [
      res.body.id,
    ]);
    expect(stored.rows[0].secret_enc).not.toContain(res.body.secret.slice(6));
    const list = await stack.http('GET', '/v1/webhooks', { token: staff.token });
    const listed = list.body.items.find((s: any) => s.id === res.body.id);
    expect(listed).toEqual({
      id: res.body.id,
      url: r.url,
      events: ['onboarding.status_changed'],
      tenant: null,
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(list.body)).not.toContain(res.body.secret);
    await waitForDelivery(res.body.id, (d) => d.type === 'webhook.test' && d.status === 'DELIVERED');
  });

  it('refuses bad input with a 4xx problem that changes nothing, and lets only staff and admins in', async () => {
    const r = await receiver();
    const before = await count();
    const bad: [unknown, string][] = [
      [{ url: r.url, events: [] }, 'events'],
      [{ url: r.url, events: ['onboarding.nope'] }, 'events.0'],
      [{ url: r.url, events: ['*', '*'] }, 'events'],
      [{ url: 'ftp://example.com/x', events: ['*'] }, 'url'],
      [{ url: 'http://10.1.2.3/hooks', events: ['*'] }, 'url'],
      [{ url: r.url, events: ['*'], tenant: '00000000-0000-4000-8000-000000000009' }, 'tenant'],
      [{ url: r.url, events: ['*'], secret: 'mine' }, ''],
    ];
    for (const [body, path] of bad) {
      const res = await register(body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      if (path) expect(res.body.errors.map((e: any) => e.path)).toContain(path);
    }
    expect((await register({ url: r.url, events: ['*'] }, {}, approver.token)).status).toBe(403);
    expect((await stack.http('POST', '/v1/webhooks', { body: { url: r.url, events: ['*'] } })).status).toBe(401);
    expect(await count()).toBe(before);
    expect(r.received).toHaveLength(0);
  });

  it('is idempotent: the same Idempotency-Key answers the first registration, the same url and tenant is 409', async () => {
    const r = await receiver();
    const body = { url: r.url, events: ['*'], tenant: 'idem-tenant' };
    const first = await register(body, { 'idempotency-key': 'register-once' });
    const again = await register(body, { 'idempotency-key': 'register-once' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const other = await register(
      { ...body, events: ['onboarding.status_changed'] },
      { 'idempotency-key': 'register-once' },
    );
    expect(other.status).toBe(422);
    const duplicate = await register(body);
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.existingId).toBe(first.body.id);
    const rows = await stack.db.pool.query('SELECT count(*) FROM webhook_subscriptions WHERE url = $1', [r.url]);
    expect(Number(rows.rows[0].count)).toBe(1);
    // One test event, whatever was asked twice.
    await waitForReceived(r, 1);
    expect((await deliveries(first.body.id)).filter((d) => d.type === 'webhook.test')).toHaveLength(1);
  });

  it("fans an onboarding's events out to matching subscriptions, each signed with its own secret, once each", async () => {
    const body = startBody({ approverEmail: approver.email });
    const tenant = body.tenant.partnerProvidedId;
    const all = await receiver();
    const mine = await receiver();
    const others = await receiver();
    const own = await receiver();
    const allSub = (await register({ url: all.url, events: ['onboarding.status_changed'] })).body;
    const mineSub = (await register({ url: mine.url, events: ['*'], tenant })).body;
    const othersSub = (await register({ url: others.url, events: ['*'], tenant: 'someone-else' })).body;
    // Only status changes of this onboarding; the other tests' onboardings may also reach the all-tenants one.
    const ofIt = (id: string) => (e: any) => e.onboardingId === id && e.type === 'onboarding.status_changed';

    const started = await stack.http('POST', '/v1/onboardings', {
      token: staff.token,
      body: { ...body, notify: { email: 'ops@acme.example', webhookUrl: own.url } },
    });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
    const cancel = await stack.http('POST', `/v1/onboardings/${id}/cancel`, {
      token: staff.token,
      body: { reason: 'test' },
    });
    expect(cancel.status).toBe(202);
    await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'CANCELLED');

    // RUNNING, AWAITING_APPROVAL, CANCELLED: to the onboarding's own receiver and to both matching subscriptions.
    const statuses = (secret: string, got: Received[]) => got.map((g) => verified(secret, g).data.status);
    const toAll = await waitForReceived(all, 3, ofIt(id));
    const toMine = await waitForReceived(mine, 3, ofIt(id));
    const toOwn = await waitForReceived(own, 3, ofIt(id));
    expect(statuses(allSub.secret, toAll)).toEqual(
      expect.arrayContaining(['RUNNING', 'AWAITING_APPROVAL', 'CANCELLED']),
    );
    expect(statuses(mineSub.secret, toMine)).toEqual(
      expect.arrayContaining(['RUNNING', 'AWAITING_APPROVAL', 'CANCELLED']),
    );
    expect(statuses(started.body.webhookSecret, toOwn)).toEqual(
      expect.arrayContaining(['RUNNING', 'AWAITING_APPROVAL', 'CANCELLED']),
    );
    // The same event carries the same id everywhere; a subscription's secret does not verify another's delivery.
    expect(JSON.parse(toAll[0].body).id).toBe(JSON.parse(toOwn[0].body).id);
    expect(() => verified(allSub.secret, toMine[0])).toThrow();
    // The other tenant's subscription got its test event only.
    expect(others.received.map((x) => JSON.parse(x.body).type)).toEqual(['webhook.test']);
    expect((await deliveries(othersSub.id)).map((d) => d.type)).toEqual(['webhook.test']);

    // Exactly one delivery per (subscription, event), however often the projection wrote.
    const { rows } = await stack.db.pool.query(
      `SELECT subscription_id, event_id, count(*)::int AS n FROM webhook_deliveries
        WHERE onboarding_id = $1 AND subscription_id IS NOT NULL GROUP BY 1, 2`,
      [id],
    );
    expect(rows.every((row) => row.n === 1)).toBe(true);
    expect(rows.filter((row) => row.subscription_id === mineSub.id).length).toBeGreaterThanOrEqual(3);
  });

  it('fans out any event type written to the outbox, e.g. client.connectivity_changed, without a notify.webhookUrl', async () => {
    const body = startBody({ approverEmail: approver.email });
    const r = await receiver();
    const sub = (
      await register({ url: r.url, events: ['client.connectivity_changed'], tenant: body.tenant.partnerProvidedId })
    ).body;
    const started = await stack.http('POST', '/v1/onboardings', { token: staff.token, body });
    const id = started.body.id as string;
    await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
    // As the activity that records a client's connectivity writes it: the outbox, with no receiver of its own.
    const event = {
      id: `${id}.connectivity.client-7.1`,
      onboardingId: id,
      type: 'client.connectivity_changed',
      occurredAt: new Date(),
      data: { partnerProvidedId: 'client-7', connectivity: 'CONNECTED', attempts: 1, lastError: null },
    };
    await expect(enqueueWebhook(stack.db.pool, event)).resolves.toBe(true);
    await expect(enqueueWebhook(stack.db.pool, event)).resolves.toBe(false);
    const [got] = await waitForReceived(r, 1, (e) => e.type === 'client.connectivity_changed');
    expect(verified(sub.secret, got)).toMatchObject({ onboardingId: id, data: { connectivity: 'CONNECTED' } });
    // Status changes were not asked for: only the test event and this one reached it.
    expect((await deliveries(sub.id)).map((d) => d.type).sort()).toEqual([
      'client.connectivity_changed',
      'webhook.test',
    ]);
  });

  it('logs each delivery, redelivers one with the same webhook-id, and stops sending after DELETE', async () => {
    const r = await receiver();
    const sub = (await register({ url: r.url, events: ['*'] })).body;
    const test = await waitForDelivery(sub.id, (d) => d.type === 'webhook.test' && d.status === 'DELIVERED');
    expect(test).toMatchObject({ eventId: `webhook.test.${sub.id}`, attempts: 1, lastStatus: 200, lastError: null });

    const path = `/v1/webhooks/${sub.id}/deliveries/${encodeURIComponent(test.id)}/redeliver`;
    const key = { 'idempotency-key': `redeliver-${sub.id}` };
    const redelivered = await stack.http('POST', path, { token: staff.token, headers: key });
    expect(redelivered.status).toBe(202);
    expect(redelivered.body.redeliveredAt).not.toBeNull();
    const twice = await waitForReceived(r, 2, (e) => e.type === 'webhook.test');
    expect(twice[1].headers['webhook-id']).toBe(twice[0].headers['webhook-id']);
    verified(sub.secret, twice[1]);
    // The same key again answers the first redelivery and sends nothing more.
    const repeat = await stack.http('POST', path, { token: staff.token, headers: key });
    expect(repeat.status).toBe(202);
    expect(repeat.body).toEqual(redelivered.body);
    await waitForDelivery(sub.id, (d) => d.id === test.id && d.status === 'DELIVERED' && d.attempts === 2);
    expect(r.received).toHaveLength(2);

    expect(
      (await stack.http('POST', `/v1/webhooks/${sub.id}/deliveries/nope/redeliver`, { token: staff.token })).status,
    ).toBe(404);
    expect((await stack.http('DELETE', `/v1/webhooks/${sub.id}`, { token: staff.token })).status).toBe(204);
    expect((await stack.http('DELETE', `/v1/webhooks/${sub.id}`, { token: staff.token })).status).toBe(204);
    expect(
      (await stack.http('DELETE', '/v1/webhooks/00000000-0000-4000-8000-000000000009', { token: staff.token })).status,
    ).toBe(404);
    const list = await stack.http('GET', '/v1/webhooks', { token: staff.token });
    expect(list.body.items.map((s: any) => s.id)).not.toContain(sub.id);
    // The log stays readable; nothing more is sent to a deleted subscription.
    expect((await deliveries(sub.id)).length).toBe(1);
    expect((await stack.http('POST', path, { token: staff.token })).status).toBe(409);

    const started = await stack.http('POST', '/v1/onboardings', {
      token: staff.token,
      body: startBody({ approverEmail: approver.email }),
    });
    await stack.waitForOnboarding(started.body.id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
    const { rows } = await stack.db.pool.query(
      'SELECT count(*)::int AS n FROM webhook_deliveries WHERE subscription_id = $1',
      [sub.id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('gives up a delivery after WEBHOOK_MAX_ATTEMPTS, and a redelivery gets a fresh budget', async () => {
    const r = await receiver([500, 500, 200]);
    const sub = (await register({ url: r.url, events: ['client.connectivity_changed'] })).body;
    const failed = await waitForDelivery(sub.id, (d) => d.status === 'FAILED');
    expect(failed).toMatchObject({ attempts: 2, lastStatus: 500, type: 'webhook.test' });
    const res = await stack.http(
      'POST',
      `/v1/webhooks/${sub.id}/deliveries/${encodeURIComponent(failed.id)}/redeliver`,
      {
        token: staff.token,
      },
    );
    expect(res.status).toBe(202);
    const delivered = await waitForDelivery(sub.id, (d) => d.status === 'DELIVERED');
    expect(delivered).toMatchObject({ attempts: 3, lastStatus: 200 });
    verified(sub.secret, r.received[2]);
  });
});
