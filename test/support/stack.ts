import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { startApiProcess } from '../../api/start-api';
import type { ApproverKind, Role } from '../../db/users';
import { freePort } from '../../infra/free-port';
import { loadConfig, requireMasterKeys, type Config } from '../../lib/config';
import { createDataConverter } from '../../lib/data-converter';
import { createLogger } from '../../lib/logger';
import { startMailSink, type MailSink } from '../../infra/mail-sink';
import { startWorkerProcess } from '../../worker/start-worker';
import { installTemporalRuntime } from '../../worker/temporal-runtime';
import { createTestDatabase, type TestDatabase } from './database';
import { productHttp } from './product-http';
import { testWorkflowBundle } from './workflow-bundle';

export type { HttpResult } from './product-http';
import type { HttpResult } from './product-http';

/**
 * The whole product for one test file, wired by the same composition roots `npm start` uses:
 * its own database, SMTP sink, task queue, worker and API, on the run's Temporal dev server.
 */
export interface Stack {
  config: Config;
  db: TestDatabase;
  mail: MailSink;
  temporal: Client;
  url: string;
  addUser(
    role: Role,
    options?: { email?: string; approverKind?: ApproverKind; password?: string; firstName?: string; lastName?: string },
  ): Promise<{ id: string; email: string; token: string }>;
  http<T = any>(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<HttpResult<T>>;
  /** Polls the projection until the predicate holds (the read model trails the workflow by milliseconds). */
  waitForOnboarding(id: string, token: string, predicate: (view: any) => boolean, timeoutMs?: number): Promise<any>;
  stop(): Promise<void>;
}

/** `logs`: where the product's log lines go (at debug level), for tests that read them. */
export async function startStack(
  env: Record<string, string> = {},
  options: { logs?: NodeJS.WritableStream } = {},
): Promise<Stack> {
  const temporalAddress = env.TEMPORAL_ADDRESS ?? process.env.TEMPORAL_ADDRESS;
  if (!temporalAddress) throw new Error('TEMPORAL_ADDRESS is set by the jest global setup');
  const db = await createTestDatabase();
  const mail = await startMailSink();
  const port = await freePort();
  const config = loadConfig({
    PORT: String(port),
    DATABASE_URL: db.url,
    SMTP_URL: mail.url,
    GANGWAY_MASTER_KEY: randomBytes(32).toString('base64'),
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: `test-${randomBytes(4).toString('hex')}`,
    CONNECTIVITY_RETRY_INITIAL: '100ms',
    CONNECTIVITY_RETRY_MAX: '500ms',
    WEBHOOK_RETRY_INITIAL: '100ms',
    // Portal stubs and webhook receivers in tests listen on loopback, which egress may otherwise never reach.
    EGRESS_ALLOWED_HOSTS: '127.0.0.1,localhost',
    // Every request of a test comes from 127.0.0.1 and most from one staff user: the per-address and per-user
    // limits are for the real world (test/integration/trust-api.test.ts sets them low to test them).
    RATE_LIMIT_PER_IP: '1000000',
    RATE_LIMIT_STARTS: '1000000',
    ...env,
  });
  const log = options.logs
    ? createLogger({ level: 'debug' }, options.logs)
    : createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  installTemporalRuntime(log);
  const worker = await startWorkerProcess(config, log, { workflowBundle: testWorkflowBundle(), webhookPollMs: 100 });
  const api = await startApiProcess(config, log);
  await worker.ready;
  const connection = await Connection.connect({ ...config.temporal.connection, address: temporalAddress });
  const temporal = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: createDataConverter(requireMasterKeys(config)),
  });

  const { http, addUser, waitForOnboarding } = productHttp(api.url, db.pool);

  return {
    config,
    db,
    mail,
    temporal,
    url: api.url,
    http,
    addUser,
    waitForOnboarding,
    async stop() {
      await api.stop();
      await worker.stop();
      await connection.close();
      await mail.close();
      await db.drop();
    },
  };
}

/** A valid start body; tests override what they are about. */
export function startBody(overrides: Record<string, any> = {}) {
  const id = `acme-${randomBytes(4).toString('hex')}`;
  return {
    tenant: {
      partnerProvidedId: id,
      name: 'Acme Shipping',
      plan: 'TRADE',
      contact: { name: 'Ops', email: 'ops@acme.example' },
    },
    integrationUser: {
      email: 'api@acme.example',
      integrationSystem: 'SAP S/4HANA',
      scope: 'TENANT',
      invoiceDataAccess: false,
    },
    subscriptions: ['ORDER_MANAGEMENT', 'INVOICING'],
    clients: [],
    notify: { email: 'ops@acme.example' },
    ...overrides,
  };
}

/** The link a mail carries, e.g. linkIn(mail.text, '/collect/'). */
export function linkIn(text: string, marker: string): string {
  const match = new RegExp(`(https?://\\S*${marker.replace(/\//g, '\\/')}[A-Za-z0-9_-]+)`).exec(text);
  if (!match) throw new Error(`no ${marker} link in: ${text}`);
  return match[1];
}

/** The token of the collector link a mail carries: what POST /v1/collect/{token} takes. */
export const collectorTokenIn = (text: string) => linkIn(text, '/collect/').split('/collect/')[1];

/** The API path that reveals the kit a mail links to: the mail's /kit/{token} page posts to /v1/kits/{token}. */
export const kitRevealPath = (mailText: string) =>
  new URL(linkIn(mailText, '/kit/')).pathname.replace(/^\/kit\//, '/v1/kits/');
