/**
 * `npm run cluster`: a real Temporal server (PostgreSQL persistence, 4 history shards, mTLS
 * frontend) and the Temporal UI, in the foreground; Ctrl-C stops them. See docs/cluster.md.
 *
 *   npm run cluster                 up (builds the binaries the first time on this machine)
 *   npm run cluster -- --no-ui      up, without the UI
 *   npm run cluster -- down         stops one left running (a killed `npm run cluster`)
 *   npm run cluster -- env          prints the client variables of the last start (KEY=value lines)
 *   npm run cluster -- build        only builds (or finds) the binaries; prints their paths (.ci/run)
 *
 * Progress and logs go to stderr; stdout gets only the variables (up, env) or the paths (build).
 * Environment: CLUSTER_DATABASE_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * CLUSTER_STATE_DIR (default .data/cluster), LOG_LEVEL, XDG_CACHE_HOME (where binaries are cached).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DEFAULT_DATABASE_ADMIN_URL,
  defaultStateDir,
  ensureClusterBinaries,
  envFileOf,
  startCluster,
  stopRecordedCluster,
  type Cluster,
} from '../infra/temporal-cluster';
import { createLogger } from '../lib/logger';

// scripts/ (source) or dist/scripts/ (compiled): the project root is the one holding package.json.
const PROJECT_ROOT = path.resolve(__dirname, '..', __dirname.includes(`${path.sep}dist${path.sep}`) ? '..' : '.');

async function main(argv: string[]): Promise<void> {
  const log = createLogger({ name: 'cluster', level: process.env.LOG_LEVEL ?? 'info' }, process.stderr);
  const command = argv.find((arg) => !arg.startsWith('-')) ?? 'up';
  const stateDir = path.resolve(process.env.CLUSTER_STATE_DIR ?? defaultStateDir(PROJECT_ROOT));

  switch (command) {
    case 'build': {
      const started = Date.now();
      const binaries = await ensureClusterBinaries({ log, ui: !argv.includes('--no-ui') });
      process.stdout.write(`${binaries.server}\n${binaries.sqlTool}\n${binaries.ui ?? ''}\n`);
      const built = binaries.serverBuild?.seconds;
      process.stderr.write(
        `temporal server: ${binaries.server}${
          built
            ? ` (go install took ${Object.entries(built)
                .map(([k, v]) => `${k} ${v}s`)
                .join(', ')} when built)`
            : ''
        }\n` +
          `schema: ${path.dirname(binaries.schema.temporal)}, ${path.dirname(binaries.schema.visibility)}\n` +
          `ui: ${binaries.ui ?? `none (${binaries.uiError ?? 'not asked for'})`}\n` +
          `this run: ${Math.round((Date.now() - started) / 1000)}s\n`,
      );
      if (binaries.uiError) process.exitCode = 1;
      return;
    }
    case 'down': {
      const stopped = await stopRecordedCluster(stateDir, log);
      process.stderr.write(
        stopped.length ? `stopped ${stopped.join(', ')}\n` : `no Temporal cluster running on ${stateDir}\n`,
      );
      return;
    }
    case 'env': {
      process.stdout.write(
        await readFile(envFileOf(stateDir), 'utf8').catch(() => {
          throw new Error(`no ${envFileOf(stateDir)}: start the cluster first (npm run cluster)`);
        }),
      );
      return;
    }
    case 'up':
      return up(argv, stateDir, log);
    default:
      throw new Error(`unknown command "${command}": up (default), down, env or build`);
  }
}

async function up(argv: string[], stateDir: string, log: ReturnType<typeof createLogger>): Promise<void> {
  // Set once started; a Ctrl-C before that exits, and startCluster's exit hook ends its children.
  const running: { cluster?: Cluster } = {};
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping the Temporal cluster');
    await running.cluster?.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  const cluster = await startCluster({
    projectRoot: PROJECT_ROOT,
    stateDir,
    log,
    ui: !argv.includes('--no-ui'),
    databaseAdminUrl: process.env.CLUSTER_DATABASE_ADMIN_URL ?? DEFAULT_DATABASE_ADMIN_URL,
    logLevel: process.env.CLUSTER_SERVER_LOG_LEVEL,
  });
  running.cluster = cluster;
  const exports = Object.entries(cluster.env)
    .map(([key, value]) => `export ${key}=${value}`)
    .join('\n');
  process.stdout.write(`${exports}\n`);
  process.stderr.write(
    [
      '',
      `Temporal server ${cluster.address} (mTLS, namespace ${cluster.namespace}) ready in ${(cluster.startMs / 1000).toFixed(1)}s`,
      cluster.uiUrl
        ? `Temporal UI       ${cluster.uiUrl}`
        : `Temporal UI       none: ${cluster.uiError ?? 'not asked for'}`,
      `server log        ${cluster.logFile}`,
      `client variables  above, also in ${envFileOf(stateDir)} (npm run -s cluster -- env)`,
      '',
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
  const exit = await cluster.exited;
  if (!stopping) {
    // `npm run cluster -- down` from another terminal ends the server with SIGTERM: a clean exit.
    if (exit === 'code 0') log.info('the Temporal server was stopped');
    else log.error({ exit, log: cluster.logFile }, 'the Temporal server exited');
    await cluster.stop();
    process.exit(exit === 'code 0' ? 0 : 1);
  }
}

main(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`cluster: ${err.message}\n`);
  process.exit(1);
});
