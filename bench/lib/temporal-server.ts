import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { freePort } from '../../infra/free-port';
import { findTemporalCli } from '../../infra/temporal-cli';
import {
  DEFAULT_DATABASE_ADMIN_URL,
  NUM_HISTORY_SHARDS,
  TEMPORAL_SERVER_VERSION,
  startCluster,
} from '../../infra/temporal-cluster';
import { SERVER_SEARCH_ATTRIBUTE_CACHE, startDevServer } from '../../infra/temporal-dev-server';

const ROOT = path.join(__dirname, '..', '..');

/** Which Temporal a bench environment runs on: the CLI's dev server (SQLite), or the real server (`--temporal cluster`). */
export type TemporalChoice =
  { kind: 'dev'; sqlitePragmas: string[]; searchAttributeCache?: SearchAttributeCache } | { kind: 'cluster' };

/**
 * The CLI's dev server turns the server's search-attribute cache off
 * (`system.forceSearchAttributesCacheRefreshOnRead`, so that an attribute created while it runs is
 * seen at once): every validation of search attributes and every visibility write then reads the
 * cluster metadata, and for custom attributes the namespace, from SQLite. A production server keeps
 * the cache (the server's default), so the bench does too ('server'); 'cli' keeps the CLI's setting.
 */
export type SearchAttributeCache = 'server' | 'cli';
/** How the report names a run's setting. */
export const searchAttributeCacheText = (cache: SearchAttributeCache | undefined) =>
  cache === 'cli'
    ? "search attributes read from SQLite on every use (the CLI's setting)"
    : "search attributes cached (the server's default; the CLI reads them on every use)";

/** The Temporal server under a bench environment, as the scenarios see it. */
export interface TemporalServer {
  kind: 'dev' | 'cluster';
  /** The one process whose CPU is the server's (the dev server; the real server's four services run in one). */
  pid: number;
  /** TEMPORAL_* variables for every client: the product's processes, the baselines', the bench's own. */
  env: Record<string, string>;
  /** The Temporal server's own databases on the shared PostgreSQL (the real server's); none for the dev server. */
  databases: string[];
  /** Its Prometheus endpoint, for the work it did per onboarding (bench/lib/server-metrics.ts); the dev server's only. */
  metricsUrl?: string;
  /** One line for the report. */
  describe: string;
  stop(): Promise<void>;
}

/**
 * The real server's databases for the bench: named after the checkout (two checkouts on one machine
 * do not share them), made anew by each run and dropped after it.
 */
const SUFFIX = createHash('sha256').update(`${ROOT}:bench`).digest('hex').slice(0, 8);
export const BENCH_CLUSTER_DATABASES = {
  default: `gangway_temporal_bench_${SUFFIX}`,
  visibility: `gangway_temporal_bench_${SUFFIX}_visibility`,
};

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? DEFAULT_DATABASE_ADMIN_URL;

async function dropClusterDatabases(): Promise<void> {
  const admin = new PgClient({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    for (const name of Object.values(BENCH_CLUSTER_DATABASES))
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/**
 * The test-only switch infra/temporal-cluster.ts turns on for its tests: every search-attribute
 * validation (a start or an upsert that carries search attributes) reads the cluster metadata from
 * PostgreSQL instead of the cache. Ours carries search attributes and B0 none, so it would cost ours
 * alone; the bench runs the server as production would, without it.
 */
const TEST_ONLY_DYNAMIC_CONFIG = /(?:^#.*\n)?^system\.forceSearchAttributesCacheRefreshOnRead:\n(?:[ \t]+.*\n)*/m;
/** infra/temporal-cluster.ts has the server read its dynamic configuration file every 10 s. */
const DYNAMIC_CONFIG_POLL_MS = 10_000;

export async function startTemporalServer(choice: TemporalChoice, dir: string): Promise<TemporalServer> {
  if (choice.kind === 'dev') {
    const cliPath = await findTemporalCli({ projectRoot: ROOT });
    const metricsPort = await freePort();
    const devServer = await startDevServer({
      cliPath,
      port: await freePort(),
      dbFile: path.join(dir, 'temporal.sqlite'),
      sqlitePragmas: choice.sqlitePragmas,
      extraArgs: [
        '--metrics-port',
        String(metricsPort),
        ...(choice.searchAttributeCache === 'cli' ? [] : SERVER_SEARCH_ATTRIBUTE_CACHE),
      ],
    });
    const pragmas = choice.sqlitePragmas.length ? choice.sqlitePragmas.join(', ') : 'the CLI defaults';
    return {
      kind: 'dev',
      pid: devServer.process.pid!,
      env: { TEMPORAL_ADDRESS: devServer.address },
      databases: [],
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      describe: `the Temporal CLI's dev server, file-backed SQLite (pragmas: ${pragmas}), ${searchAttributeCacheText(choice.searchAttributeCache)}, one history shard, no TLS`,
      stop: () => devServer.stop(),
    };
  }
  // A run that was killed left its databases: the server would start on their history.
  await dropClusterDatabases();
  const stateDir = path.join(dir, 'cluster');
  const cluster = await startCluster({
    projectRoot: ROOT,
    stateDir,
    ports: 'free',
    databaseAdminUrl: ADMIN_URL,
    databases: BENCH_CLUSTER_DATABASES,
    ui: false,
  });
  try {
    const dynamicConfig = path.join(stateDir, 'config', 'dynamicconfig.yaml');
    const written = await readFile(dynamicConfig, 'utf8');
    const production = written.replace(TEST_ONLY_DYNAMIC_CONFIG, '');
    if (production !== written) {
      await writeFile(dynamicConfig, production);
      // The server picks the file up on its next poll; the first measurement must not come before.
      await new Promise((resolve) => setTimeout(resolve, DYNAMIC_CONFIG_POLL_MS + 2_000));
    }
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return {
    kind: 'cluster',
    pid: cluster.process.pid!,
    env: cluster.env,
    databases: Object.values(BENCH_CLUSTER_DATABASES),
    describe: `Temporal server ${TEMPORAL_SERVER_VERSION} (go.temporal.io/server, its four services in one process) on PostgreSQL, ${NUM_HISTORY_SHARDS} history shards, mTLS frontend`,
    async stop() {
      await cluster.stop();
      await dropClusterDatabases();
    },
  };
}
