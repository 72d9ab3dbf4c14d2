// First: tracing must be in place before http, express and pg load.
import './trace-local-stack';
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startApiProcess } from '../api/start-api';
import { migrate } from '../db/migrate';
import { createPool, waitForDatabase } from '../db/pool';
import { startEmbeddedPostgres } from '../infra/embedded-postgres';
import { findTemporalCli } from '../infra/temporal-cli';
import { SERVER_SEARCH_ATTRIBUTE_CACHE, startDevServer } from '../infra/temporal-dev-server';
import { loadConfig, requireProductionSettings, type Config } from '../lib/config';
import { createLogger, type Logger } from '../lib/logger';
import { startMailSink } from '../infra/mail-sink';
import { startWorkerProcess } from '../worker/start-worker';
import { installTemporalRuntime } from '../worker/temporal-runtime';
import { stopTracing } from '../lib/tracing';
import { PREBUILT_BUNDLE } from './bundle-workflows';
import { localMasterKey } from './local-secrets';

const PROJECT_ROOT = path.join(__dirname, '..', '..');
/** `npm start` serves the worker's SDK metrics here unless TEMPORAL_METRICS_ADDRESS says otherwise (or `off`). */
const LOCAL_SDK_METRICS_ADDRESS = '127.0.0.1:9464';

/**
 * `npm start`: the whole stack in the foreground. What is not given by the environment is started
 * here and kept under .data/: PostgreSQL (embedded), Temporal (the CLI's dev server), a mail catcher.
 * Ctrl-C stops everything, in the reverse order; after a SIGKILL the next start takes .data/ over.
 */
async function main(): Promise<void> {
  const env = { ...process.env };
  const base = loadConfig(env);
  // In production every stand-in below is refused: the one line names what to set instead.
  requireProductionSettings(base, 'start');
  const log = createLogger({ level: base.logLevel });
  // The local default is a convenience: taken by something else, it only costs the SDK metrics.
  const { metricsAddress: sdkMetrics } = installTemporalRuntime(
    log,
    base.temporal.metricsAddress === undefined
      ? { metricsAddress: LOCAL_SDK_METRICS_ADDRESS, metricsOptional: true }
      : { metricsAddress: base.temporal.metricsAddress ?? undefined },
  );
  const dataDir = path.resolve(base.dataDir);
  await mkdir(dataDir, { recursive: true });
  // Run last (stops run in reverse): the spans of everything else's shutdown are flushed too.
  const stops: (() => Promise<void>)[] = [stopTracing];
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'stopping');
    for (const stop of stops.reverse())
      await stop().catch((err: Error) => log.warn({ err: { message: err.message } }, 'stop failed'));
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    await bringUp(env, base, log, dataDir, stops, sdkMetrics);
  } catch (err) {
    // Leave nothing half-started behind: the next start would find it holding .data/.
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw err;
  }
}

async function bringUp(
  env: NodeJS.ProcessEnv,
  base: Config,
  log: Logger,
  dataDir: string,
  stops: (() => Promise<void>)[],
  sdkMetrics: string | undefined,
): Promise<void> {
  env.GANGWAY_MASTER_KEY ??= await localMasterKey(dataDir);

  if (!env.DATABASE_URL) {
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, 'postgres'),
      port: base.embeddedPostgresPort,
      log,
    });
    stops.push(() => pg.stop());
    env.DATABASE_URL = pg.url;
  }
  const pool = createPool(env.DATABASE_URL, log, { max: 2 });
  await waitForDatabase(pool, log);
  const applied = await migrate(pool);
  await pool.end();
  if (applied.length) log.info({ applied }, 'migrations applied');

  let temporalUi: string | undefined;
  // The dev UI cannot send a gangway token: it decodes through the admin codec listener on loopback.
  env.CODEC_PORT ??= String(base.port + 2);
  if (!env.TEMPORAL_ADDRESS) {
    const cliPath = await findTemporalCli({ projectRoot: PROJECT_ROOT, env, log });
    const server = await startDevServer({
      cliPath,
      port: base.temporal.devPort,
      uiPort: base.temporal.devPort + 1000,
      dbFile: path.join(dataDir, 'temporal.sqlite'),
      namespace: base.temporal.namespace,
      uiCodecEndpoint: `http://127.0.0.1:${env.CODEC_PORT}/codec`,
      // Every attribute gangway uses is registered as the server starts: the server's cache can stay on.
      extraArgs: SERVER_SEARCH_ATTRIBUTE_CACHE,
      log,
    });
    stops.push(() => server.stop());
    env.TEMPORAL_ADDRESS = server.address;
    temporalUi = server.uiUrl;
  }

  let mailDir: string | undefined;
  if (!env.SMTP_URL) {
    mailDir = path.join(dataDir, 'mail');
    const sink = await startMailSink({ dir: mailDir });
    stops.push(() => sink.close());
    env.SMTP_URL = sink.url;
  }

  // The dev UI calls the codec endpoint from its own origin, under either name of loopback.
  if (temporalUi) env.CODEC_CORS_ORIGINS ??= `${temporalUi},${temporalUi.replace('127.0.0.1', 'localhost')}`;
  // The local stack's portals and webhook receivers (`npm run demo`'s portal stub) listen on loopback.
  env.EGRESS_ALLOWED_HOSTS ??= '127.0.0.1,localhost';
  const config = loadConfig(env);
  const temporalAddress = env.TEMPORAL_ADDRESS;
  const bundle = await access(PREBUILT_BUNDLE).then(
    () => ({ codePath: PREBUILT_BUNDLE }),
    () => undefined,
  );
  const worker = await startWorkerProcess(config, log, { workflowBundle: bundle });
  stops.push(() => worker.stop());
  const api = await startApiProcess(config, log);
  stops.push(() => api.stop());
  await worker.ready;

  const runtime = {
    pid: process.pid,
    apiUrl: api.url,
    publicUrl: config.publicUrl,
    inboxUrl: `${config.publicUrl}/inbox`,
    consoleUrl: `${config.publicUrl}/console`,
    docsUrl: `${config.publicUrl}/docs`,
    temporalAddress,
    temporalUiUrl: temporalUi ?? null,
    databaseUrl: config.databaseUrl,
    mailDir: mailDir ?? null,
  };
  await writeFile(path.join(dataDir, 'runtime.json'), `${JSON.stringify(runtime, null, 2)}\n`, { mode: 0o600 });
  process.stdout.write(
    [
      '',
      'gangway is up',
      `  API            ${api.url}  (docs: ${runtime.docsUrl})`,
      `  Approver inbox ${runtime.inboxUrl}`,
      `  Staff console  ${runtime.consoleUrl}`,
      `  Temporal UI    ${temporalUi ?? `(external Temporal at ${temporalAddress})`}`,
      `  Codec          ${api.codecUrl ? `${api.codecUrl}/codec  (loopback, no authentication)` : '(none)'}`,
      `  Metrics        ${api.url}/metrics${sdkMetrics ? `, worker SDK: http://${sdkMetrics}/metrics` : ''}`,
      `  Mail           ${mailDir ? `caught locally, written to ${path.relative(process.cwd(), mailDir)}/` : config.smtpUrl}`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  console.error(`gangway failed to start: ${(err as Error).message}`);
  process.exit(1);
});
