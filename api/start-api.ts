import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { createPool, waitForDatabase } from '../db/pool';
import { loadDataKey } from '../db/data-keys';
import { requireMasterKeys, requireTemporalAddress, type Config } from '../lib/config';
import { createDataConverter } from '../lib/data-converter';
import { setPasswordHashConcurrency } from '../lib/passwords';
import { createPayloadCodec } from '../lib/payload-codec';
import type { Logger } from '../lib/logger';
import { createSecrets } from '../lib/secrets';
import { tracingClientInterceptors } from '../lib/tracing';
import { waitForTemporal } from '../lib/temporal-connection';
import { createApp } from './app';
import { ActiveUsers } from './active-users';
import { createTokenService } from './auth';
import { createCodecApp } from './codec-listener';
import type { ApiDeps, Lifecycle } from './deps';
import { createLimits } from './limits';
import { ensureSchedules } from './schedules';
import { listen } from './server';

export interface ApiProcess {
  url: string;
  /** The admin codec listener's, with CODEC_PORT. */
  codecUrl?: string;
  /** Readiness answers 503 from now on; the listener stays open (SHUTDOWN_DRAIN_DELAY, then stop()). */
  drain(): void;
  stop(): Promise<void>;
}

/**
 * The API's composition root: one pool and one Temporal connection (lazy, so it reconnects) per
 * process. Temporal must answer at start (a wrong certificate or key stops the process at once);
 * after that, an outage only takes down what needs Temporal: the token, kit and collector pages
 * answer from PostgreSQL alone.
 */
export async function startApiProcess(config: Config, log: Logger): Promise<ApiProcess> {
  const { databaseUrl } = config;
  if (!databaseUrl) throw new Error('DATABASE_URL is required by the API');
  const temporalOptions = {
    ...config.temporal.connection,
    address: requireTemporalAddress(config),
  } as ConnectionOptions & { address: string };
  // What is opened is closed again, last first, by stop() or by a start that fails half way (a port taken, a
  // schedule refused): a failed start leaves no pool, LISTEN connection or Temporal connection behind.
  const opened = new Closers();
  try {
    return await start({ ...config, databaseUrl }, log, temporalOptions, opened);
  } catch (err) {
    await opened.closeAll().catch((closing: Error) => log.warn({ err: closing }, 'closing after a failed start'));
    throw err;
  }
}

async function start(
  config: Config & { databaseUrl: string },
  log: Logger,
  temporalOptions: ConnectionOptions & { address: string },
  opened: Closers,
): Promise<ApiProcess> {
  const pool = createPool(config.databaseUrl, log, {
    max: config.databasePoolMax,
    connectionTimeoutMillis: config.databaseAcquireTimeoutMs,
  });
  opened.push(() => pool.end());
  await waitForDatabase(pool, log);
  await waitForTemporal(temporalOptions, config.temporal.namespace, config.temporal.connectTimeoutMs, log);
  const connection = Connection.lazy(temporalOptions);
  opened.push(() => connection.close());
  const temporal = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: createDataConverter(requireMasterKeys(config), config.codecCompression),
    // When the process traces: a StartWorkflow (Update, Signal, Query) span under the request's, carried on
    // to the workflow in the headers.
    interceptors: { workflow: tracingClientInterceptors() },
  });
  // Staff see plaintext payloads (forgeries included) as they are; the workers refuse them.
  const codec = createPayloadCodec(requireMasterKeys(config), 'show', config.codecCompression);
  await ensureSchedules(temporal, config, log);
  const secrets = createSecrets(await loadDataKey(pool, requireMasterKeys(config)));
  const activeUsers = new ActiveUsers(pool, { connectionString: config.databaseUrl, log });
  opened.push(() => activeUsers.stop());
  await activeUsers.start();
  const tokens = createTokenService({
    pool,
    activeUsers,
    secrets,
    accessTtlMs: config.accessTokenTtlMs,
    refreshTtlMs: config.refreshTokenTtlMs,
    sessionMaxLifetimeMs: config.sessionMaxLifetimeMs,
  });
  const limits = createLimits({ pool, config, secrets });
  setPasswordHashConcurrency(config.passwordHashConcurrency);
  // Readiness gets a connection without the retry interceptor: one attempt under a deadline is what a
  // probe wants, and the SDK's retry timers outlive Connection.close() (they then throw from a timer).
  const probe = Connection.lazy({ ...temporalOptions, interceptors: [] });
  opened.push(() => probe.close());
  const lifecycle: Lifecycle = { draining: false };
  const deps: ApiDeps = {
    config,
    pool,
    temporal,
    temporalProbe: probe,
    codec,
    secrets,
    tokens,
    limits,
    log,
    lifecycle,
  };
  const app = createApp(deps);
  const server = await listen(app, config.port, config.host);
  opened.push(() => server.close());
  log.info({ url: server.url }, 'API listening');
  const codecServer = config.codecListener
    ? await listen(createCodecApp(deps), config.codecListener.port, config.codecListener.host)
    : undefined;
  if (codecServer) {
    opened.push(() => codecServer.close());
    log.info({ url: codecServer.url }, 'codec listener (no authentication) listening');
  }
  return {
    url: server.url,
    codecUrl: codecServer?.url,
    drain() {
      lifecycle.draining = true;
    },
    async stop() {
      lifecycle.draining = true;
      // The listeners first, so no request starts on what closes after them.
      await opened.closeAll();
    },
  };
}

/** Closes what was opened, the last first. */
class Closers {
  private readonly closers: (() => Promise<unknown>)[] = [];

  push(close: () => Promise<unknown>): void {
    this.closers.push(close);
  }

  async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close();
  }
}
