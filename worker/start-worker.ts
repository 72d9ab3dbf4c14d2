import type { WorkerOptions } from '@temporalio/worker';
import { createPool, waitForDatabase } from '../db/pool';
import { loadDataKey } from '../db/data-keys';
import { requireMasterKeys, type Config } from '../lib/config';
import { createDataConverter } from '../lib/data-converter';
import type { Logger } from '../lib/logger';
import { createSecrets } from '../lib/secrets';
import { createMailer } from '../notify/mailer';
import { createWebhookDispatcher } from '../notify/webhook-dispatcher';
import { webhookSecretContext } from '../notify/webhook-signing';
import { buildActivityDeps } from './activity-deps';
import { createOnboardingWorker } from './create-worker';
import { superviseWorker } from './run-worker';

export interface WorkerProcess {
  /** Resolves once the worker polls its task queue for the first time. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** The worker's composition root: one pool, one mailer, the webhook dispatcher and the supervised worker. */
export async function startWorkerProcess(
  config: Config,
  log: Logger,
  options: { workflowBundle?: WorkerOptions['workflowBundle']; temporalAddress: string; webhookPollMs?: number },
): Promise<WorkerProcess> {
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required by the worker');
  if (!config.smtpUrl) throw new Error('SMTP_URL is required by the worker');
  const pool = createPool(config.databaseUrl, log);
  await waitForDatabase(pool, log);
  const secrets = createSecrets(await loadDataKey(pool, requireMasterKeys(config)));
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, log });
  const deps = buildActivityDeps({ config, pool, mailer, secrets, log });

  const dispatcher = createWebhookDispatcher({
    pool,
    log,
    openSecret: (sealed, onboardingId) => secrets.open(sealed, webhookSecretContext(onboardingId)),
    retryInitialMs: config.webhook.retryInitialMs,
    maxAttempts: config.webhook.maxAttempts,
    allowedHosts: config.webhook.allowedHosts,
    pollIntervalMs: options.webhookPollMs,
  });
  dispatcher.start();

  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const supervised = superviseWorker({
    address: options.temporalAddress,
    log,
    onRunning: () => {
      log.info({ taskQueue: config.temporal.taskQueue }, 'worker running');
      markReady();
    },
    build: (connection) =>
      createOnboardingWorker({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        deps,
        workflowBundle: options.workflowBundle,
        // Bounded: parked onboardings beyond it are evicted and replayed when a message arrives.
        maxCachedWorkflows: config.temporal.maxCachedWorkflows,
        dataConverter: createDataConverter(requireMasterKeys(config)),
      }),
  });

  return {
    ready,
    async stop() {
      await supervised.stop();
      await dispatcher.stop();
      await mailer.close();
      await pool.end();
    },
  };
}
