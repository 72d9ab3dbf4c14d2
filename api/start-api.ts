import { Client, Connection } from '@temporalio/client';
import { createPool, waitForDatabase } from '../db/pool';
import { loadDataKey } from '../db/data-keys';
import { requireMasterKeys, type Config } from '../lib/config';
import { createDataConverter } from '../lib/data-converter';
import { createPayloadCodec } from '../lib/payload-codec';
import type { Logger } from '../lib/logger';
import { createSecrets } from '../lib/secrets';
import { createApp } from './app';
import { createTokenService } from './auth';
import { ensureReverifySchedule } from './reverify-schedule';
import { listen } from './server';

export interface ApiProcess { url: string; stop(): Promise<void> }

/** Resolves once Temporal answers; the API is useless before, and a server that is starting is normal. */
async function waitForTemporal(connection: Connection, log: Logger, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 200; ; delay = Math.min(delay * 2, 3_000)) {
    try {
      await connection.workflowService.getSystemInfo({});
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      log.info({ retryInMs: delay }, 'waiting for Temporal');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** The API's composition root: one pool and one Temporal connection (lazy, so it reconnects) per process. */
export async function startApiProcess(config: Config, log: Logger, options: { temporalAddress: string; host?: string }): Promise<ApiProcess> {
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required by the API');
  const pool = createPool(config.databaseUrl, log);
  await waitForDatabase(pool, log);
  const connection = Connection.lazy({ address: options.temporalAddress });
  await waitForTemporal(connection, log);
  const temporal = new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(requireMasterKeys(config)) });
  const codec = createPayloadCodec(requireMasterKeys(config));
  await ensureReverifySchedule(temporal, config, log);
  const secrets = createSecrets(await loadDataKey(pool, requireMasterKeys(config)));
  const tokens = createTokenService({ pool, secrets, accessTtlMs: config.accessTokenTtlMs, refreshTtlMs: config.refreshTokenTtlMs });
  // Readiness gets a connection without the retry interceptor: one attempt under a deadline is what a
  // probe wants, and the SDK's retry timers outlive Connection.close() (they then throw from a timer).
  const probe = Connection.lazy({ address: options.temporalAddress, interceptors: [] });
  const app = createApp({ config, pool, temporal, temporalProbe: probe, codec, secrets, tokens, log });
  const server = await listen(app, config.port, options.host);
  log.info({ url: server.url }, 'API listening');
  return {
    url: server.url,
    async stop() {
      await server.close();
      await probe.close();
      await connection.close();
      await pool.end();
    },
  };
}
