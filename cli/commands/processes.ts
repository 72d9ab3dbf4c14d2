import { access } from 'node:fs/promises';
import path from 'node:path';
import { migrate, pendingMigrations } from '../../db/migrate';
import { createPool, waitForDatabase } from '../../db/pool';
import { loadConfig, requireProductionSettings, type Config } from '../../lib/config';
import { createLogger, type Logger } from '../../lib/logger';
import { stopTracing } from '../../lib/tracing';
import { CliError, EXIT, type Context } from '../context';
import { apiProcess, temporalRuntime, workerProcess } from '../process-roles';

/**
 * The production processes, configured only by the environment: `gangway migrate` applies the
 * schema and exits; `gangway api` and `gangway worker` run until SIGTERM or SIGINT, turning their
 * readiness to 503 first (SHUTDOWN_DRAIN_DELAY), then finishing what is in flight. Any number of
 * each may run at once. Bad configuration stops them at start with one line naming it.
 */

/** The workflow bundle `npm run build` wrote beside the compiled code: a worker never bundles at start. */
const PREBUILT_BUNDLE = path.join(__dirname, '..', '..', 'workflow-bundle.js');

export async function migrateCommand(ctx: Context, options: { json?: boolean } = {}): Promise<number> {
  const { config, log } = setUp(ctx, 'migrate');
  const pool = createPool(config.databaseUrl!, log, { max: 1 });
  try {
    await waitForDatabase(pool, log, config.temporal.connectTimeoutMs);
    const applied = await migrate(pool);
    if (options.json) ctx.out(JSON.stringify({ applied }));
    else
      ctx.out(
        applied.length > 0
          ? `applied ${applied.length} migration(s): ${applied.join(', ')}`
          : 'the schema is up to date',
      );
    return EXIT.ok;
  } catch (err) {
    throw new CliError(`migrate failed: ${firstLine(err)}`);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

export async function apiCommand(ctx: Context): Promise<number> {
  const { config, log } = setUp(ctx, 'api');
  await requireCurrentSchema(config, log);
  const api = await startOrExplain(() => apiProcess().startApiProcess(config, log));
  ctx.err(`gangway api listening on ${api.url}`);
  await untilSignalled(ctx, log);
  api.drain();
  await delay(config.shutdownDrainDelayMs);
  await api.stop();
  await stopTracing();
  return EXIT.ok;
}

export async function workerCommand(ctx: Context): Promise<number> {
  const { config, log } = setUp(ctx, 'worker');
  try {
    temporalRuntime().installTemporalRuntime(log, { metricsAddress: config.temporal.metricsAddress ?? undefined });
  } catch (err) {
    // A metrics address that cannot be bound: named in one line, like any other bad setting.
    throw new CliError((err as Error).message);
  }
  await requireCurrentSchema(config, log);
  const codePath = config.workflowBundlePath ?? PREBUILT_BUNDLE;
  const bundle = await access(codePath).then(
    () => ({ codePath }),
    () => {
      throw new CliError(`no prebuilt workflow bundle at ${codePath}`, [
        'run `npm run build` (a worker never bundles at start), or set GANGWAY_WORKFLOW_BUNDLE',
      ]);
    },
  );
  const worker = await startOrExplain(() =>
    workerProcess().startWorkerProcess(config, log, { workflowBundle: bundle, healthServer: true }),
  );
  await worker.ready;
  ctx.err(`gangway worker polling ${config.temporal.taskQueue}; probes on ${worker.healthUrl}`);
  await untilSignalled(ctx, log);
  worker.drain();
  await delay(config.shutdownDrainDelayMs);
  await worker.stop();
  await stopTracing();
  return EXIT.ok;
}

function setUp(ctx: Context, role: 'migrate' | 'api' | 'worker'): { config: Config; log: Logger } {
  let config: Config;
  try {
    config = loadConfig(ctx.io.env);
    requireProductionSettings(config, role);
    if (!config.databaseUrl) throw new Error('DATABASE_URL is required');
  } catch (err) {
    throw new CliError(firstLine(err));
  }
  return { config, log: createLogger({ level: config.logLevel }) };
}

async function requireCurrentSchema(config: Config, log: Logger): Promise<void> {
  const pool = createPool(config.databaseUrl!, log, { max: 1 });
  try {
    await waitForDatabase(pool, log, config.temporal.connectTimeoutMs);
    const pending = await pendingMigrations(pool);
    if (pending.length > 0)
      throw new CliError(`the database schema is behind (${pending.join(', ')} not applied)`, [
        'run `gangway migrate` first',
      ]);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`PostgreSQL: ${firstLine(err)}`);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

async function startOrExplain<T>(start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    throw new CliError(firstLine(err));
  }
}

function untilSignalled(ctx: Context, log: Logger): Promise<void> {
  const signals = ctx.io.signals;
  if (!signals) throw new CliError('this command runs until it is stopped, and needs the process signals');
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'draining, then stopping');
      resolve();
    };
    signals.once('SIGTERM', () => stop('SIGTERM'));
    signals.once('SIGINT', () => stop('SIGINT'));
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const firstLine = (err: unknown) => ((err as Error)?.message ?? String(err)).split('\n')[0];
