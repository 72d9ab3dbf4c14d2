import { createHmac } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { createLogger } from '../../lib/logger';
import { newDataKey } from '../../lib/envelope';
import { createSecrets } from '../../lib/secrets';
import { createWebhookDispatcher, type WebhookDispatcherOptions } from '../../notify/webhook-dispatcher';
import { enqueueWebhook } from '../../notify/webhook-outbox';
import { newWebhookSecret } from '../../notify/webhook-signing';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { queueWebhook, webhookSecretContext } from '../support/queued-webhook';
import { startReceiver } from '../support/webhook-receiver';
import { createEgressFetch } from '../../lib/egress';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('webhook dispatcher', () => {
  let db: TestDatabase;
  const secrets = createSecrets(newDataKey());

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  function dispatcher(overrides: Partial<WebhookDispatcherOptions> = {}) {
    return createWebhookDispatcher({
      pool: db.pool,
      openSecret: (sealed, onboardingId) => secrets.open(sealed, webhookSecretContext(onboardingId)),
      log: createLogger({ level: 'silent' }),
      retryInitialMs: 20,
      maxAttempts: 5,
      fetch: createEgressFetch({ allowedHosts: ['127.0.0.1'] }),
      ...overrides,
    });
  }

  const enqueue = (url: string) => queueWebhook(db.pool, secrets, url);

  async function delivery(id: string) {
    const { rows } = await db.pool.query('SELECT * FROM webhook_deliveries WHERE id = $1', [id]);
    return rows[0];
  }

  /** Runs the dispatcher until the delivery is settled (delivered or failed), polling for next_attempt_at. */
  async function runUntilSettled(d: { runOnce(): Promise<number> }, id: string) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      await d.runOnce();
      const row = await delivery(id);
      if (row.delivered_at || row.failed_at) return row;
      if (Date.now() > deadline) throw new Error(`delivery ${id} not settled: ${JSON.stringify(row)}`);
      await sleep(10);
    }
  }

  it('posts the stored payload signed per Standard Webhooks, verifiable by the library and by hand', async () => {
    const receiver = await startReceiver();
    const { id, onboardingId, secret, occurredAt } = await enqueue(receiver.url);

    await expect(dispatcher().runOnce()).resolves.toBe(1);
    await receiver.close();

    expect(receiver.received).toHaveLength(1);
    const { headers, body } = receiver.received[0];
    expect(headers['content-type']).toBe('application/json');
    expect(headers['webhook-id']).toBe(id);
    expect(secret).toMatch(/^whsec_/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);

    expect(new Webhook(secret).verify(body, headers)).toEqual({
      id,
      type: 'onboarding.approved',
      onboardingId,
      occurredAt: occurredAt.toISOString(),
      data: { status: 'APPROVED' },
    });

    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${headers['webhook-timestamp']}.${body}`).digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
    expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);

    expect(await delivery(id)).toMatchObject({
      attempts: 1,
      last_status: 200,
      delivered_at: expect.any(Date),
      failed_at: null,
    });
    await expect(dispatcher().runOnce()).resolves.toBe(0);
  });

  it('a tampered body or another secret fails verification', async () => {
    const receiver = await startReceiver();
    const { secret } = await enqueue(receiver.url);
    await dispatcher().runOnce();
    await receiver.close();
    const { headers, body } = receiver.received[0];

    const tampered = body.replace('APPROVED', 'REJECTED');
    expect(tampered).not.toBe(body);
    expect(() => new Webhook(secret).verify(tampered, headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow(WebhookVerificationError);
  });

  it('retries with backoff: 500, 500, then 200 is three attempts and delivered', async () => {
    const receiver = await startReceiver([500, 500]);
    const { id } = await enqueue(receiver.url);
    const d = dispatcher();

    const row = await runUntilSettled(d, id);
    await receiver.close();

    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([id, id, id]);
    expect(row).toMatchObject({
      attempts: 3,
      last_status: 200,
      last_error: null,
      delivered_at: expect.any(Date),
      failed_at: null,
    });
  });

  it('gives up after maxAttempts and sets failed_at', async () => {
    const receiver = await startReceiver([500, 500, 500, 500]);
    const { id } = await enqueue(receiver.url);
    const d = dispatcher({ maxAttempts: 3 });

    const row = await runUntilSettled(d, id);
    await receiver.close();

    expect(receiver.received).toHaveLength(3);
    expect(row).toMatchObject({
      attempts: 3,
      last_status: 500,
      last_error: 'HTTP 500',
      failed_at: expect.any(Date),
      delivered_at: null,
    });
    await expect(d.runOnce()).resolves.toBe(0);
  });

  it('refuses at delivery a URL that now resolves to a private address, calling nothing', async () => {
    const { id } = await enqueue('https://hooks.customer.example/gangway');
    const fetch = createEgressFetch({ allowedHosts: [], lookup: async () => [{ address: '10.0.0.7' }] });
    const row = await runUntilSettled(dispatcher({ fetch }), id);
    // Given up at once (a refusal is permanent), and recorded without the address it resolved to.
    expect(row).toMatchObject({ attempts: 1, last_status: null, failed_at: expect.any(Date), delivered_at: null });
    expect(row.last_error).toBe('refused: EGRESS_REFUSED');
  });

  it('records a network error by class and message, never the secret', async () => {
    const receiver = await startReceiver();
    await receiver.close();
    const { id, secret } = await enqueue(receiver.url);

    const row = await runUntilSettled(dispatcher({ maxAttempts: 1 }), id);

    expect(row.last_status).toBeNull();
    expect(row.last_error).toMatch(/^TypeError: fetch failed/);
    expect(row.last_error).not.toContain(secret.slice('whsec_'.length));
    expect(row.failed_at).toEqual(expect.any(Date));
  });

  it('two dispatchers running at once deliver a webhook once', async () => {
    const receiver = await startReceiver();
    const { id } = await enqueue(receiver.url);

    const counts = await Promise.all([dispatcher().runOnce(), dispatcher().runOnce()]);
    await receiver.close();

    expect(counts.sort()).toEqual([0, 1]);
    expect(receiver.received).toHaveLength(1);
    expect(await delivery(id)).toMatchObject({ attempts: 1, delivered_at: expect.any(Date) });
  });

  it('enqueueWebhook is idempotent by id', async () => {
    const { id, onboardingId } = await enqueue('http://127.0.0.1:9/unused');
    const again = {
      id,
      onboardingId,
      url: 'http://127.0.0.1:9/other',
      type: 'onboarding.approved',
      data: {},
      occurredAt: new Date(),
    };
    await expect(enqueueWebhook(db.pool, again)).resolves.toBe(false);
    expect(await delivery(id)).toMatchObject({ url: 'http://127.0.0.1:9/unused', attempts: 0 });
    await db.pool.query('DELETE FROM webhook_deliveries WHERE id = $1', [id]);
  });

  it('start() delivers in the background and stop() waits for the loop to end', async () => {
    const receiver = await startReceiver();
    const d = dispatcher({ pollIntervalMs: 20 });
    d.start();
    const { id } = await enqueue(receiver.url);

    const deadline = Date.now() + 10_000;
    while (!(await delivery(id)).delivered_at && Date.now() < deadline) await sleep(20);
    await d.stop();
    await receiver.close();

    expect(receiver.received).toHaveLength(1);
    expect((await delivery(id)).delivered_at).toEqual(expect.any(Date));
  });
});
