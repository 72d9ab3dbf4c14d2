import type { WorkerOptions } from '@temporalio/worker';
import { createPool, waitForDatabase } from '../db/pool';
import { loadDataKey } from '../db/data-keys';
import { requireMasterKeys, requireTemporalAddress, type Config } from '../lib/config';
import { createDataConverter } from '../lib/data-converter';
import type { Logger } from '../lib/logger';
import { createSecrets } from '../lib/secrets';
import { waitForTemporal } from '../lib/temporal-connection';
import { createMailer } from '../notify/mailer';
import { createEgressFetch } from '../lib/egress';
import { createFailureNotifier } from '../notify/failure-notifier';
import { createWebhookDispatcher } from '../notify/webhook-dispatcher';
import { wakeWhenWorkIsDue } from '../notify/work-due';
import { webhookSecretContext, webhookSubscriptionSecretContext } from '../notify/webhook-signing';
import { buildActivityDeps } from './activity-deps';
import { createOnboardingWorker } from './create-worker';
import { startHealthServer } from './health-server';
import { superviseWorker } from './run-worker';

export interface WorkerProcess {
  /** Resolves once the worker polls its task queue for the first time. */
  ready: Promise<void>;
  /** The worker's own probes, when asked for (a worker on its own); `npm start` has the API's. */
  healthUrl?: string;
  /** Readiness answers 503 from now on. */
  drain(): void;
  stop(): Promise<void>;
}

/** The worker's composition root: one pool, one mailer, the webhook dispatcher and the supervised worker. */
export async function startWorkerProcess(
  config: Config,
  log: Logger,
  options: { workflowBundle?: WorkerOptions['workflowBundle']; webhookPollMs?: number; healthServer?: boolean } = {},
): Promise<WorkerProcess> {
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required by the worker');
  if (!config.smtpUrl) throw new Error('SMTP_URL is required by the worker');
  const connection = { ...config.temporal.connection, address: requireTemporalAddress(config) };
  const pool = createPool(config.databaseUrl, log, {
    max: config.databasePoolMax,
    connectionTimeoutMillis: config.databaseAcquireTimeoutMs,
  });
  try {
    await waitForDatabase(pool, log);
    await waitForTemporal(connection, config.temporal.namespace, config.temporal.connectTimeoutMs, log);
  } catch (err) {
    await pool.end();
    throw err;
  }
  const secrets = createSecrets(await loadDataKey(pool, requireMasterKeys(config)));
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, log });
  const deps = buildActivityDeps({ config, pool, mailer, secrets, log });

  const dispatcher = createWebhookDispatcher({
    pool,
    log,
    openSecret: (sealed, onboardingId) => secrets.open(sealed, webhookSecretContext(onboardingId)),
    openSubscriptionSecret: (sealed, id) => secrets.open(sealed, webhookSubscriptionSecretContext(id)),
    retryInitialMs: config.webhook.retryInitialMs,
    maxAttempts: config.webhook.maxAttempts,
    fetch: createEgressFetch({ allowedHosts: config.egress.allowedHosts }),
    pollIntervalMs: options.webhookPollMs,
    wokenWhenDue: () => dueWork.listening,
  });
  const failureNotifier = createFailureNotifier({
    pool,
    mailer,
    log,
    pollIntervalMs: options.webhookPollMs,
    wokenWhenDue: () => dueWork.listening,
  });
  const dueWork = wakeWhenWorkIsDue({
    connectionString: config.databaseUrl,
    wake: { webhooks: () => dispatcher.wake(), 'failure-notices': () => failureNotifier.wake() },
    log,
  });
  dispatcher.start();
  failureNotifier.start();
  void dueWork.start();

  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const supervised = superviseWorker({
    connection,
    log,
    onRunning: () => {
      log.info({ taskQueue: config.temporal.taskQueue }, 'worker running');
      markReady();
    },
    build: (native) =>
      createOnboardingWorker({
        connection: native,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        deps,
        workflowBundle: options.workflowBundle,
        // Bounded: parked onboardings beyond it are evicted and replayed when a message arrives.
        maxCachedWorkflows: config.temporal.maxCachedWorkflows,
        // Sized to the pool (DATABASE_POOL_MAX): each activity holds at most one connection, briefly, and
        // never across a network call, so more slots than connections would only queue on the pool.
        maxConcurrentActivities: config.databasePoolMax,
        dataConverter: createDataConverter(requireMasterKeys(config), config.codecCompression),
      }),
  });

  let draining = false;
  const health = options.healthServer
    ? await startHealthServer({
        host: config.host,
        port: config.workerHealthPort,
        isReady: () => !draining && supervised.isPolling(),
      })
    : undefined;

  return {
    ready,
    healthUrl: health?.url,
    drain() {
      draining = true;
    },
    async stop() {
      draining = true;
      await supervised.stop();
      await dueWork.stop();
      await dispatcher.stop();
      await failureNotifier.stop();
      await mailer.close();
      await pool.end();
      await health?.close();
    },
  };
}
