import { randomUUID } from 'node:crypto';
import { startMailSink, type MailSink } from '../../infra/mail-sink';
import { createEgressFetch } from '../../lib/egress';
import { newDataKey } from '../../lib/envelope';
import { createLogger } from '../../lib/logger';
import { createSecrets } from '../../lib/secrets';
import { createFailureNotifier, type FailureNotifier } from '../../notify/failure-notifier';
import { createMailer, type Mailer } from '../../notify/mailer';
import { createWebhookDispatcher, type WebhookDispatcher } from '../../notify/webhook-dispatcher';
import { wakeWhenWorkIsDue } from '../../notify/work-due';
import type { KeptListener } from '../../lib/keep-listening';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { waitFor } from '../support/wait';
import { queueWebhook, webhookSecretContext } from '../support/queued-webhook';
import { startReceiver } from '../support/webhook-receiver';

/** Longer than any test here: whatever happens within one happened because the outbox was woken. */
const NEVER_MS = 10 * 60_000;

/**
 * The worker's outboxes woken by PostgreSQL (migration 019, notify/work-due.ts) instead of polling: a
 * webhook leaves as its row commits, a retry at the time it falls due, a failure notice as it is written,
 * and what became due while nothing was heard once it is heard again. Every poll here is ten minutes apart.
 */
describe('work due wakes the outboxes', () => {
  let db: TestDatabase;
  let sink: MailSink;
  let mailer: Mailer;
  let dispatcher: WebhookDispatcher;
  let notifier: FailureNotifier;
  let dueWork: KeptListener;
  const secrets = createSecrets(newDataKey());
  const log = createLogger({ level: 'silent' });

  beforeAll(async () => {
    db = await createTestDatabase();
    sink = await startMailSink();
    mailer = createMailer({ smtpUrl: sink.url, from: 'gangway@platform.example', log });
    dispatcher = createWebhookDispatcher({
      pool: db.pool,
      openSecret: (sealed, onboardingId) => secrets.open(sealed, webhookSecretContext(onboardingId)),
      log,
      retryInitialMs: 300,
      maxAttempts: 5,
      fetch: createEgressFetch({ allowedHosts: ['127.0.0.1'] }),
      pollIntervalMs: NEVER_MS,
      idleMs: NEVER_MS,
      wokenWhenDue: () => dueWork.listening,
    });
    notifier = createFailureNotifier({
      pool: db.pool,
      mailer,
      log,
      pollIntervalMs: NEVER_MS,
      idleMs: NEVER_MS,
      wokenWhenDue: () => dueWork.listening,
    });
    dueWork = wakeWhenWorkIsDue({
      connectionString: db.url,
      wake: { webhooks: () => dispatcher.wake(), 'failure-notices': () => notifier.wake() },
      log,
    });
    await dueWork.start();
    expect(dueWork.listening).toBe(true);
    dispatcher.start();
    notifier.start();
  });
  afterAll(async () => {
    await dueWork?.stop();
    await dispatcher?.stop();
    await notifier?.stop();
    await mailer?.close();
    await sink?.close();
    await db?.drop();
  });

  const enqueue = async (url: string) => (await queueWebhook(db.pool, secrets, url)).id;

  const delivered = async (id: string) =>
    (await db.pool.query('SELECT 1 FROM webhook_deliveries WHERE id = $1 AND delivered_at IS NOT NULL', [id]))
      .rowCount === 1;

  it('posts a webhook as its row commits, and its retry when the retry falls due', async () => {
    // The first attempt is answered 500; the retry, due 300 ms later, notifies nobody.
    const receiver = await startReceiver([500]);
    try {
      const id = await enqueue(receiver.url);
      await waitFor(async () => receiver.received.length === 1, 5_000, 10);
      await waitFor(() => delivered(id), 5_000, 20);
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[1].headers['webhook-id']).toBe(id);
    } finally {
      await receiver.close();
    }
  });

  it('mails a failure notice as it is written', async () => {
    const tenantId = randomUUID();
    const contact = `ops-${tenantId.slice(0, 8)}@customer.example`;
    await db.pool.query(
      `INSERT INTO tenants (tenant_id, partner_provided_id, name, plan, data) VALUES ($1, $2, 'Woken Ltd', 'TRADE', '{}')`,
      [tenantId, `woken-${tenantId}`],
    );
    await db.pool.query(
      `INSERT INTO tenant_versions (tenant_id, version, data, valid_from) VALUES ($1, 1, $2, now())`,
      [tenantId, { contact: { email: contact } }],
    );
    await db.pool.query(
      `INSERT INTO failure_notices (key, tenant_id, kind, subject, body) VALUES ($1, $2, 'WEBHOOK_FAILED', 'Woken', 'A notice')`,
      [`woken:${tenantId}`, tenantId],
    );
    const mail = await sink.waitFor((m) => m.to.includes(contact), 5_000);
    expect(mail.subject).toBe('Woken');
  });

  it('posts what became due while nothing was heard once it hears again', async () => {
    const receiver = await startReceiver();
    try {
      await db.pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
      );
      await waitFor(async () => !dueWork.listening, 5_000, 5);
      // Listening again takes half a second; this is written before it.
      const id = await enqueue(receiver.url);
      await waitFor(async () => dueWork.listening, 10_000, 20);
      await waitFor(() => delivered(id), 5_000, 20);
    } finally {
      await receiver.close();
    }
  });
});
